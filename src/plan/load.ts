// Loads the planner's inputs from disk: the deployed state from the store's tip
// and, after planning, the contents of changed files for diffs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.js';
import type { Store } from '../store/store.js';
import type { StoredCluster } from '../store/types.js';
import { parseManifest } from '../tree/manifest.js';
import { loadCluster } from '../tree/load.js';
import type { ClusterSettings } from '../tree/settings.js';
import { EMPTY_MANIFEST, type AppSnapshot, type ClusterSnapshot, type ConfigTree, type HostSnapshot } from '../tree/types.js';
import type { FileContents, Plan, PlanContents } from './types.js';

/** What every command plans from: the config tree, its settings, and what the store says is deployed. */
export interface ClusterState {
  readonly tree: ConfigTree;
  readonly settings: ClusterSettings;
  /** The store commit the deployed state was read from; null for an empty store. */
  readonly base: string | null;
  readonly deployed: ClusterSnapshot;
}

/** Loads the cluster directory and the store's record of it at the ref's tip: the one loader of the CLI and the Action. */
export async function loadClusterState(store: Store, ref: string, dir: string, cwd: string): Promise<ClusterState> {
  const { tree, settings } = await loadCluster(dir, { cwd });
  const base = await store.tip(ref);
  const deployed = await loadDeployed(store, await store.readTree(base));
  return { tree, settings, base, deployed };
}

/** Turns the store's tree into snapshots, parsing every stored manifest in one batch read. */
export async function loadDeployed(store: Store, stored: StoredCluster): Promise<ClusterSnapshot> {
  const manifestOids: string[] = [];
  for (const apps of stored.values()) {
    for (const app of apps.values()) {
      const manifest = app.files.get('manifest.json');
      if (manifest) manifestOids.push(manifest.oid);
    }
  }
  const blobs = await store.readBlobs(manifestOids);
  const issues: ConfigIssue[] = [];
  const hosts = new Map<string, HostSnapshot>();
  for (const [host, apps] of stored) {
    const snapshots = new Map<string, AppSnapshot>();
    for (const [name, app] of apps) {
      const entry = app.files.get('manifest.json');
      let manifest = EMPTY_MANIFEST;
      if (entry) {
        const parsed = parseManifest(blobs.get(entry.oid)!.toString('utf8'), `store:${host}/${name}/manifest.json`, new Set(app.files.keys()));
        issues.push(...parsed.issues);
        manifest = parsed.manifest;
      }
      snapshots.set(name, { name, files: app.files, manifest, treeOid: app.treeOid });
    }
    hosts.set(host, { name: host, apps: snapshots });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return hosts;
}

function contentKey(host: string, app: string, path: string): string {
  return `${host}\0${app}\0${path}`;
}

/** Reads old contents from the store (one batch) and new ones with `readNew` (the config tree, or the store). */
export async function loadPlanContents(plan: Plan, store: Store, readNew: (host: string, app: string, path: string) => Promise<Buffer>): Promise<PlanContents> {
  const oldOids = new Set<string>();
  const newReads: Promise<void>[] = [];
  const contents = new Map<string, { old: Buffer | null; new: Buffer | null }>();
  for (const host of plan.hosts) {
    for (const app of host.apps) {
      for (const file of app.files) {
        const slot = { old: null as Buffer | null, new: null as Buffer | null };
        contents.set(contentKey(host.host, app.app, file.path), slot);
        if (file.old) oldOids.add(file.old.oid);
        if (file.new) {
          newReads.push(
            readNew(host.host, app.app, file.path).then((data) => {
              slot.new = data;
            }),
          );
        }
      }
    }
  }
  const [blobs] = await Promise.all([store.readBlobs(oldOids), ...newReads]);
  for (const host of plan.hosts) {
    for (const app of host.apps) {
      for (const file of app.files) {
        if (file.old) contents.get(contentKey(host.host, app.app, file.path))!.old = blobs.get(file.old.oid) ?? null;
      }
    }
  }
  return {
    get(host: string, app: string, path: string): FileContents {
      return contents.get(contentKey(host, app, path)) ?? { old: null, new: null };
    },
  };
}

/** Reads files of the config tree in `dir` (`<host>/<app>/<path>`). */
export function treeReader(dir: string): (host: string, app: string, path: string) => Promise<Buffer> {
  return (host, app, path) => readFile(join(dir, host, app, path));
}

/**
 * Hosts of the plan that another run deployed since the plan was made, as one problem
 * each. Other hosts may have moved freely: the store record rebases onto them, and host
 * locks keep runs apart.
 */
export async function movedSincePlan(store: Store, ref: string, plan: Plan, deployed: ClusterSnapshot): Promise<string[]> {
  const tip = await store.tip(ref);
  if (tip === plan.base) return [];
  const now = await store.readTree(tip);
  const problems: string[] = [];
  for (const { host } of plan.hosts) {
    const before = [...(deployed.get(host)?.apps.values() ?? [])].map((app) => `${app.name}:${app.treeOid}`).sort().join(' ');
    const after = [...(now.get(host)?.entries() ?? [])].map(([name, app]) => `${name}:${app.treeOid}`).sort().join(' ');
    if (before !== after) problems.push(`${host} was deployed by another run since the plan was made (store now at ${tip?.slice(0, 10)}); run the command again`);
  }
  return problems;
}
