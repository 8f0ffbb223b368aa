// The agent's side of the verdict under dash in a --root sandbox: the `await` and `reload` steps
// it accepts, and `confirm`, which brings the driver's verdict to an activation that awaits it.
// (Waiting for it, in verify, needs systemd: the fleet tests cover that.)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { tempDir } from '../helpers/write-tree.js';
import { SandboxAgent, activationTar, parseActivation, type Session } from './helpers.js';

const NONCE = '0123456789abcdef0123456789abcdef';

async function sandbox(t: TestContext): Promise<{ agent: SandboxAgent; session: Session; dir: (id: string) => string }> {
  const root = await tempDir(t);
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/hostname'), 'web\n');
  const agent = new SandboxAgent(root);
  const session = await agent.session('alice@laptop');
  t.after(() => session.close());
  return { agent, session, dir: (id) => join(root, 'var/lib/deptool/activations', id) };
}

/** An activation as the agent leaves it while it awaits the verdict: its steps, and `awaiting`. */
function awaitingActivation(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'steps'), `restart\tsite.service\nawait\t${NONCE}\t30\t30\nverify\t1000\tsite.service\n`);
  writeFileSync(join(dir, 'awaiting'), '');
}

test('await and reload steps are checked like any other before anything changes', async (t) => {
  const { agent, session } = await sandbox(t);
  const bad: [string[][], string][] = [
    [[['await', 'nonce', '30', '30']], 'error step 1 (await): bad nonce\n'],
    [[['await', NONCE, '0', '30']], "error step 1 (await): the waits must be seconds, the verdict's at least the connection's\n"],
    [[['await', NONCE, '30', '10']], "error step 1 (await): the waits must be seconds, the verdict's at least the connection's\n"],
    [[['await', NONCE, '30']], 'error step 1 (await): unknown step or wrong number of fields\n'],
    [[['reload', '../nginx.service']], 'error step 1 (reload): bad unit name\n'],
  ];
  for (const [steps, message] of bad) {
    const result = await agent.command(session, 'activate', ['bad', 60, 5], activationTar(steps));
    assert.deepEqual([result.code, result.stdout], [3, message]);
  }
  // In a sandbox no unit runs: the await step is skipped and nothing waits.
  const ok = await agent.command(session, 'activate', ['a1', 60, 5], activationTar([['reload', 'nginx.service'], ['await', NONCE, '30', '40'], ['verify', '0'], ['state']]));
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.deepEqual(parseActivation(ok.raw), { lines: ['step 1 reload skipped', 'step 2 await skipped', 'step 3 verify skipped', 'step 4 state ok'], statuses: [], outputs: [], result: 'ok' });
});

test('confirm brings ok and the check lines to an awaiting activation, and needs no session', async (t) => {
  const { agent, dir } = await sandbox(t);
  awaitingActivation(dir('a1'));
  const check = 'check {"app":"site","kind":"tcp","target":"tcp 127.0.0.1:5432","ok":true,"summary":"connected","excerpt":""}';
  const result = await agent.run(['confirm', 'a1', NONCE, '0'], `${check}\nok\n`);
  assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'connected\nconfirmed\n', '']);
  assert.ok(existsSync(join(dir('a1'), 'connected')));
  assert.ok(existsSync(join(dir('a1'), 'confirmed')));
  assert.ok(!existsSync(join(dir('a1'), 'rejected')));
  assert.equal(readFileSync(join(dir('a1'), 'checks'), 'utf8'), `${check}\n`);
});

