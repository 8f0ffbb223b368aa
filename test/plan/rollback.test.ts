// planRollback against a real store: named commits and previous versions.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadDeployed } from '../../src/plan/load.js';
import { planRollback } from '../../src/plan/rollback.js';
import { Store, type AppWrite } from '../../src/store/store.js';

const REF = 'refs/heads/prod';
const author = { name: 'Deptool Test', email: 'deptool@example.com' };

/** A store with two deploys of apps a and b on hosts h1 and h2; returns both commits. */
async function twoDeploys(t: TestContext): Promise<{ store: Store; first: string; second: string }> {
  const root = await mkdtemp(join(tmpdir(), 'deptool-rollback-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const store = await Store.init(join(root, 'store'));
  const record = async (parent: string | null, content: string): Promise<string> => {
    const file = join(root, `${content}.conf`);
    await writeFile(file, content);
    const oid = execFileSync('git', ['hash-object', file], { encoding: 'utf8' }).trim();
    const write: AppWrite = { files: new Map([['app.conf', { oid, executable: false, source: file }]]) };
    const apps = new Map([['a', write], ['b', write]]);
    return store.recordAttempt({
      ref: REF,
      parent,
      title: `Deploy ${content}`,
      results: [{ host: 'h1', status: 'deployed' }, { host: 'h2', status: 'deployed' }],
      writes: new Map([['h1', apps], ['h2', apps]]),
      author,
    });
  };
  const first = await record(null, 'one');
  const second = await record(first, 'two');
  return { store, first, second };
}

async function request(store: Store, to: string) {
  const base = await store.tip(REF);
  const deployed = await loadDeployed(store, await store.readTree(base));
  return { store, ref: REF, cluster: 'prod', base, deployed, hosts: ['h1', 'h2'], to };
}

test('a rollback to a named commit or to the previous version takes every app back to it', async (t) => {
  const { store, first } = await twoDeploys(t);
  const short = first.slice(0, 10);
  for (const to of [first.slice(0, 8), 'previous']) {
    const rollback = await planRollback(await request(store, to));
    assert.equal(rollback.title, `Roll back a to ${short}, b to ${short} on h1; a to ${short}, b to ${short} on h2`);
    assert.deepEqual(rollback.plan.hosts.map((h) => h.apps.map((a) => a.app)), [['a', 'b'], ['a', 'b']]);
    assert.equal((await rollback.content('h2', 'b', 'app.conf')).toString(), 'one');
  }
});

test('a commit the store does not have is one problem, not one per app', async (t) => {
  const { store } = await twoDeploys(t);
  await assert.rejects(planRollback(await request(store, 'deadbeef')), (error: Error) => {
    assert.equal(error.message, "Cannot roll back:\n  'deadbeef' is not a commit of the store; see 'deptool log'");
    return true;
  });
});
