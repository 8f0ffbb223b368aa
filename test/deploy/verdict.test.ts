// The verdict in the protocol: what the driver sends `confirm`, what the activation log says of
// it (`confirm await`, `check`, `confirm ok`), and the steps that make a host wait for it.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { awaiting } from '../../src/deploy/deploy.js';
import { AgentReader, checkBlock, confirmCommand, oneLine, readActivation, verdictLines, type ActivationEvent, type CheckResult } from '../../src/deploy/protocol.js';
import { activationSteps } from '../../src/deploy/steps.js';
import { makePlan } from '../../src/plan/plan.js';
import type { ClusterSnapshot } from '../../src/tree/types.js';
import { snapshot } from '../helpers/snapshot.js';

function reader(text: string): AgentReader {
  const stream = new PassThrough();
  const r = new AgentReader(stream);
  stream.end(text);
  return r;
}

const FAILED: CheckResult = { app: 'site', kind: 'http', target: 'http://127.0.0.1:8080/', ok: false, summary: 'HTTP/1.1 500 Internal Server Error', excerpt: 'Traceback:\n  boom\n' };
const PASSED: CheckResult = { app: 'db', kind: 'tcp', target: 'tcp 127.0.0.1:5432', ok: true, summary: 'connected', excerpt: '' };

test('the verdict is the check results, one JSON line each, then ok or a one-line rejection naming the failing check', () => {
  assert.equal(verdictLines([]), 'ok\n');
  assert.equal(verdictLines([PASSED]), `check {"app":"db","kind":"tcp","target":"tcp 127.0.0.1:5432","ok":true,"summary":"connected","excerpt":""}\nok\n`);
  const lines = verdictLines([PASSED, FAILED]).split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[2], "reject check http://127.0.0.1:8080/ of app 'site' failed: HTTP/1.1 500 Internal Server Error");
  assert.equal(lines[3], '');
  assert.deepEqual(JSON.parse(lines[1].slice('check '.length)), FAILED, 'a newline in an excerpt stays inside its JSON line');
});

test('the activation log carries the verdict: the await event, the check results, and whether it was confirmed', async () => {
  const log = [
    'step 1 flip ok',
    'step 2 restart ok',
    'confirm await',
    'step 3 await ok',
    `check ${JSON.stringify(PASSED)}`,
    `check ${JSON.stringify(FAILED)}`,
    'check {not json',
    'check {"app":"x","kind":"ftp","target":"t","ok":true,"summary":"","excerpt":""}',
    'unit site.service active running success 0 healthy',
    'step 4 verify failed',
    "error the driver rejected the activation: check http://127.0.0.1:8080/ of app 'site' failed: HTTP/1.1 500 Internal Server Error",
    'rollback begin',
    'rollback end',
    '',
    'result rolled-back',
  ].join('\n');
  const events: ActivationEvent[] = [];
  const report = await readActivation(reader(`${log}\n`), Date.now() + 60_000, (event) => events.push(event));
  assert.deepEqual(events, ['await', 'rollback']);
  assert.deepEqual(report.checks, [PASSED, FAILED], 'lines that are not results are left out');
  assert.equal(report.confirmed, false);
  assert.equal(report.result, 'rolled-back');
  const confirmed = await readActivation(reader('confirm await\nconfirm ok\nresult ok\n'), Date.now() + 60_000);
  assert.deepEqual([confirmed.confirmed, confirmed.checks], [true, []]);
});

test('the CLI shows every check, a failed one with the start of its body or output', () => {
  const report = { checks: [PASSED, FAILED] } as unknown as Parameters<typeof checkBlock>[1];
  assert.equal(
    checkBlock('web', report),
    'web: checks\n  tcp 127.0.0.1:5432 (db): ok: connected\n  http://127.0.0.1:8080/ (site): failed: HTTP/1.1 500 Internal Server Error\n    | Traceback:\n    |   boom\n',
  );
  assert.equal(checkBlock('web', { checks: [] } as unknown as Parameters<typeof checkBlock>[1]), '');
});

test('a protocol line has no control characters and a bounded length', () => {
  assert.equal(oneLine('a\nb\r\n\tc\u0000d '), 'a b c d');
  assert.equal(oneLine('x'.repeat(500), 10), `${'x'.repeat(9)}…`);
});

test('confirm takes the activation, its nonce and how long to wait for the await step; no session', () => {
  assert.deepEqual(confirmCommand({ sudo: false, root: null }, 'a1', 'f'.repeat(32), 0).slice(1), ['confirm', 'a1', 'f'.repeat(32), '0']);
  assert.deepEqual(confirmCommand({ sudo: true, root: null }, 'a1', 'f'.repeat(32), 300).slice(0, 2), ['sudo', '-n']);
});

const SITE = (conf: string, manifest: object): ClusterSnapshot =>
  snapshot({
    'web/site/site.conf': conf,
    'web/site/manifest.json': JSON.stringify(manifest),
    'web/site/systemd/site.service': '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n',
  });

