// `deptool diff`: the full unified diff of what a deploy would change, through $PAGER on a terminal.
import { spawn } from 'node:child_process';
import { loadPlanContents, treeReader } from '../../plan/load.js';
import type { Plan, PlanContents } from '../../plan/types.js';
import { sensitiveFiles, sensitiveNotes, type IsSensitive } from '../../render/sensitive.js';
import { upToDateLine } from '../../render/text.js';
import { diffHeader, diffStat, unifiedDiff } from '../../render/unified-diff.js';
import { listOption, type Parsed } from '../args.js';
import { planCluster } from '../context.js';
import type { Io } from '../io.js';

/** Pipes text into the user's pager; the command is split on spaces, never run by a shell. */
async function page(io: Io, text: string): Promise<void> {
  const [command, ...pagerArgs] = (io.env.PAGER ?? 'less').trim().split(/\s+/);
  if (!command || command === 'cat') {
    io.stdout.write(text);
    return;
  }
  await new Promise<void>((done) => {
    const child = spawn(command, pagerArgs, { stdio: ['pipe', 'inherit', 'inherit'], env: { LESS: 'FRX', ...io.env } });
    child.on('error', () => {
      io.stdout.write(text);
      done();
    });
    child.on('close', () => done());
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}

/**
 * The diff (or with `stat`, the per-file summary) of every changed file of the plan; a
 * sensitive file shows sha256 prefixes instead of its content, and no line counts.
 */
export function diffText(plan: Plan, contents: PlanContents, stat: boolean, sensitive: IsSensitive): string {
  const out: string[] = [];
  let added = 0;
  let removed = 0;
  let files = 0;
  for (const host of plan.hosts) {
    for (const app of host.apps) {
      for (const file of app.files) {
        const path = `${host.host}/${app.app}/${file.path}`;
        const { old, new: next } = contents.get(host.host, app.app, file.path);
        files += 1;
        if (sensitive(host.host, app.app, file.path)) {
          // Its lines are not counted: a count says something about a secret too.
          const notes = sensitiveNotes(file, old, next);
          if (stat) out.push(` ${path} | sensitive`);
          else if (notes.length > 0) out.push(`${diffHeader(path, old, next)}${notes.join('\n')}\n`);
        } else if (stat) {
          const counts = diffStat(old, next);
          added += counts.added;
          removed += counts.removed;
          const bar = `${'+'.repeat(Math.min(counts.added, 40))}${'-'.repeat(Math.min(counts.removed, 40))}`;
          out.push(` ${path} | ${counts.binary ? 'binary' : `${counts.added + counts.removed} ${bar}`}`);
        } else {
          out.push(unifiedDiff(path, old, next, { oldExecutable: file.old?.executable, newExecutable: file.new?.executable }));
        }
      }
    }
  }
  if (stat) {
    out.push(` ${files} file${files === 1 ? '' : 's'} changed, ${added} insertion${added === 1 ? '' : 's'}(+), ${removed} deletion${removed === 1 ? '' : 's'}(-)`);
  }
  return `${out.join('\n').replace(/\n*$/, '')}\n`;
}

/** Writes text to stdout, through the pager on a terminal. */
export async function show(io: Io, text: string): Promise<void> {
  if (io.stdout.isTTY) await page(io, text);
  else io.stdout.write(text);
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
  await show(io, diffText(plan, contents, args.values.stat === true, sensitiveFiles(settings.sensitivePaths, [deployed, tree.hosts])));
  return 0;
}
