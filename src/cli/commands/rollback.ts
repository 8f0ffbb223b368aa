// `deptool rollback`: puts apps of one host back to their previous version (or to the
// version of a store commit) and records it as a new forward commit. The revision is
// normally still on the host, so this is a flip of `current` and a restart: O(1).
import { UsageError } from '../../errors.js';
import { rollbackTarget, replanner } from '../../deploy/targets.js';
import { loadPlanContents } from '../../plan/load.js';
import { sensitiveFiles } from '../../render/sensitive.js';
import { apply } from '../apply.js';
import { listOption, type Parsed } from '../args.js';
import { openCluster } from '../context.js';
import type { Io } from '../io.js';
import { showDiff } from './diff.js';

export async function run(io: Io, args: Parsed): Promise<number> {
  const host = args.values.host as string | undefined;
  if (!host) throw new UsageError("rollback needs --host HOST.\nRun 'deptool rollback --help' for usage.");
  const cluster = await openCluster(io, { store: args.values.store as string | undefined, dir: args.positionals[0] });
  const { store, ref } = cluster;
  const request = {
    store,
    ref,
    cluster: cluster.tree.cluster,
    base: cluster.base,
    deployed: cluster.deployed,
    hosts: [host],
    apps: listOption(args.values.app),
    to: (args.values.to as string | undefined) ?? 'previous',
  };
  const target = await rollbackTarget(request);
  return apply(io, args, {
    cluster,
    store,
    ref,
    deployed: cluster.deployed,
    target,
    replan: replanner(target, (deployed, base) => rollbackTarget({ ...request, deployed, base })),
    showDiff: async (shown) =>
      showDiff(io, shown.plan, await loadPlanContents(shown.plan, store, shown.content), sensitiveFiles(cluster.settings.sensitivePaths, [cluster.deployed, shown.desired])),
  });
}
