// A cluster directory given to any command becomes the default for the next ones, as in Deptool.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { runCli } from '../helpers/cli.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'deptool-default-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(work, path)), { recursive: true });
  await writeFile(join(work, path), content);
}

function recorded(store = join(work, '.deptool')): string | null {
  const result = spawnSync('git', ['--git-dir', store, 'config', '--get', 'deptool.cluster'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

test('a DIR given to plan becomes the default: the next plan without DIR plans that cluster', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/web1/caddy/Caddyfile', 'prod\n');
  await put('staging/web9/caddy/Caddyfile', 'staging\n');
  const given = await runCli(['plan', 'staging'], { cwd: work });
  assert.equal(given.code, 0, given.stderr);
  assert.equal(recorded(), 'staging');
  const next = await runCli(['plan'], { cwd: work });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(next.stdout, 'web9\n    add caddy\n        + Caddyfile\n\nAuto-rollback if deploy fails.\n');
});

test('every command that takes DIR records it, and uses it when DIR is left out', async () => {
  assert.equal((await runCli(['init'], { cwd: work })).code, 0);
  assert.equal(recorded(), null);
  // Clusters without hosts: no command needs to reach one.
  const commands = [['plan'], ['diff'], ['status'], ['log'], ['deploy', '--yes'], ['sync'], ['ping'], ['rollback', '--host', 'web1']];
  for (const [index, [command, ...rest]] of commands.entries()) {
    const cluster = `c${index}`;
    await mkdir(join(work, cluster));
    await runCli([command, cluster, ...rest], { cwd: work });
    assert.equal(recorded(), cluster, command);
  }
  const log = await runCli(['log'], { cwd: work });
  assert.equal(log.stdout, `No deploys recorded for cluster 'c${commands.length - 1}' yet.\n`);
});

test('a DIR in another directory is recorded relative to the store, so it works from anywhere', async () => {
  await mkdir(join(work, 'sub'));
  await runCli(['init'], { cwd: work });
  await put('clusters/prod/web1/caddy/Caddyfile', 'a\n');
  const env = { DEPTOOL_STORE: join(work, '.deptool') };
  assert.equal((await runCli(['status', '../clusters/prod'], { cwd: join(work, 'sub'), env })).code, 0);
  assert.equal(recorded(), 'clusters/prod');
  const status = await runCli(['status'], { cwd: work });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^web1 .*new host$/m);
});

test('a DIR that does not exist, or is no valid cluster name, is refused and not recorded', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  const missing = await runCli(['plan', 'prdo'], { cwd: work });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /prdo: cluster directory does not exist/);
  await mkdir(join(work, 'my cluster'));
  const invalid = await runCli(['status', 'my cluster'], { cwd: work });
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /my cluster/);
  assert.equal(recorded(), 'prod');
});
