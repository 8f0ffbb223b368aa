// An app's validate commands and health checks are part of the plan the reviewer approves:
// shown in the terminal plan and the PR comment, in the plan JSON, and covered by its digest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planDigest, planToJson } from '../../src/plan/json.js';
import { makePlan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { sensitiveFiles } from '../../src/render/sensitive.js';
import { renderText } from '../../src/render/text.js';
import type { ClusterSnapshot } from '../../src/tree/types.js';
import { snapshot } from '../helpers/snapshot.js';

const plan = (deployed: ClusterSnapshot, desired: ClusterSnapshot): Plan => makePlan({ cluster: 'prod', base: null, deployed, desired });

const CHECKS = [
  { http: 'http://127.0.0.1:8080/health', status: 200, contains: 'ok' },
  { tcp: '127.0.0.1:5432', within: 5 },
  { exec: ['/usr/bin/pg_isready', '-q'], within: 10, interval: 2, timeout: 3 },
];

function site(conf: string, manifest: object): ClusterSnapshot {
  return snapshot({ 'web/site/site.conf': conf, 'web/site/manifest.json': JSON.stringify(manifest) });
}

test('the plan lists what is validated before the flip and what is checked once the units are up, in that order', () => {
  const manifest = { validate: [['/usr/sbin/nginx', '-t', '-c', '{rev}/site.conf']], checks: CHECKS };
  const result = plan(site('a\n', manifest), site('b\n', manifest));
  assert.equal(
    renderText(result, { color: false }),
    [
      'web',
      '    update site',
      '        ~ site.conf',
      '        validate /usr/sbin/nginx -t -c {rev}/site.conf',
      '        check http://127.0.0.1:8080/health (status 200, body contains "ok", within 30 s)',
      '        check tcp 127.0.0.1:5432 (within 5 s)',
      '        check exec /usr/bin/pg_isready -q (within 10 s)',
      '',
      'Auto-rollback if deploy fails.',
      '',
    ].join('\n'),
  );
  const markdown = renderMarkdown(result, { get: () => ({ old: Buffer.from('a\n'), new: Buffer.from('b\n') }) }, { sensitive: sensitiveFiles([]), digest: planDigest(result) });
  assert.match(markdown, /\n {4}validate \/usr\/sbin\/nginx -t -c \{rev\}\/site\.conf\n {4}check http:\/\/127\.0\.0\.1:8080\/health \(status 200, body contains "ok", within 30 s\)\n/);
});

test('plan JSON has the checks with every default filled in, and the validate commands', () => {
  const result = plan(site('a\n', {}), site('b\n', { validate: [['/bin/true']], checks: CHECKS }));
  const app = (planToJson(result) as { hosts: { apps: Record<string, unknown>[] }[] }).hosts[0].apps[0];
  assert.deepEqual(app.validate, [['/bin/true']]);
  assert.deepEqual(app.checks, [
    { http: 'http://127.0.0.1:8080/health', status: 200, contains: 'ok', within: 30, interval: 1, timeout: 5 },
    { tcp: '127.0.0.1:5432', within: 5, interval: 1, timeout: 5 },
    { exec: ['/usr/bin/pg_isready', '-q'], within: 10, interval: 2, timeout: 3 },
  ]);
});

test('the digest covers the checks: a reviewer who approved one check did not approve another', () => {
  const before = site('a\n', {});
  const digest = (checks: object[]) => planDigest(plan(before, site('b\n', { checks })));
  assert.notEqual(digest([{ http: 'http://127.0.0.1:8080/health' }]), digest([{ http: 'http://127.0.0.1:8080/health', status: 204 }]));
  assert.notEqual(digest([{ tcp: '127.0.0.1:1' }]), digest([{ tcp: '127.0.0.1:1', within: 60 }]));
  // Without checks or validate commands the app has no such keys: older plans keep their digests.
  const plain = (planToJson(plan(before, site('b\n', {}))) as { hosts: { apps: Record<string, unknown>[] }[] }).hosts[0].apps[0];
  assert.equal('checks' in plain || 'validate' in plain, false);
});

test('a removed app is neither validated nor checked, so the plan shows neither', () => {
  const removed = plan(site('a\n', { validate: [['/bin/true']], checks: CHECKS }), snapshot({ 'web/other/x': 'x' }));
  const app = removed.hosts[0].apps.find((a) => a.app === 'site')!;
  assert.equal(app.action, 'remove');
  assert.equal(app.checks, undefined);
  assert.equal(app.validate, undefined);
});
