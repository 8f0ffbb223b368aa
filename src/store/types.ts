// The store's data model: deploy attempts going in, history records and stored trees coming out.
import type { FileEntry } from '../tree/types.js';

export const HOST_STATUSES = ['deployed', 'rolled-back', 'failed', 'skipped', 'synced'] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

/** What happened on one host during an attempt. */
export interface HostResult {
  readonly host: string;
  readonly status: HostStatus;
  /** One line (newlines are folded into spaces when recorded). */
  readonly detail?: string;
}

/** Optional provenance recorded with an attempt; each is one line. */
export interface AttemptTrailers {
  readonly planDigest?: string;
  readonly runUrl?: string;
  readonly pullRequest?: string;
  readonly actor?: string;
}

export interface Identity {
  readonly name: string;
  readonly email: string;
}

export interface WriteFile {
  readonly executable: boolean;
  /** Expected git blob id; content read from `source` must hash to it. */
  readonly oid: string;
  /** Absolute path to read the content from; without it (or `content`) the blob must already be in the store. */
  readonly source?: string;
  /** The content itself (a file downloaded from a host). */
  readonly content?: Buffer;
}

/** The complete new content of an app: it replaces the app's whole subtree. */
export interface AppWrite {
  /** App-relative POSIX paths -> file. */
  readonly files: ReadonlyMap<string, WriteFile>;
}

/** One deploy attempt, recorded as one commit on `ref`. */
export interface Attempt {
  /** Full ref name, e.g. `refs/heads/prod` or `refs/heads/deptool/store`. */
  readonly ref: string;
  /** The tip the plan was made against; null when the ref did not exist. */
  readonly parent: string | null;
  readonly title: string;
  readonly body?: string;
  /** At least one; one per host at most. */
  readonly results: readonly HostResult[];
  /** host -> app -> new content, or null to remove the app. Only for hosts whose result is `deployed` or `synced`. */
  readonly writes: ReadonlyMap<string, ReadonlyMap<string, AppWrite | null>>;
  readonly trailers?: AttemptTrailers;
  /** Used as both author and committer. */
  readonly author: Identity;
  /** Author and committer date (whole seconds); defaults to now. */
  readonly date?: Date;
}

/** One attempt as read back from history. */
export interface AttemptRecord {
  readonly commit: string;
  readonly date: Date;
  readonly author: Identity;
  readonly title: string;
  /** Empty when the attempt had none. */
  readonly body: string;
  readonly results: readonly HostResult[];
  readonly trailers: AttemptTrailers;
}

export interface StoredApp {
  /** App-relative POSIX paths -> entry. */
  readonly files: Map<string, FileEntry>;
  /** Git tree id of `<host>/<app>`; its first 10 hex digits name the revision on the host. */
  readonly treeOid: string;
}

/** host -> app -> stored app: exactly what the store says is on each host. */
export type StoredCluster = Map<string, Map<string, StoredApp>>;
