// What a deploy and a rollback apply, as the shared flow takes it: the plan, the desired
// state and where its contents come from, and how to plan again over a corrected store.
import { treeReader } from '../plan/load.js';
import { makePlan } from '../plan/plan.js';
import { planRollback, type RollbackRequest } from '../plan/rollback.js';
import type { RolloutPolicy } from '../tree/rollout.js';
import type { ClusterSnapshot, ConfigTree } from '../tree/types.js';
import type { ApplyTarget } from './apply.js';

/** The config tree deployed over what the store records (`limit`: only these hosts), under a rollout policy. */
export function deployTarget(
  tree: ConfigTree,
  deployed: ClusterSnapshot,
  base: string | null,
  options: { limit?: ReadonlySet<string>; rollout?: RolloutPolicy; lockedAtOnce?: number } = {},
): ApplyTarget {
  const plan = makePlan({ cluster: tree.cluster, base, deployed, desired: tree.hosts, ...options });
  return { plan, desired: tree.hosts, content: treeReader(tree.dir), sourceDir: tree.dir };
}

/** Stored versions put back (`previous`, or a store commit). */
export async function rollbackTarget(request: RollbackRequest): Promise<ApplyTarget> {
  const rollback = await planRollback(request);
  return { plan: rollback.plan, desired: rollback.desired, content: rollback.content, sourceDir: null, title: rollback.title };
}

/** Plans `first` again over a corrected store, for the hosts it planned (the ones that are locked). */
export function replanner(first: ApplyTarget, again: (deployed: ClusterSnapshot, base: string | null, hosts: ReadonlySet<string>) => Promise<ApplyTarget> | ApplyTarget) {
  const hosts = new Set(first.plan.hosts.map((h) => h.host));
  return async (deployed: ClusterSnapshot, base: string | null): Promise<ApplyTarget> => again(deployed, base, hosts);
}