test('a rejection leaves its reason for verify; a connection that ends without a verdict leaves none', async (t) => {
  const { agent, dir } = await sandbox(t);
  awaitingActivation(dir('a1'));
  const rejected = await agent.run(['confirm', 'a1', NONCE, '0'], "reject check http://127.0.0.1/ of app 'site' failed: HTTP/1.1 500 Internal Server Error\n");
  assert.deepEqual([rejected.code, rejected.stdout], [0, 'connected\nrejected\n']);
  assert.equal(readFileSync(join(dir('a1'), 'reason'), 'utf8'), "check http://127.0.0.1/ of app 'site' failed: HTTP/1.1 500 Internal Server Error\n");
  assert.ok(existsSync(join(dir('a1'), 'rejected')));

  awaitingActivation(dir('a2'));
  const cut = await agent.run(['confirm', 'a2', NONCE, '0'], '');
  assert.deepEqual([cut.code, cut.stdout], [0, 'connected\n']);
  assert.ok(existsSync(join(dir('a2'), 'connected')), 'a new connection did arrive');
  assert.ok(!existsSync(join(dir('a2'), 'confirmed')) && !existsSync(join(dir('a2'), 'rejected')), 'the activation still waits for the verdict');
});

test('confirm says the activation ended when it no longer waits, with its result when it has one', async (t) => {
  const { agent, session, dir } = await sandbox(t);
  const done = await agent.command(session, 'activate', ['a1', 60, 5], activationTar([['await', NONCE, '30', '30'], ['verify', '0'], ['state']]));
  assert.equal(done.code, 0);
  const ended = await agent.run(['confirm', 'a1', NONCE, '0'], 'ok\n');
  assert.deepEqual([ended.code, ended.stdout], [0, 'ended ok\n']);
  assert.ok(!existsSync(join(dir('a1'), 'confirmed')));

  awaitingActivation(dir('a2'));
  writeFileSync(join(dir('a2'), 'awaited'), '');
  const late = await agent.run(['confirm', 'a2', NONCE, '0'], 'ok\n');
  assert.deepEqual([late.code, late.stdout], [0, 'ended running\n']);
  assert.ok(!existsSync(join(dir('a2'), 'confirmed')), 'a verdict after the wait is over is not taken');
});

test('confirm that comes before the await step waits for it, at most as long as it was told', async (t) => {
  const { agent, dir } = await sandbox(t);
  awaitingActivation(dir('a1'));
  const early = join(dir('a1'), 'awaiting');
  rmSync(early);
  const waiting = agent.run(['confirm', 'a1', NONCE, '60'], 'ok\n');
  setTimeout(() => writeFileSync(early, ''), 300);
  const result = await waiting;
  assert.deepEqual([result.code, result.stdout], [0, 'connected\nconfirmed\n']);

  awaitingActivation(dir('a2'));
  rmSync(join(dir('a2'), 'awaiting'));
  const gaveUp = await agent.run(['confirm', 'a2', NONCE, '0'], 'ok\n');
  assert.deepEqual([gaveUp.code, gaveUp.stdout], [3, 'error activation a2 did not reach its await step within 0 s\n']);
});

test('confirm refuses a wrong nonce, an unknown activation and bad arguments, and changes nothing', async (t) => {
  const { agent, dir } = await sandbox(t);
  awaitingActivation(dir('a1'));
  const wrong = await agent.run(['confirm', 'a1', 'f'.repeat(32), '0'], 'ok\n');
  assert.deepEqual([wrong.code, wrong.stdout], [3, 'error activation a1 does not await this confirmation\n']);
  assert.ok(!existsSync(join(dir('a1'), 'connected')));
  const unknown = await agent.run(['confirm', 'nope', NONCE, '0'], 'ok\n');
  assert.deepEqual([unknown.code, unknown.stdout], [3, 'error no activation nope\n']);
  for (const args of [['a1', 'NONCE', '0'], ['a1', NONCE], ['a b', NONCE, '0'], ['a1', NONCE, 'soon']]) {
    assert.equal((await agent.run(['confirm', ...args], 'ok\n')).code, 2, args.join(' '));
  }
  const junk = await agent.run(['confirm', 'a1', NONCE, '0'], 'maybe\n');
  assert.equal(junk.code, 2);
  assert.ok(!existsSync(join(dir('a1'), 'confirmed')) && !existsSync(join(dir('a1'), 'rejected')));
});
