// Which files' contents are never shown: one decision for the CLI and the Action, rendered as sha256 prefixes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { makePlan } from '../../src/plan/plan.js';
import type { PlanContents } from '../../src/plan/types.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { sensitiveFiles } from '../../src/render/sensitive.js';
import type { ClusterSnapshot } from '../../src/tree/types.js';
import { snapshot } from '../helpers/snapshot.js';

const LOCKED = JSON.stringify({ permissions: { 'secrets/*': { mode: '0400', owner: 'caddy' }, 'Caddyfile': { mode: '0640' }, 'public.pem': { mode: '0644' } } });

const deployed = snapshot({
  'web/caddy/manifest.json': JSON.stringify({ permissions: { 'old.key': { mode: '0600' } } }),
  'web/caddy/old.key': 'OLD-SECRET\n',
  'web/caddy/Caddyfile': 'one\n',
});
const desired = snapshot({
  'web/caddy/manifest.json': LOCKED,
  'web/caddy/old.key': 'OLD-SECRET now public\n',
  'web/caddy/Caddyfile': 'two SECRET\n',
  'web/caddy/secrets/tls.key': 'KEY-SECRET\n',
  'web/caddy/public.pem': 'PUBLIC\n',
  'web/caddy/site.conf': 'plain\n',
  'web/api/.env': 'TOKEN=SECRET\n',
});

test('globs over host/app/path, dotfiles included, make files sensitive', () => {
  const sensitive = sensitiveFiles(['*/api/.env', 'web/*/site.*']);
  assert.equal(sensitive('web', 'api', '.env'), true);
  assert.equal(sensitive('web', 'caddy', 'site.conf'), true);
  assert.equal(sensitive('db', 'caddy', 'site.conf'), false);
  assert.equal(sensitive('web', 'caddy', 'public.pem'), false);
});

test('a mode without o+r makes a file sensitive, before or after the change', () => {
  const sensitive = sensitiveFiles([], [deployed, desired]);
  assert.equal(sensitive('web', 'caddy', 'secrets/tls.key'), true, '0400 after the change');
  assert.equal(sensitive('web', 'caddy', 'Caddyfile'), true, '0640 after the change');
  assert.equal(sensitive('web', 'caddy', 'old.key'), true, 'was 0600: its old content stays secret once it is made public');
  assert.equal(sensitive('web', 'caddy', 'public.pem'), false, '0644 is readable by others');
  assert.equal(sensitive('web', 'caddy', 'site.conf'), false, 'no rule: deptool\'s 0444');
  assert.equal(sensitive('web', 'api', '.env'), false);
  assert.equal(sensitiveFiles([], [desired])('web', 'caddy', 'old.key'), false, 'only the snapshots given count');
});

function contentsOf(before: ClusterSnapshot, after: ClusterSnapshot, text: Record<string, string>): PlanContents {
  const read = (cluster: ClusterSnapshot, host: string, app: string, path: string) => {
    const entry = cluster.get(host)?.apps.get(app)?.files.get(path);
    return entry === undefined ? null : Buffer.from(text[entry.oid]);
  };
  return { get: (host, app, path) => ({ old: read(before, host, app, path), new: read(after, host, app, path) }) };
}

test('the plan comment shows files that permissions keep from others as sha256 prefixes only', () => {
  const text: Record<string, string> = {};
  for (const content of ['OLD-SECRET\n', 'OLD-SECRET now public\n', 'one\n', 'two SECRET\n', 'KEY-SECRET\n', 'PUBLIC\n', 'plain\n', 'TOKEN=SECRET\n', LOCKED, JSON.stringify({ permissions: { 'old.key': { mode: '0600' } } })]) {
    const data = Buffer.from(content);
    text[createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex')] = content;
  }
  const plan = makePlan({ cluster: 'prod', base: null, deployed, desired });
  const markdown = renderMarkdown(plan, contentsOf(deployed, desired, text), { sensitive: sensitiveFiles(['*/api/.env'], [deployed, desired]), digest: 'sha256:0' });
  assert.ok(!markdown.includes('SECRET'), markdown);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
  assert.ok(markdown.includes(`\`+ caddy/secrets/tls.key\`: content added (sha256 ${sha('KEY-SECRET\n')})`), markdown);
  assert.ok(markdown.includes(`\`~ caddy/old.key\`: content changed (sha256 ${sha('OLD-SECRET\n')} → ${sha('OLD-SECRET now public\n')})`), markdown);
  assert.ok(markdown.includes('+PUBLIC'), 'a file others may read shows its diff');
});
