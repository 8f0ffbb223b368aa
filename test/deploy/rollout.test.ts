// Rollouts against fake hosts: a broken canary changes only the canary, a failure budget stops
// the batches after it, and a fleet too large to lock at once is locked stage by stage.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { NO_ROLLOUT, type RolloutPolicy } from '../../src/tree/rollout.js';
import { World, caddy } from './world.js';

const HOSTS = ['web1', 'web2', 'web3', 'web4', 'web5', 'web6'];

const everyHost = (content: string) => Object.assign({}, ...HOSTS.map((h) => caddy(h, content))) as ReturnType<typeof caddy>;

/** Six hosts that run `one`, with a config tree that changes all of them to `two`. */
async function sixHosts(t: TestContext) {
  const world = await World.create(t, HOSTS);
  await world.tree(everyHost('one'));
  await world.deploy();
  await world.tree(everyHost('two'));
  return world;
}

const policy = (p: Partial<RolloutPolicy>): RolloutPolicy => ({ ...NO_ROLLOUT, ...p });

test('a broken canary changes only the canary: every other host is skipped, released and recorded as skipped', async (t) => {
  const world = await sixHosts(t);
  world.host('web1').failNext = { result: 'rolled-back', step: 'verify' };
  const { result, approvals } = await world.deploy({ rollout: policy({ canary: { count: 1 }, batch: { count: 2 }, maxFailed: { count: 0 } }) });
  assert.deepEqual(
    result.outcomes.map((o) => [o.host, o.status]),
    HOSTS.map((h) => [h, h === 'web1' ? 'rolled-back' : 'skipped']),
  );
  assert.deepEqual(result.stopped, { stage: 1, kind: 'canary', failed: 1, maxFailed: 0 });
  assert.match(result.outcomes[1].problems[0], /^not started: the rollout stopped after its canary, with 1 failed host\(s\) against a budget of 0$/);
  assert.deepEqual(approvals[0].target.plan.rollout!.stages.map((s) => s.hosts.length), [1, 2, 2, 1], 'the approved plan showed the stages');
  for (const host of HOSTS.slice(1)) {
    assert.equal(world.host(host).received.length, 1, `${host} got no activation this time`);
    assert.equal(world.host(host).file('caddy', 'Caddyfile'), 'one');
    assert.equal(world.host(host).locked, false);
  }
  const [attempt] = await world.log();
  assert.deepEqual(
    attempt.results.map((r) => [r.host, r.status]),
    HOSTS.map((h) => [h, h === 'web1' ? 'rolled-back' : 'skipped']),
  );
});

test('batch 2, max_failed 1, two broken hosts: the batch that exceeds the budget finishes, the rest are skipped', async (t) => {
  const world = await sixHosts(t);
  world.host('web2').failNext = { result: 'rolled-back', step: 'verify' };
  world.host('web4').failNext = { result: 'failed', step: 'restart' };
  const { result } = await world.deploy({ rollout: policy({ batch: { count: 2 }, maxFailed: { count: 1 } }) });
  assert.deepEqual(
    result.outcomes.map((o) => [o.host, o.status]),
    [
      ['web1', 'deployed'],
      ['web2', 'rolled-back'],
      ['web3', 'deployed'],
      ['web4', 'failed'],
      ['web5', 'skipped'],
      ['web6', 'skipped'],
    ],
  );
  assert.deepEqual(result.stopped, { stage: 2, kind: 'batch', failed: 2, maxFailed: 1 });
  assert.equal(world.host('web5').received.length, 1);
  assert.equal(world.host('web3').file('caddy', 'Caddyfile'), 'two');
  assert.equal(await world.storedFile('web3', 'caddy', 'Caddyfile'), 'two');
  assert.equal(await world.storedFile('web5', 'caddy', 'Caddyfile'), 'one', 'a skipped host keeps its stored version');
});

test('within the budget every stage runs, in order, and nothing is stopped', async (t) => {
  const world = await sixHosts(t);
  world.host('web3').failNext = { result: 'rolled-back', step: 'verify' };
  const order: string[] = [];
  const { result } = await world.deploy({
    rollout: policy({ canary: { count: 1 }, batch: { percent: 50 }, maxFailed: { count: 1 } }),
    onPhase: (host, phase) => {
      if (phase === 'activating') order.push(host);
    },
  });
  assert.equal(result.stopped, null);
  assert.deepEqual(result.outcomes.filter((o) => o.status !== 'deployed').map((o) => o.host), ['web3']);
  assert.equal(order[0], 'web1', 'the canary goes first');
  assert.deepEqual(new Set(order.slice(1, 4)), new Set(['web2', 'web3', 'web4']), 'then the first batch, before the second');
});

test('a fleet too large to lock at once is locked stage by stage: a refused stage stops the rollout after the stages before it', async (t) => {
  const world = await sixHosts(t);
  world.host('web3').hostname = 'db1';
  const { result } = await world.deploy({ lockedAtOnce: 2 });
  assert.deepEqual(
    result.outcomes.map((o) => [o.host, o.status]),
    [
      ['web1', 'deployed'],
      ['web2', 'deployed'],
      ['web3', 'refused'],
      ['web4', 'unchanged'],
      ['web5', 'skipped'],
      ['web6', 'skipped'],
    ],
  );
  assert.notEqual(result.stopped, null);
  assert.equal(world.host('web5').sessions, 1, 'a later stage is not even locked');
  for (const host of HOSTS) assert.equal(world.host(host).locked, false);
  const [attempt] = await world.log();
  assert.deepEqual(attempt.results.map((r) => [r.host, r.status]).slice(0, 2), [
    ['web1', 'deployed'],
    ['web2', 'deployed'],
  ]);
});

test('a budget exceeded by the last stage stopped nothing: a one-host canary ends as its host did, with no stopped rollout', async (t) => {
  const world = await World.create(t, ['web1']);
  await world.tree(caddy('web1', 'one'));
  await world.deploy();
  await world.tree(caddy('web1', 'two'));
  world.host('web1').failNext = { result: 'rolled-back', step: 'verify' };
  const { result } = await world.deploy({ rollout: policy({ canary: { count: 1 } }) });
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'rolled-back']]);
  assert.equal(result.stopped, null, 'no host was left to stop');
});