test('the host awaits the verdict right after its units (then host units) restarted, before verify', () => {
  const manifest = { systemd: { units_enabled: ['site.service'], units_restarted: ['ssh.service'], units_reloaded: ['nginx.service'] }, checks: [{ tcp: '127.0.0.1:80', within: 5, timeout: 2 }] };
  const deployed = SITE('a\n', manifest);
  const desired = SITE('b\n', manifest);
  const plan = makePlan({ cluster: 'prod', base: null, deployed, desired }).hosts[0];
  const wait = awaiting({ plan, desired: desired.get('web')! }, { timeoutSeconds: 30 }, false)!;
  assert.deepEqual([wait.connectSeconds, wait.verdictSeconds, wait.fresh, wait.checks.map((c) => c.app)], [30, 30 + 7 + 10, true, ['site']]);
  assert.match(wait.nonce, /^[0-9a-f]{32}$/);
  const steps = activationSteps(plan, deployed.get('web'), desired.get('web')!, { settleMs: 1000, await: wait }).map((s) => s.split('\t'));
  assert.deepEqual(steps.slice(-7), [
    ['restart', 'site.service'],
    ['restart', 'ssh.service'],
    ['reload', 'nginx.service'],
    ['await', wait.nonce, '30', '47'],
    ['verify', '1000', 'site.service', 'ssh.service', 'nginx.service'],
    ['status', 'site.service', 'ssh.service', 'nginx.service'],
    ['state'],
  ]);
});

test('what a host awaits: nothing on a sandbox, for a sync, or with confirmation off and no checks; with it off, the checks alone', () => {
  const deployed = SITE('a\n', {});
  const desired = SITE('b\n', {});
  const plan = makePlan({ cluster: 'prod', base: null, deployed, desired }).hosts[0];
  const work = { plan, desired: desired.get('web')! };
  assert.equal(awaiting(work, { timeoutSeconds: 30 }, true), null);
  assert.equal(awaiting(work, undefined, false), null);
  assert.equal(awaiting(work, { timeoutSeconds: 0 }, false), null);
  const steps = activationSteps(plan, deployed.get('web'), desired.get('web')!, { settleMs: 0, await: awaiting(work, { timeoutSeconds: 5 }, false)! });
  assert.deepEqual(steps.slice(-2).map((s) => s.split('\t')[0]), ['verify', 'state']);
  assert.ok(steps.some((s) => s.startsWith('await\t')));

  const withChecks = SITE('b\n', { checks: [{ exec: ['/bin/true'], within: 3, timeout: 1 }] });
  const checked = awaiting({ plan: makePlan({ cluster: 'prod', base: null, deployed, desired: withChecks }).hosts[0], desired: withChecks.get('web')! }, { timeoutSeconds: 0 }, false)!;
  assert.deepEqual([checked.fresh, checked.connectSeconds, checked.verdictSeconds], [false, 14, 14]);
});

test('a file-only change with confirmation on still awaits the verdict: verify waits with no units to poll', () => {
  const deployed = snapshot({ 'web/www/index.html': 'a' });
  const desired = snapshot({ 'web/www/index.html': 'b' });
  const plan = makePlan({ cluster: 'prod', base: null, deployed, desired }).hosts[0];
  const wait = awaiting({ plan, desired: desired.get('web')! }, { timeoutSeconds: 30 }, false)!;
  const steps = activationSteps(plan, deployed.get('web'), desired.get('web')!, { settleMs: 1000, await: wait }).map((s) => s.split('\t'));
  assert.deepEqual(steps, [['flip', 'www', plan.apps[0].newRev!], ['await', wait.nonce, '30', '30'], ['verify', '0'], ['state']]);
});

test('a host unit restarted by one app and reloaded by another is only restarted; one an app enables is not restarted twice', () => {
  const tree = (v: string) =>
    snapshot({
      'web/a/x': v,
      'web/a/manifest.json': '{ "systemd": { "units_restarted": ["nginx.service", "b.service"] } }',
      'web/b/x': v,
      'web/b/manifest.json': '{ "systemd": { "units_enabled": ["b.service"], "units_reloaded": ["nginx.service"] } }',
      'web/b/systemd/b.service': '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n',
    });
  const plan = makePlan({ cluster: 'prod', base: null, deployed: tree('1'), desired: tree('2') }).hosts[0];
  const steps = activationSteps(plan, tree('1').get('web'), tree('2').get('web')!, { settleMs: 0 }).map((s) => s.split('\t'));
  assert.deepEqual(steps.filter((s) => s[0] === 'restart' || s[0] === 'reload'), [['restart', 'b.service'], ['restart', 'nginx.service']]);
  assert.deepEqual(steps.find((s) => s[0] === 'verify'), ['verify', '0', 'b.service', 'nginx.service']);
});
