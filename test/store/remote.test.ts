// The Action's store branch against a real bare remote: fetch, push, and two runs racing to push.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { OperationError } from '../../src/errors.js';
import { checkPushAccess, fetchStore, publish, remoteTip, type RemoteBranch } from '../../src/store/remote.js';
import { Store, type Attempt } from '../../src/store/store.js';
import { git } from '../helpers/write-tree.js';

const REF = 'refs/heads/deptool/store';
const author = { name: 'deptool', email: 'deptool@example.com' };

async function setup(t: TestContext): Promise<{ root: string; remote: RemoteBranch; runner: (name: string) => Promise<Store>; attempt: (parent: string | null, host: string, content: string) => Promise<Attempt> }> {
  const root = await mkdtemp(join(tmpdir(), 'deptool-remote-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  git(root, ['init', '--bare', '--quiet', 'origin.git']);
  const remote = { url: join(root, 'origin.git'), branch: 'deptool/store' };
  const attempt = async (parent: string | null, host: string, content: string): Promise<Attempt> => {
    const file = join(root, 'src', host, content);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    const oid = git(root, ['hash-object', file]);
    return {
      ref: REF,
      parent,
      title: `Update app on ${host}`,
      results: [{ host, status: 'deployed' }],
      writes: new Map([[host, new Map([['app', { files: new Map([['conf', { oid, executable: false, source: file }]]) }]])]]),
      author,
    };
  };
  return { root, remote, runner: (name) => Store.init(join(root, name)), attempt };
}

test('a store branch that does not exist yet is fetched as empty and created by the first push', async (t) => {
  const { remote, runner, attempt } = await setup(t);
  const store = await runner('run1');
  assert.equal(await fetchStore(store, remote, REF), null);
  const published = await publish(store, remote, await attempt(null, 'web', 'one'));
  assert.equal(published.tries, 1);
  assert.equal(await remoteTip(store, remote), published.commit);
  const again = await runner('run2');
  assert.equal(await fetchStore(again, remote, REF), published.commit);
  assert.deepEqual([...(await again.readTree(published.commit)).keys()], ['web']);
});

test('two runs racing to push the store branch both land, one rebuilt on the other', async (t) => {
  const { remote, runner, attempt } = await setup(t);
  const seed = await runner('seed');
  await fetchStore(seed, remote, REF);
  const base = (await publish(seed, remote, await attempt(null, 'db', 'zero'))).commit;

  const [a, b] = [await runner('a'), await runner('b')];
  assert.equal(await fetchStore(a, remote, REF), base);
  assert.equal(await fetchStore(b, remote, REF), base);
  const [first, second] = await Promise.all([publish(a, remote, await attempt(base, 'web1', 'one')), publish(b, remote, await attempt(base, 'web2', 'two'))]);
  assert.deepEqual([first.tries, second.tries].sort(), [1, 2], 'exactly one run had to rebuild');

  const check = await runner('check');
  const tip = await fetchStore(check, remote, REF);
  assert.ok(tip === first.commit || tip === second.commit);
  assert.deepEqual([...(await check.readTree(tip)).keys()].sort(), ['db', 'web1', 'web2']);
  const titles = (await check.log(REF)).map((r) => r.title);
  assert.deepEqual(titles.slice(0, 2).sort(), ['Update app on web1', 'Update app on web2']);
  assert.equal(titles.length, 3, 'linear history: no merge commits, nothing lost');
});

test('a push refused for another reason than a race fails with what to do, naming the local record', async (t) => {
  const { root, remote, runner, attempt } = await setup(t);
  const store = await runner('run');
  await fetchStore(store, remote, REF);
  // A pre-receive hook stands in for a protected branch or a token without write access.
  const hook = join(root, 'origin.git', 'hooks', 'pre-receive');
  await writeFile(hook, '#!/bin/sh\necho "protected branch" >&2\nexit 1\n', { mode: 0o755 });
  await assert.rejects(publish(store, remote, await attempt(null, 'web', 'one')), (error: unknown) => {
    assert.ok(error instanceof OperationError);
    assert.match(error.message, /Cannot push the store branch 'deptool\/store'/);
    assert.match(error.message, /protected branch/);
    assert.match(error.message, /The deploy's record is commit [0-9a-f]{40}/);
    assert.match(error.message, /contents: write/);
    return true;
  });
  assert.equal(await remoteTip(store, remote), null, 'the remote is unchanged');
  assert.equal((await store.log(REF)).length, 1, 'retried pushes send the same record, never a second one');
});

test('an unreachable store remote is an error that says what to check', async (t) => {
  const { root, runner } = await setup(t);
  const store = await runner('run');
  await assert.rejects(fetchStore(store, { url: join(root, 'missing.git'), branch: 'deptool/store' }, REF), /Cannot read the store branch 'deptool\/store' of .*missing\.git.*\n.*contents: read/s);
});

test('push access is checked before a deploy: a remote that refuses pushes fails the check, a writable one passes', async (t) => {
  const { root, remote, runner, attempt } = await setup(t);
  const store = await runner('run');
  await fetchStore(store, remote, REF);
  const tip = (await publish(store, remote, await attempt(null, 'web', 'one'))).commit;
  await checkPushAccess(store, remote, tip);
  await checkPushAccess(store, remote, null);
  // Pushes diverted to a repository that does not exist, fetches untouched: what a read-only token gets.
  const readOnly = { ...remote, env: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${join(root, 'nowhere.git')}.pushInsteadOf`, GIT_CONFIG_VALUE_0: remote.url } };
  assert.equal(await remoteTip(store, readOnly), tip);
  await assert.rejects(checkPushAccess(store, readOnly, tip), /Cannot push to the store branch 'deptool\/store' of .*, so no host was changed: .*\n.*contents: write/s);
});
