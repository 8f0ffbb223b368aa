// `deptool diff`: the full unified diff of what a deploy would change, through $PAGER on a terminal.
import { loadPlanContents, treeReader } from '../../plan/load.js';
import type { HostPlan, Plan, PlanContents } from '../../plan/types.js';
import { paint } from '../../render/color.js';
import { gitFileDiff, hostHeading } from '../../render/git-diff.js';
import { sensitiveFiles, sensitiveNotes, type IsSensitive } from '../../render/sensitive.js';
import { upToDateLine } from '../../render/text.js';
import { diffStat } from '../../render/unified-diff.js';
import { listOption, type Parsed } from '../args.js';
import { planCluster } from '../context.js';
import { useColor, type Io } from '../io.js';
import { show } from '../pager.js';


/**
 * The diff (or with `stat`, the per-file summary) of every changed file of the plan: per
 * host, a heading, then its files as `git diff` shows them (paths `<app>/<file>`); a
 * sensitive file shows sha256 prefixes instead of its content, and no line counts.
 */
export function diffText(plan: Plan, contents: PlanContents, stat: boolean, sensitive: IsSensitive, color = false): string {
  return stat ? statText(plan, contents, sensitive, color) : plan.hosts.map((host) => hostDiff(host, contents, sensitive, color)).join('\n');
}

function hostDiff(host: HostPlan, contents: PlanContents, sensitive: IsSensitive, color: boolean): string {
  const out = [`${hostHeading(host.host, color)}\n`];
  for (const app of host.apps) {
    for (const file of app.files) {
      const { old, new: next } = contents.get(host.host, app.app, file.path);
      const hidden = sensitive(host.host, app.app, file.path) ? sensitiveNotes(file, old, next) : undefined;
      out.push(gitFileDiff(`${app.app}/${file.path}`, file, old, next, { color, hidden }));
    }
  }
  return out.join('');
}

/** git's `--stat`, with `<host>/<app>/<file>` paths. */
function statText(plan: Plan, contents: PlanContents, sensitive: IsSensitive, color: boolean): string {
  const out: string[] = [];
  let added = 0;
  let removed = 0;
  let files = 0;
  for (const host of plan.hosts) {
    for (const app of host.apps) {
      for (const file of app.files) {
        const path = `${host.host}/${app.app}/${file.path}`;
        files += 1;
        if (sensitive(host.host, app.app, file.path)) {
          // Its lines are not counted: a count says something about a secret too.
          out.push(` ${path} | sensitive`);
          continue;
        }
        const { old, new: next } = contents.get(host.host, app.app, file.path);
        const counts = diffStat(old, next);
        added += counts.added;
        removed += counts.removed;
        const bar = `${paint(color, 'add', '+'.repeat(Math.min(counts.added, 40)))}${paint(color, 'remove', '-'.repeat(Math.min(counts.removed, 40)))}`;
        out.push(` ${path} | ${counts.binary ? 'binary' : `${counts.added + counts.removed} ${bar}`}`);
      }
    }
  }
  out.push(` ${files} file${files === 1 ? '' : 's'} changed, ${added} insertion${added === 1 ? '' : 's'}(+), ${removed} deletion${removed === 1 ? '' : 's'}(-)`);
  return `${out.join('\n')}\n`;
}

/** The plan's diff, coloured when stdout is, through the pager on a terminal: `deptool diff` and the prompts' `d`. */
export async function showDiff(io: Io, plan: Plan, contents: PlanContents, sensitive: IsSensitive, stat = false): Promise<void> {
  await show(io, diffText(plan, contents, stat, sensitive, useColor(io)));
}

export async function run(io: Io, args: Parsed): Promise<number> {
  const { plan, tree, store, settings, deployed } = await planCluster(io, {
    store: args.values.store as string | undefined,
    dir: args.positionals[0],
    limit: listOption(args.values.limit),
  });
  if (plan.hosts.length === 0) {
    io.stdout.write(`${upToDateLine(plan.cluster)}\n`);
    return 0;
  }
  const contents = await loadPlanContents(plan, store, treeReader(tree.dir));
  await showDiff(io, plan, contents, sensitiveFiles(settings.sensitivePaths, [deployed, tree.hosts]), args.values.stat === true);
  return 0;
}
