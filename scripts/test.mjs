// Runs every test file under test/ with Node's test runner and the tsx loader.
// Node 20's --test does not expand globs, so the files are listed here.
// Usage: node scripts/test.mjs [DIR...]   (default: test/)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap((root) => (root.endsWith('.ts') ? [root] : find(root))).sort();
if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}
// The Action's tests run dist/index.js as a runner would; build it so they never test a stale bundle.
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
