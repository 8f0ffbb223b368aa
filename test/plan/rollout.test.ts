// The rollout's stages and budget from its policy, how the plan shows it, and that the digest covers it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostDigest, planDigest, planToJson } from '../../src/plan/json.js';
import { makePlan } from '../../src/plan/plan.js';
import { planRollout } from '../../src/plan/rollout.js';
import { renderText } from '../../src/render/text.js';
import { NO_ROLLOUT, type RolloutPolicy } from '../../src/tree/rollout.js';
import { parseSettings } from '../../src/tree/settings.js';
import { snapshot } from '../helpers/snapshot.js';

const HOSTS = ['web1', 'web2', 'web3', 'web4', 'web5', 'web6'];
const policy = (p: Partial<RolloutPolicy>): RolloutPolicy => ({ ...NO_ROLLOUT, ...p });

test('without a policy there is no rollout: every host at once, and nothing to show', () => {
  assert.equal(planRollout(HOSTS, NO_ROLLOUT), null);
  assert.equal(planRollout(HOSTS), null);
});

test('a canary goes first, alone, then batches of the rest in plan order', () => {
  const rollout = planRollout(HOSTS, policy({ canary: { count: 1 }, batch: { count: 2 }, maxFailed: { count: 0 } }))!;
  assert.deepEqual(
    rollout.stages.map((s) => [s.kind, s.hosts]),
    [
      ['canary', ['web1']],
      ['batch', ['web2', 'web3']],
      ['batch', ['web4', 'web5']],
      ['batch', ['web6']],
    ],
  );
  assert.equal(rollout.maxFailed, 0);
  assert.equal(rollout.locking, 'all');
});

test('percentages are of the hosts being deployed: canary and batch round up to at least one host, the budget rounds down', () => {
  const rollout = planRollout(HOSTS, policy({ canary: { percent: 10 }, batch: { percent: 25 }, maxFailed: { percent: 34 } }))!;
  assert.deepEqual(rollout.stages.map((s) => s.hosts.length), [1, 2, 2, 1]);
  assert.equal(rollout.maxFailed, 2);
  const noCanary = planRollout(HOSTS, policy({ batch: { percent: 50 } }))!;
  assert.deepEqual(noCanary.stages.map((s) => [s.kind, s.hosts.length]), [['batch', 3], ['batch', 3]]);
  assert.equal(noCanary.maxFailed, 0, 'batches without a budget stop at the first failure');
  assert.equal(planRollout(HOSTS, policy({ pause: 5 }))!.maxFailed, null, 'one stage: no budget unless one is set');
  assert.equal(planRollout(HOSTS, NO_ROLLOUT, 4)!.maxFailed, null, 'locking by stage alone sets no budget');
});

test('a canary larger than the fleet is the whole fleet; a budget alone keeps one batch', () => {
  assert.deepEqual(planRollout(['a', 'b'], policy({ canary: { count: 5 } }))!.stages.map((s) => [s.kind, s.hosts]), [['canary', ['a', 'b']]]);
  assert.deepEqual(planRollout(HOSTS, policy({ maxFailed: { count: 1 } }))!.stages.map((s) => s.hosts.length), [6]);
});

test('a fleet larger than the driver holds at once is locked stage by stage, in stages no larger than that', () => {
  const rollout = planRollout(HOSTS, NO_ROLLOUT, 4)!;
  assert.equal(rollout.locking, 'per-stage');
  assert.deepEqual(rollout.stages.map((s) => s.hosts), [['web1', 'web2', 'web3', 'web4'], ['web5', 'web6']]);
});

function sixHosts(content: string) {
  return snapshot(Object.fromEntries(HOSTS.map((h) => [`${h}/site/index.html`, content])));
}

test('the terminal plan states the rollout before its footer', () => {
  const plan = makePlan({ cluster: 'prod', base: null, deployed: sixHosts('a'), desired: sixHosts('b'), rollout: policy({ canary: { count: 1 }, batch: { count: 2 }, maxFailed: { count: 1 }, pause: 30 }) });
  assert.match(
    renderText(plan, { color: false }),
    /\n\nRollout: canary web1 first, then 3 batches of up to 2 hosts; stops once more than 1 host failed; 30 s between stages\.\nEvery host is locked and checked before the first one changes\.\nAuto-rollback if deploy fails\.\n$/,
  );
  const atOnce = makePlan({ cluster: 'prod', base: null, deployed: sixHosts('a'), desired: sixHosts('b'), rollout: policy({ maxFailed: { count: 0 } }) });
  assert.match(renderText(atOnce, { color: false }), /^Rollout: all 6 hosts at once; stops at the first failed host\.$/m);
  const perStage = makePlan({ cluster: 'prod', base: null, deployed: sixHosts('a'), desired: sixHosts('b'), lockedAtOnce: 3 });
  assert.match(renderText(perStage, { color: false }), /^Each stage is locked and checked, all or nothing, before it changes \(too many hosts to hold at once\)\.$/m);
});

test('the plan digest covers the rollout, host digests too; a plan without one keeps its digest', () => {
  const base = makePlan({ cluster: 'prod', base: null, deployed: sixHosts('a'), desired: sixHosts('b') });
  const none = makePlan({ cluster: 'prod', base: null, deployed: sixHosts('a'), desired: sixHosts('b'), rollout: NO_ROLLOUT });
  const canary = makePlan({ cluster: 'prod', base: null, deployed: sixHosts('a'), desired: sixHosts('b'), rollout: policy({ canary: { count: 1 } }) });
  const twoCanaries = makePlan({ cluster: 'prod', base: null, deployed: sixHosts('a'), desired: sixHosts('b'), rollout: policy({ canary: { count: 2 } }) });
  assert.equal(planDigest(none), planDigest(base));
  assert.notEqual(planDigest(canary), planDigest(base));
  assert.notEqual(planDigest(canary), planDigest(twoCanaries));
  assert.notEqual(hostDigest(canary, canary.hosts[0]), hostDigest(base, base.hosts[0]), 'a reviewer approves the policy host by host too');
  const json = planToJson(canary) as { rollout: { canary: string; stages: { kind: string; hosts: string[] }[] } };
  assert.equal(json.rollout.canary, '1');
  assert.deepEqual(json.rollout.stages[0], { kind: 'canary', hosts: ['web1'] });
});

test('deptool.json rollout: counts and percentages, and errors with line and column', () => {
  const hosts = new Set(['web1']);
  const good = parseSettings('{ "rollout": { "canary": 1, "batch": "25%", "max_failed": 0, "pause": 5 } }', 'prod/deptool.json', hosts, 'prod');
  assert.deepEqual(good.issues, []);
  assert.deepEqual(good.settings.rollout, { canary: { count: 1 }, batch: { percent: 25 }, maxFailed: { count: 0 }, pause: 5 });
  const bad = parseSettings('{\n  "rollout": { "batch": 0, "canary": "150%", "max_failed": "some", "paus": 1 }\n}', 'prod/deptool.json', hosts, 'prod');
  assert.deepEqual(
    bad.issues.map((i) => `${i.line}:${i.column} ${i.message}`),
    [
      '2:25 `rollout.batch` must be a whole number of hosts from 1, or a percentage such as "25%", not the number 0',
      '2:38 `rollout.canary` must be a whole number of hosts from 0, or a percentage such as "25%", not the string "150%"',
      '2:60 `rollout.max_failed` must be a whole number of hosts from 0, or a percentage such as "25%", not the string "some"',
      '2:68 unknown key "paus" in `rollout`',
    ],
  );
  assert.match(bad.issues[3].hint ?? '', /Did you mean "pause"\?/);
});
