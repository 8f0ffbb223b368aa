// `deptool deploy`: show the plan, confirm, then lock, check and activate every host,
// and record the attempt in the store.
import { loadPlanContents } from '../../plan/load.js';
import { deployTarget, replanner } from '../../deploy/targets.js';
import { apply, rolloutPolicy } from '../apply.js';
import { listOption, type Parsed } from '../args.js';
import { planCluster } from '../context.js';
import type { Io } from '../io.js';
import { sensitiveFiles } from '../../render/sensitive.js';
import { showDiff } from './diff.js';

export async function run(io: Io, args: Parsed): Promise<number> {
  const planned = await planCluster(io, {
    store: args.values.store as string | undefined,
    dir: args.positionals[0],
    limit: listOption(args.values.limit),
  });
  const { tree, store } = planned;
  const rollout = rolloutPolicy(args, planned.settings.rollout);
  const target = deployTarget(tree, planned.deployed, planned.base, { limit: planned.limit, rollout });
  return apply(io, args, {
    cluster: planned,
    store,
    ref: planned.ref,
    deployed: planned.deployed,
    target,
    // Hand edits can be on hosts with nothing planned: those are checked too.
    alsoCheck: args.values['overwrite-drift'] === true ? planned.plan.upToDate : undefined,
    replan: replanner(target, (deployed, base, hosts) => deployTarget(tree, deployed, base, { limit: hosts, rollout })),
    showDiff: async (shown) =>
      showDiff(io, shown.plan, await loadPlanContents(shown.plan, store, shown.content), sensitiveFiles(planned.settings.sensitivePaths, [planned.deployed, shown.desired])),
  });
}
