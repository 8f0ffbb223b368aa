// Writes docs/cli/*.md from the command registry (src/cli/registry.ts), the source of --help.
// Usage: node scripts/docs-cli.mjs   (test/cli/docs.test.ts fails when the pages differ from it)
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { cliDocs } = await import('../src/cli/help.ts');
const dir = join(import.meta.dirname, '..', 'docs', 'cli');
mkdirSync(dir, { recursive: true });
const pages = cliDocs();
// A page of a command that no longer exists would drift: remove it.
for (const name of readdirSync(dir)) if (name.endsWith('.md') && !pages.has(name)) rmSync(join(dir, name));
for (const [name, text] of pages) writeFileSync(join(dir, name), text);
console.log(`Wrote ${pages.size} pages to docs/cli/.`);
