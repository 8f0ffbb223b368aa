// Resolves what every command works on: the store, the cluster directory and its
// store ref, and the plan of the config tree against the store's tip.
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { loadClusterState, type ClusterState } from '../plan/load.js';
import { makePlan } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { Store } from '../store/store.js';
import type { ClusterSnapshot, ConfigTree } from '../tree/types.js';
import { validateName } from '../tree/names.js';
import type { Io } from './io.js';

export const DEFAULT_CLUSTER_KEY = 'deptool.cluster';

export function storeDir(io: Io, option: string | undefined): string {
  return resolve(io.cwd, option ?? io.env.DEPTOOL_STORE ?? '.deptool');
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function displayPath(io: Io, path: string): string {
  const rel = relative(io.cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** Each cluster's history lives on its own branch, so one store can serve several clusters. */
export function clusterRef(cluster: string): string {
  return `refs/heads/${cluster}`;
}

/** How the default cluster is recorded: relative to the store's parent, where `init` creates both. */
function recordedPath(store: Store, dir: string): string {
  return relative(dirname(store.dir), dir) || '.';
}

/** Records `dir` as the default cluster, unless it is already. */
export async function recordDefaultCluster(store: Store, dir: string): Promise<void> {
  const path = recordedPath(store, dir);
  if ((await store.getConfig(DEFAULT_CLUSTER_KEY)) !== path) await store.setConfig(DEFAULT_CLUSTER_KEY, path);
}

/**
 * The cluster directory: the one given, which becomes the default for later commands (as in
 * Deptool), else the recorded default.
 */
export async function clusterDir(io: Io, store: Store, positional: string | undefined): Promise<string> {
  let dir: string;
  if (positional !== undefined) {
    dir = resolve(io.cwd, positional);
  } else {
    const recorded = await store.getConfig(DEFAULT_CLUSTER_KEY);
    if (recorded === null) {
      throw new UsageError("No cluster directory given and no default recorded.\nPass the cluster directory (e.g. 'deptool plan prod'), or run 'deptool init DIR' to record one.");
    }
    dir = resolve(dirname(store.dir), recorded);
  }
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ConfigError([{ path: displayPath(io, dir), message: 'cluster directory does not exist', hint: "Create it, or run 'deptool init DIR'." }]);
  }
  const nameIssue = validateName(basename(dir), 'cluster', displayPath(io, dir));
  if (nameIssue) throw new ConfigError([nameIssue]);
  if (positional !== undefined) {
    // Only a convenience for the next command: a store this user may read but not write still serves this one.
    await recordDefaultCluster(store, dir).catch((error: unknown) =>
      io.stderr.write(`deptool: could not record '${displayPath(io, dir)}' as the default cluster: ${(error as Error).message}\n`),
    );
  }
  return dir;
}

/** A cluster directory with its store ref, as every command that reads both opens it. */
export interface OpenedCluster extends ClusterState {
  readonly store: Store;
  readonly ref: string;
}

export interface Planned extends OpenedCluster {
  readonly plan: Plan;
  /** The --limit hosts, checked. */
  readonly limit: ReadonlySet<string> | undefined;
}

export async function openCluster(io: Io, options: { store?: string; dir?: string }): Promise<OpenedCluster> {
  const store = await Store.open(storeDir(io, options.store));
  const dir = await clusterDir(io, store, options.dir);
  const ref = clusterRef(basename(dir));
  return { store, ref, ...(await loadClusterState(store, ref, dir, io.cwd)) };
}

/** The --limit hosts as a set, after checking each is in the tree or the store. */
export function validateLimit(tree: ConfigTree, deployed: ClusterSnapshot, limit: readonly string[] | undefined): Set<string> | undefined {
  if (!limit) return undefined;
  const unknown = limit.filter((h) => !tree.hosts.has(h) && !deployed.has(h));
  if (unknown.length > 0) {
    const known = [...tree.hosts.keys()].sort().join(', ') || '(none)';
    throw new UsageError(`--limit names unknown host${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.\nHosts in cluster '${tree.cluster}': ${known}.`);
  }
  return new Set(limit);
}

export async function planCluster(io: Io, options: { store?: string; dir?: string; limit?: string[] }): Promise<Planned> {
  const opened = await openCluster(io, options);
  const { tree, deployed, base } = opened;
  const limit = validateLimit(tree, deployed, options.limit);
  const plan = makePlan({ cluster: tree.cluster, base, deployed, desired: tree.hosts, limit, rollout: opened.settings.rollout });
  return { ...opened, plan, limit };
}
