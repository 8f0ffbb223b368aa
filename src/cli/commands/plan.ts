// `deptool plan`: show what a deploy would change, as text, JSON or a PR comment body.
import { UsageError } from '../../errors.js';
import { planDigest, renderJson } from '../../plan/json.js';
import { loadPlanContents, treeReader } from '../../plan/load.js';
import { renderMarkdown } from '../../render/markdown.js';
import { sensitiveFiles } from '../../render/sensitive.js';
import { renderText } from '../../render/text.js';
import { listOption, type CommandSpec, type Parsed } from '../args.js';
import { planCluster } from '../context.js';
import { useColor, type Io } from '../io.js';

export const spec: CommandSpec = {
  name: 'plan',
  usage: 'deptool plan [DIR] [--json | --markdown] [--limit HOST,...]',
  summary: 'Show what a deploy of the cluster DIR (default: the recorded cluster) would change.\nReads the config tree and the store only; no host is contacted.',
  options: {
    json: { type: 'boolean' },
    markdown: { type: 'boolean' },
    limit: { type: 'string', multiple: true },
    sensitive: { type: 'string', multiple: true },
  },
  optionHelp: [
    '--json            print the plan as JSON (schema: docs/plan-json.md), with its digest',
    '--markdown        print the plan as the pull-request comment body',
    '--limit HOST,...  plan only these hosts (repeatable)',
    '--sensitive GLOB  with --markdown: never show the content of matching files',
    '                  (globs over HOST/APP/PATH, repeatable; added to sensitive_paths',
    '                  in deptool.json)',
  ],
  maxPositionals: 1,
};

export async function run(io: Io, args: Parsed): Promise<number> {
  if (args.values.json && args.values.markdown) throw new UsageError('--json and --markdown cannot be combined.');
  const { plan, tree, store, settings, deployed } = await planCluster(io, {
    store: args.values.store as string | undefined,
    dir: args.positionals[0],
    limit: listOption(args.values.limit),
  });
  if (args.values.json) {
    io.stdout.write(renderJson(plan));
  } else if (args.values.markdown) {
    const contents = await loadPlanContents(plan, store, treeReader(tree.dir));
    const sensitive = sensitiveFiles([...settings.sensitivePaths, ...(listOption(args.values.sensitive) ?? [])], [deployed, tree.hosts]);
    io.stdout.write(renderMarkdown(plan, contents, { sensitive, digest: planDigest(plan) }));
  } else {
    io.stdout.write(renderText(plan, { color: useColor(io) }));
  }
  return 0;
}
