// `deptool deploy`: show the plan, confirm, then lock, check and activate every host,
// and record the attempt in the store.
import { loadPlanContents } from '../../plan/load.js';
import { deployTarget, replanner } from '../../deploy/targets.js';
import { APPLY_HELP, APPLY_OPTIONS, ROLLOUT_HELP, ROLLOUT_OPTIONS, apply, rolloutPolicy } from '../apply.js';
import { listOption, type CommandSpec, type Parsed } from '../args.js';
import { planCluster } from '../context.js';
import type { Io } from '../io.js';
import { sensitiveFiles } from '../../render/sensitive.js';
import { showDiff } from './diff.js';

export const spec: CommandSpec = {
  name: 'deploy',
  usage: 'deptool deploy [DIR] [--yes] [--limit HOST,...] [--dry-run] [--canary N] [--batch N] [--max-failed N] [--json]',
  summary:
    'Show the plan for the cluster DIR, ask for confirmation, then make every host match it:\n' +
    'lock and check all hosts first, stage the changed apps, activate them atomically, verify\n' +
    'the units and roll back a host by itself when one fails. Records the attempt in the store.',
  options: { ...APPLY_OPTIONS, ...ROLLOUT_OPTIONS, limit: { type: 'string', multiple: true }, 'overwrite-drift': { type: 'boolean' }, json: { type: 'boolean' } },
  optionHelp: [
    '--limit HOST,...  deploy only these hosts (repeatable)',
    '--overwrite-drift replace files and links edited by hand on the hosts instead of refusing',
    '                  them; the plan lists every edit it overwrites (see also deptool sync)',
    ...ROLLOUT_HELP,
    '--json            print the outcome as JSON on stdout (the plan and progress go to stderr);',
    '                  needs --yes or --dry-run',
    ...APPLY_HELP,
  ],
  maxPositionals: 1,
};

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
