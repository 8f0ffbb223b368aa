// docs/cli/*.md are generated from the command registry: regenerated here, they must equal the
// files in the repository (run `node scripts/docs-cli.mjs` after changing a command).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliDocs } from '../../src/cli/help.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { toHtml } from '../helpers/gfm.js';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'docs', 'cli');

test('docs/cli holds exactly the generated pages, each equal to what the registry gives', async () => {
  const pages = cliDocs();
  assert.deepEqual((await readdir(dir)).sort(), [...pages.keys()].sort(), "Run 'node scripts/docs-cli.mjs' to regenerate docs/cli/.");
  for (const [name, text] of pages) {
    assert.equal(await readFile(join(dir, name), 'utf8'), text, `docs/cli/${name} differs from the registry: run 'node scripts/docs-cli.mjs'.`);
  }
});

test('there is one page per command, and the index links each', () => {
  const pages = cliDocs();
  const index = pages.get('README.md')!;
  for (const command of COMMANDS) {
    assert.ok(pages.get(`${command.name}.md`)?.startsWith(`# deptool ${command.name}\n`), command.name);
    assert.match(index, new RegExp(`\\]\\(${command.name}\\.md\\)`));
  }
});

test('the pages render as GitHub does: every option listed, no stray HTML from <host> and such', () => {
  for (const [name, text] of cliDocs()) {
    const html = toHtml(text);
    assert.doesNotMatch(html.replace(/<\/?(h1|h2|p|ul|li|code|pre|a|table|thead|tbody|tr|th|td)( [^>]*)?>/g, ''), /<[a-z]/, name);
  }
  const deploy = toHtml(cliDocs().get('deploy.md')!);
  for (const option of COMMANDS.find((c) => c.name === 'deploy')!.options) assert.match(deploy, new RegExp(`<code>(-\\w, )?--${option.name}\\b`));
  assert.match(deploy, /DIR\/&lt;host&gt;\/&lt;app&gt;/);
});

test("the README's Commands section links the per-command pages", async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const commands = readme.slice(readme.indexOf('### Commands'), readme.indexOf('\n### ', readme.indexOf('### Commands') + 1));
  assert.match(commands, /\]\(docs\/cli\/(README\.md)?\)/);
});
