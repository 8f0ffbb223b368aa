// `deptool plan`: show what a deploy would change, as text, JSON or a PR comment body.
import { UsageError } from '../../errors.js';
import { planDigest, renderJson } from '../../plan/json.js';
import { loadPlanContents, treeReader } from '../../plan/load.js';
import { renderMarkdown } from '../../render/markdown.js';
import { sensitiveFiles } from '../../render/sensitive.js';
import { renderText } from '../../render/text.js';
import { listOption, type Parsed } from '../args.js';
import { planCluster } from '../context.js';
import { useColor, type Io } from '../io.js';

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
