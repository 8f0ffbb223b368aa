// What a host runs, read back into snapshots the store can record: each revision from
// wherever deptool has it (the store's record of the host, the config tree, the store's
// history), or else from the host itself.
import { join } from 'node:path';
import { loadDeployed } from '../plan/load.js';
import type { Store } from '../store/store.js';
import type { StoredApp, WriteFile } from '../store/types.js';
import type { AppSnapshot, HostSnapshot } from '../tree/types.js';
import type { SyncedHost } from './attempt.js';
import type { Deployer } from './deploy.js';
import type { HostState } from './steps.js';

export interface RevisionSources {
  /** The store's record of the host. */
  readonly expected: HostSnapshot | undefined;
  /** What the config tree (or a rollback) wants there. */
  readonly desired: HostSnapshot | undefined;
  /** The config tree's directory, when `desired` comes from it. */
  readonly sourceDir: string | null;
}

export interface ReadBack {
  readonly snapshot: HostSnapshot;
  readonly synced: SyncedHost;
}

/** app -> revision, from a host's record. */
export function appRevisions(state: HostState): Map<string, string> {
  return new Map(Object.entries(state.apps).map(([app, record]) => [app, record.rev]));
}

function inStore(snapshot: AppSnapshot): Map<string, WriteFile> {
  return new Map([...snapshot.files].map(([path, entry]) => [path, { executable: entry.executable, oid: entry.oid }]));
}

/**
 * The host's apps (`apps`: app -> the revision its `current` names). Revisions are checked
 * against their checksum lists and ids when downloaded, except those of `edited` apps, which
 * are taken as the host has them (edits the operator accepts): their snapshot then names a
 * new revision.
 */
export async function readBack(store: Store, deployer: Deployer, host: string, apps: ReadonlyMap<string, string>, edited: ReadonlySet<string>, sources: RevisionSources): Promise<ReadBack> {
  const snapshots = new Map<string, AppSnapshot>();
  const files = new Map<string, Map<string, WriteFile>>();
  const found: string[] = [];
  for (const [name, rev] of [...apps].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const matches = (app: AppSnapshot | undefined): app is AppSnapshot => app !== undefined && app.treeOid.startsWith(rev) && !edited.has(name);
    const known = sources.expected?.apps.get(name);
    const wanted = sources.desired?.apps.get(name);
    let snapshot: AppSnapshot;
    let writes: Map<string, WriteFile>;
    const stored = matches(known) || matches(wanted) || edited.has(name) ? null : await store.findRevision(rev);
    if (matches(known)) {
      snapshot = known;
      writes = inStore(snapshot);
    } else if (matches(wanted)) {
      snapshot = wanted;
      const dir = sources.sourceDir;
      writes = new Map([...snapshot.files].map(([path, entry]) => [path, { executable: entry.executable, oid: entry.oid, ...(dir === null ? {} : { source: join(dir, host, name, path) }) }]));
    } else if (stored !== null) {
      snapshot = (await storedSnapshot(store, host, name, stored)).apps.get(name)!;
      writes = inStore(snapshot);
    } else {
      const downloaded = await deployer.fetchRevision(host, name, rev, !edited.has(name));
      snapshot = downloaded.snapshot;
      writes = new Map([...snapshot.files].map(([path, entry]) => [path, { executable: entry.executable, oid: entry.oid, content: downloaded.contents.get(path)! }]));
    }
    snapshots.set(name, snapshot);
    files.set(name, writes);
    found.push(`${name} ${snapshot.treeOid.slice(0, 10)}`);
  }
  const said = [...(sources.expected?.apps.values() ?? [])].map((app) => `${app.name} ${app.treeOid.slice(0, 10)}`).join(', ') || 'nothing';
  return {
    snapshot: { name: host, apps: snapshots },
    synced: { host, apps: files, detail: `the host runs ${found.join(', ') || 'nothing'}; the store said ${said}` },
  };
}

/** A revision found in the store's history, with its manifest parsed. */
async function storedSnapshot(store: Store, host: string, app: string, stored: StoredApp): Promise<HostSnapshot> {
  return (await loadDeployed(store, new Map([[host, new Map([[app, stored]])]]))).get(host)!;
}
