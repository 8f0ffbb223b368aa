// `deptool rollback`: puts apps of one host back to their previous version (or to the
// version of a store commit) and records it as a new forward commit. The revision is
// normally still on the host, so this is a flip of `current` and a restart: O(1).
import { UsageError } from '../../errors.js';
import { rollbackTarget, replanner } from '../../deploy/targets.js';
import { loadPlanContents } from '../../plan/load.js';
import { sensitiveFiles } from '../../render/sensitive.js';
import { APPLY_HELP, APPLY_OPTIONS, apply } from '../apply.js';
import { listOption, type CommandSpec, type Parsed } from '../args.js';
import { openCluster } from '../context.js';
import type { Io } from '../io.js';
import { showDiff } from './diff.js';

export const spec: CommandSpec = {
  name: 'rollback',
  usage: 'deptool rollback [DIR] --host HOST [--app APP,...] [--to previous|COMMIT]',
  summary:
    "Put the apps of HOST (all, or those given with --app) back to their previous version, or to\n" +
    'their version in a store COMMIT (see deptool log). The revision is usually still on the host,\n' +
    'so this flips `current` back and restarts the units; it is recorded as a new commit.',
  options: { ...APPLY_OPTIONS, host: { type: 'string' }, app: { type: 'string', multiple: true }, to: { type: 'string' } },
  optionHelp: [
    '--host HOST       the host to roll back (required)',
    '--app APP,...     only these apps (repeatable; default: every app of the host)',
    "--to previous     each app's version before its last change (the default)",
    '--to COMMIT       the versions recorded in this store commit',
    ...APPLY_HELP,
  ],
  maxPositionals: 1,
};

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
