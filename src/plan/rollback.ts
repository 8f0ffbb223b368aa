// Plans a rollback: apps of some hosts back to their previous stored version, or to their
// version in a store commit. Used by `deptool rollback` and the Action's workflow_dispatch.
import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { StoredApp, StoredCluster } from '../store/types.js';
import type { AppSnapshot, ClusterSnapshot, HostSnapshot } from '../tree/types.js';
import { loadDeployed } from './load.js';
import { makePlan } from './plan.js';
import type { Plan } from './types.js';

export interface RollbackRequest {
  readonly store: Store;
  readonly ref: string;
  readonly cluster: string;
  /** The store tip the plan is made against, and what it says is deployed. */
  readonly base: string | null;
  readonly deployed: ClusterSnapshot;
  readonly hosts: readonly string[];
  /** Only these apps (each must exist on every named host); default every app of each host. */
  readonly apps?: readonly string[];
  /** `previous`, or a store commit (full or abbreviated id, or any revision git resolves). */
  readonly to: string;
}

export interface RollbackPlan {
  readonly plan: Plan;
  /** The deployed state with the chosen apps replaced by their target versions. */
  readonly desired: ClusterSnapshot;
  /** Reads a file of a target version from the store (one batch, only when a revision must be uploaded). */
  readonly content: (host: string, app: string, path: string) => Promise<Buffer>;
  /** Commit title, e.g. `Roll back caddy to 1a2b3c4d5e on web1`. */
  readonly title: string;
}

/** The store commit holding the app's previous version, or why there is none. */
async function previousCommit(request: RollbackRequest, host: string, app: string, current: string): Promise<string | { problem: string }> {
  const history = await request.store.appHistory(request.ref, host, app);
  const previous = history.find((version) => version.treeOid !== current);
  if (!previous) return { problem: `app '${app}' has no previous version on ${host}` };
  if (previous.treeOid === null) return { problem: `app '${app}' did not exist on ${host} before ${previous.commit.slice(0, 10)}; remove it from the config tree instead` };
  return previous.commit;
}

/** Throws a UsageError listing every problem (unknown host or app, no previous version, bad commit) before anything is contacted. */
export async function planRollback(request: RollbackRequest): Promise<RollbackPlan> {
  const { store, deployed } = request;
  if (request.hosts.length === 0) throw new UsageError('Name at least one host to roll back.');
  const problems: string[] = [];
  // A named commit is the same for every app: resolve it once.
  const named = request.to === 'previous' ? null : await store.resolveCommit(request.to);
  const unknownCommit = request.to !== 'previous' && named === null;
  if (unknownCommit) problems.push(`'${request.to}' is not a commit of the store; see 'deptool log'`);
  const stored: StoredCluster = new Map();
  const phrases: string[] = [];
  for (const host of request.hosts) {
    const current = deployed.get(host);
    if (!current || current.apps.size === 0) {
      problems.push(`the store has nothing deployed on host '${host}'`);
      continue;
    }
    const apps = request.apps ?? [...current.apps.keys()];
    const unknown = apps.filter((app) => !current.apps.has(app));
    if (unknown.length > 0) {
      problems.push(`host '${host}' has no app ${unknown.join(', ')} in the store; it has ${[...current.apps.keys()].join(', ')}`);
      continue;
    }
    const chosen = new Map<string, StoredApp>();
    const versions: string[] = [];
    for (const app of apps) {
      if (unknownCommit) break;
      const commit = named ?? (await previousCommit(request, host, app, current.apps.get(app)!.treeOid));
      if (typeof commit !== 'string') {
        problems.push(commit.problem);
        continue;
      }
      const found = await store.readApp(commit, host, app);
      if (!found) {
        problems.push(`commit ${commit.slice(0, 10)} has no app '${app}' on ${host}`);
        continue;
      }
      chosen.set(app, found);
      versions.push(`${app} to ${commit.slice(0, 10)}`);
    }
    stored.set(host, chosen);
    phrases.push(`${versions.join(', ')} on ${host}`);
  }
  if (problems.length > 0) throw new UsageError(`Cannot roll back:\n${problems.map((p) => `  ${p}`).join('\n')}`);

  const targets = await loadDeployed(store, stored);
  const desired = new Map(deployed);
  for (const [host, chosen] of targets) {
    const apps = new Map<string, AppSnapshot>(deployed.get(host)!.apps);
    for (const [app, snapshot] of chosen.apps) apps.set(app, snapshot);
    desired.set(host, { name: host, apps } satisfies HostSnapshot);
  }
  const plan = makePlan({ cluster: request.cluster, base: request.base, deployed, desired, limit: new Set(request.hosts) });

  // Read only when a revision is no longer on a host; then every file of the versions at once.
  let blobs: Promise<Map<string, Buffer>> | null = null;
  const content = async (host: string, app: string, path: string) => {
    blobs ??= store.readBlobs([...targets.values()].flatMap((h) => [...h.apps.values()].flatMap((a) => [...a.files.values()].map((f) => f.oid))));
    return (await blobs).get(desired.get(host)!.apps.get(app)!.files.get(path)!.oid)!;
  };
  return { plan, desired, content, title: `Roll back ${phrases.join('; ')}` };
}
