// The README's main job: plans the example cluster in examples/prod against a
// fresh store in a temporary directory, using the built CLI (dist/cli.js).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const store = mkdtempSync(join(tmpdir(), 'deptool-example-'));
const env = { ...process.env, DEPTOOL_STORE: join(store, '.deptool') };

function deptool(...args) {
  console.log(`$ deptool ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

try {
  deptool('init');
  deptool('plan', 'examples/prod');
  deptool('status', 'examples/prod');
} finally {
  rmSync(store, { recursive: true, force: true });
}
