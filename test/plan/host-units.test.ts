// Host units an app restarts or reloads (`units_restarted`, `units_reloaded`): planned when the
// app changes, shown in every rendering, left out of plans that have none (their digests stay).
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

const MANIFEST = JSON.stringify({ symlinks: { '/etc/nginx/sites-enabled/site': 'site.conf' }, systemd: { units_reloaded: ['nginx.service'], units_restarted: ['ssh.service'] } });

function site(conf: string, manifest = MANIFEST): ClusterSnapshot {
  return snapshot({ 'web/site/site.conf': conf, 'web/site/manifest.json': manifest });
}

test('a changed app restarts and reloads its host units, shown after its own units', () => {
  const result = plan(site('a\n'), site('b\n'));
  assert.deepEqual(result.hosts[0].apps[0].hostUnits, { restart: ['ssh.service'], reload: ['nginx.service'] });
  assert.equal(renderText(result, { color: false }), 'web\n    update site\n        ~ site.conf\n        restart unit ssh.service (host)\n        reload unit nginx.service (host)\n\nAuto-rollback if deploy fails.\n');
  const json = planToJson(result) as { hosts: { apps: { host_units: unknown }[] }[] };
  assert.deepEqual(json.hosts[0].apps[0].host_units, { restart: ['ssh.service'], reload: ['nginx.service'] });
  const markdown = renderMarkdown(result, { get: () => ({ old: Buffer.from('a\n'), new: Buffer.from('b\n') }) }, { sensitive: sensitiveFiles([]), digest: planDigest(result) });
  assert.match(markdown, /\| `ssh\.service` \(host\), `nginx\.service` \(host, reload\) \|/);
  assert.match(markdown, /\n {4}restart unit ssh\.service \(host\)\n {4}reload unit nginx\.service \(host\)\n/);
});

test('an unchanged app restarts nothing, and a removed app restarts the host units its last manifest named', () => {
  assert.deepEqual(plan(site('a\n'), site('a\n')).hosts, []);
  const removed = plan(site('a\n'), snapshot({ 'web/other/x': 'x' }));
  const app = removed.hosts[0].apps.find((a) => a.app === 'site')!;
  assert.equal(app.action, 'remove');
  assert.deepEqual(app.hostUnits, { restart: ['ssh.service'], reload: ['nginx.service'] });
});

test('host units are not unit links: the plan neither links, enables nor disables them, and rollback stays as it was', () => {
  const result = plan(site('a\n', JSON.stringify({ systemd: { units_restarted: ['nginx.service'] } })), site('b\n', JSON.stringify({ systemd: { units_restarted: ['nginx.service'] } })));
  assert.deepEqual(result.hosts[0].apps[0].units, { link: [], unlink: [], disable: [], enable: [], restart: [] });
  assert.equal(result.hosts[0].rollback.available, true);
});

test('a plan without host units has no host_units key, so its digest is what it was before they existed', () => {
  const result = plan(snapshot({ 'web/site/a': '1' }), snapshot({ 'web/site/a': '2' }));
  assert.equal(result.hosts[0].apps[0].hostUnits, undefined);
  const json = planToJson(result) as { hosts: { apps: Record<string, unknown>[] }[] };
  assert.deepEqual(Object.keys(json.hosts[0].apps[0]).sort(), ['action', 'app', 'files', 'new_rev', 'old_rev', 'symlinks', 'sysusers', 'units']);
  const withUnits = plan(snapshot({ 'web/site/a': '1' }), snapshot({ 'web/site/a': '2', 'web/site/manifest.json': '{ "systemd": { "units_reloaded": ["nginx.service"] } }' }));
  assert.notEqual(planDigest(withUnits), planDigest(plan(snapshot({ 'web/site/a': '1' }), snapshot({ 'web/site/a': '2', 'web/site/manifest.json': '{}' }))));
});
