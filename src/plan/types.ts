// The plan as data (DESIGN §4): what would change on each host, computed offline.
// Every renderer (text, JSON, Markdown) is a function of this value.
import type { FileEntry, HealthCheck } from '../tree/types.js';
import type { Rollout } from './rollout.js';

export const PLAN_SCHEMA_VERSION = 1;

export interface FileChange {
  /** App-relative POSIX path. */
  readonly path: string;
  /** `modify` covers a content change, a mode change, or both. */
  readonly change: 'add' | 'modify' | 'remove';
  readonly old: FileEntry | null;
  readonly new: FileEntry | null;
}

export interface SymlinkChange {
  /** Absolute path on the host. */
  readonly target: string;
  /** `link` creates or re-points the link, `unlink` removes it. */
  readonly change: 'link' | 'unlink';
  /** App-relative source: the new one for `link`, the old one for `unlink`. */
  readonly source: string;
  /** For a re-pointed link, the source it pointed at before. */
  readonly oldSource: string | null;
}

export interface UnitChanges {
  /** Unit files and drop-ins (`x.service.d/y.conf`) to link into /etc/systemd/system. */
  readonly link: readonly string[];
  readonly unlink: readonly string[];
  readonly disable: readonly string[];
  readonly enable: readonly string[];
  readonly restart: readonly string[];
}

export interface AppPlan {
  readonly app: string;
  readonly action: 'add' | 'update' | 'remove';
  /** Revision directory names on the host (first 10 hex digits of the app's tree id). */
  readonly oldRev: string | null;
  readonly newRev: string | null;
  /** Sorted by path (byte order). */
  readonly files: readonly FileChange[];
  /** Sorted by target. */
  readonly symlinks: readonly SymlinkChange[];
  /** sysusers.d file names to link and unlink. */
  readonly sysusers: { readonly link: readonly string[]; readonly unlink: readonly string[] };
  /** True when `systemd-sysusers` must run (a sysusers file was added, changed or removed). */
  readonly runSysusers: boolean;
  readonly units: UnitChanges;
  /**
   * Podman quadlet file names (`quadlets/<name>`) to link into and unlink from
   * /etc/containers/systemd; present when a file in `quadlets/` changes (then `daemon-reload`
   * runs, and the quadlet generator remakes its units), absent otherwise, so plans without
   * quadlets keep their digests.
   */
  readonly quadlets?: { readonly link: readonly string[]; readonly unlink: readonly string[] };
  /**
   * Host units (not the app's own) restarted or reloaded because the app changes, from
   * `units_restarted` and `units_reloaded` (of the old manifest when the app is removed);
   * absent when the app lists none, so plans without them keep their digests.
   */
  readonly hostUnits?: { readonly restart: readonly string[]; readonly reload: readonly string[] };
  /**
   * The new revision's validate commands (run on the host before anything flips) and health
   * checks (run once its units are up), as written; absent when it has none or the app is
   * removed, so plans without them keep their digests. The reviewer approves them with the change.
   */
  readonly validate?: readonly (readonly string[])[];
  readonly checks?: readonly HealthCheck[];
}

/** Hand edits on a host that the deploy replaces (`deploy --overwrite-drift`). */
export interface Overwrite {
  /** One sentence per edit found on the host, in the order found. */
  readonly edits: readonly string[];
  /** Apps whose revision is sent again (replacing edited files) and whose units restart. */
  readonly apps: readonly string[];
  /** Links put back whatever is at the target now (the host's or another link). */
  readonly links: readonly { readonly target: string; readonly value: string }[];
}

export interface HostPlan {
  readonly host: string;
  /** The store has never recorded anything for this host. */
  readonly newHost: boolean;
  /** Sorted by app name. */
  readonly apps: readonly AppPlan[];
  readonly rollback: {
    readonly available: boolean;
    /** Why not, one sentence each (e.g. `enables caddy.service`). Empty when available. */
    readonly reasons: readonly string[];
  };
  /** Hand edits this deploy replaces; absent on a plan made offline. */
  readonly overwrite?: Overwrite;
}

export interface Plan {
  readonly schema: typeof PLAN_SCHEMA_VERSION;
  readonly cluster: string;
  /** Store commit the plan was computed against; null for an empty store. */
  readonly base: string | null;
  /** Hosts with changes, sorted by name. */
  readonly hosts: readonly HostPlan[];
  /** Hosts in the config tree (and in scope) with nothing to do, sorted. */
  readonly upToDate: readonly string[];
  /** Hosts the store knows but the config tree no longer has: left alone, reported. */
  readonly untracked: readonly string[];
  /** The stages of the deploy; absent when every host goes at once with no failure budget. */
  readonly rollout?: Rollout;
}

/** Old and new content of one changed file, for diffs. Null where the side does not exist. */
export interface FileContents {
  readonly old: Buffer | null;
  readonly new: Buffer | null;
}

/** Content lookup for changed files, loaded before rendering so renderers stay pure. */
export interface PlanContents {
  get(host: string, app: string, path: string): FileContents;
}
