// The shared model of "what an app is": used for both the config tree (desired)
// and the store's tip tree (deployed), so the planner compares like with like.

/** A file inside an app. `oid` is the git blob id (sha1 of "blob <size>\0<content>"). */
export interface FileEntry {
  readonly oid: string;
  readonly executable: boolean;
  readonly size: number;
}

/** What a file gets on the host; an unset key keeps deptool's default (root, 0444 or 0555). */
export interface FilePermissions {
  /** Four octal digits without setuid, setgid or sticky bit, e.g. `0640`. */
  readonly mode?: string;
  /** A user or group name, or a numeric id. */
  readonly owner?: string;
  readonly group?: string;
}

/** One entry of `permissions`: files of the app matching `glob` (app-relative, dotfiles included) get these. */
export interface PermissionRule extends FilePermissions {
  readonly glob: string;
}

/** When a health check must pass, in seconds. */
export interface CheckTiming {
  /** Time from the units being up to the check's first success. */
  readonly within: number;
  /** Between two attempts. */
  readonly interval: number;
  /** For one attempt. */
  readonly timeout: number;
}

/** One entry of `checks`: exactly one kind, run after the app's units are up (DESIGN §2.2). */
export type HealthCheck = CheckTiming &
  (
    | { readonly kind: 'http'; readonly url: string; /** null: any 2xx. */ readonly status: number | null; readonly contains: string | null }
    | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
    | { readonly kind: 'exec'; readonly argv: readonly string[] }
  );

export interface Manifest {
  /** Units from `systemd.units_enabled`, in the order given. */
  readonly unitsEnabled: readonly string[];
  /** Host units (not the app's own) restarted, or reloaded, when the app changes and again on rollback. */
  readonly unitsRestarted: readonly string[];
  readonly unitsReloaded: readonly string[];
  /** Health checks, in the order written. */
  readonly checks: readonly HealthCheck[];
  /** Absolute target on the host -> source path relative to the app root. */
  readonly symlinks: ReadonlyMap<string, string>;
  /** In the order written: a later rule overrides an earlier one key by key. */
  readonly permissions: readonly PermissionRule[];
  /**
   * Commands run on the host against a new revision before anything changes (`validate`):
   * argv arrays, the first element an absolute path; `{rev}` in an argument is the revision's directory.
   */
  readonly validate: readonly (readonly string[])[];
}

export const EMPTY_MANIFEST: Manifest = { unitsEnabled: [], unitsRestarted: [], unitsReloaded: [], checks: [], symlinks: new Map(), permissions: [], validate: [] };

export interface AppSnapshot {
  readonly name: string;
  /** App-relative POSIX paths (e.g. `systemd/caddy.service`) -> entry. */
  readonly files: ReadonlyMap<string, FileEntry>;
  readonly manifest: Manifest;
  /** Git tree id of the app directory: identical content and modes give an identical id. */
  readonly treeOid: string;
}

export interface HostSnapshot {
  readonly name: string;
  readonly apps: ReadonlyMap<string, AppSnapshot>;
}

/** host name -> host. */
export type ClusterSnapshot = ReadonlyMap<string, HostSnapshot>;

/** The config tree as loaded from disk: the desired state plus where it came from. */
export interface ConfigTree {
  readonly cluster: string;
  /** Absolute path of the cluster directory. */
  readonly dir: string;
  readonly hosts: ClusterSnapshot;
}

/** Paths derived from an app's files (DESIGN §1.2). */
export interface AppLinks {
  /** Unit file names directly under `systemd/` (e.g. `caddy.service`). */
  readonly units: readonly string[];
  /** Drop-ins as `<unit>.d/<file>` (e.g. `caddy.service.d/override.conf`). */
  readonly dropIns: readonly string[];
  /** File names directly under `sysusers/`. */
  readonly sysusers: readonly string[];
  /** Podman quadlet file names directly under `quadlets/` (e.g. `web.container`). */
  readonly quadlets: readonly string[];
}

/** Derives the unit, drop-in, sysusers and quadlet links of an app from its file list. */
export function appLinks(files: Iterable<string>): AppLinks {
  const units: string[] = [];
  const dropIns: string[] = [];
  const sysusers: string[] = [];
  const quadlets: string[] = [];
  for (const path of files) {
    const parts = path.split('/');
    if (parts[0] === 'systemd' && parts.length === 2) units.push(parts[1]);
    else if (parts[0] === 'systemd' && parts.length === 3) dropIns.push(`${parts[1]}/${parts[2]}`);
    else if (parts[0] === 'sysusers' && parts.length === 2) sysusers.push(parts[1]);
    else if (parts[0] === 'quadlets' && parts.length === 2) quadlets.push(parts[1]);
  }
  const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { units: units.sort(byBytes), dropIns: dropIns.sort(byBytes), sysusers: sysusers.sort(byBytes), quadlets: quadlets.sort(byBytes) };
}
