// Runs every test file under test/ with Node's test runner and the tsx loader.
// Node 20's --test does not expand globs, so the files are listed here.
// Usage: node scripts/test.mjs [--exclude DIR_OR_FILE]... [DIR_OR_FILE...]   (default: test/)
// `npm run test:unit` is `--exclude test/e2e`: every test that needs no root and no fleet.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const roots = [];
const excluded = [];
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg === '--exclude' || arg.startsWith('--exclude=')) {
    const value = arg === '--exclude' ? process.argv[++i] : arg.slice('--exclude='.length);
    if (!value) {
      console.error('--exclude needs a directory or file, e.g. --exclude test/e2e');
      process.exit(2);
    }
    // A mistyped path would exclude nothing and run tests the caller meant to leave out.
    if (!existsSync(value)) {
      console.error(`--exclude ${value}: no such file or directory`);
      process.exit(2);
    }
    excluded.push(normalize(value).replace(/\/+$/, ''));
  } else if (arg.startsWith('-')) {
    console.error(`Unknown option '${arg}'. Usage: node scripts/test.mjs [--exclude DIR_OR_FILE]... [DIR_OR_FILE...]`);
    process.exit(2);
  } else {
    roots.push(arg);
  }
}
const isExcluded = (file) => excluded.some((path) => file === path || file.startsWith(path + sep));
const files = (roots.length ? roots : ['test'])
  .flatMap((root) => (root.endsWith('.ts') ? [root] : find(root)))
  .map((file) => normalize(file))
  .filter((file) => !isExcluded(file))
  .sort();
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
