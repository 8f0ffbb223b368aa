// The README's main job: deploys the example cluster (examples/prod) onto this machine
// through the local transport into a sandbox root, with a fresh store, using the built
// CLI (dist/cli.js). Needs no root: every absolute path lands under the sandbox.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'deptool-example-'));
const sandbox = join(work, 'sandbox');
const env = { ...process.env, DEPTOOL_STORE: join(work, '.deptool') };

function run(command, args) {
  console.log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const deptool = (...args) => run(process.execPath, [cli, ...args]);

// The sandbox stands in for the host: its /etc/hostname is what deptool checks.
mkdirSync(join(sandbox, 'etc'), { recursive: true });
writeFileSync(join(sandbox, 'etc', 'hostname'), 'webserver\n');

deptool('init');
deptool('deploy', 'examples/prod', '--root', sandbox, '--yes');
run('find', [join(sandbox, 'var/lib/deptool/apps'), join(sandbox, 'etc'), '-maxdepth', '3', '-not', '-name', '*.sha256']);
deptool('status', 'examples/prod');
deptool('log', 'examples/prod');
console.log(`\nThe sandbox is in ${sandbox}; the store in ${join(work, '.deptool')}.`);
