// The planner's rules beyond the tutorial: links, drop-ins, sysusers, modes, scope, and the digest.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { hostDigest, planDigest, planToJson } from '../../src/plan/json.js';
import { makePlan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import { renderText } from '../../src/render/text.js';
import type { ClusterSnapshot } from '../../src/tree/types.js';
import { snapshot } from '../helpers/snapshot.js';

function plan(deployed: ClusterSnapshot, desired: ClusterSnapshot, limit?: string[]): Plan {
  return makePlan({ cluster: 'prod', base: null, deployed, desired, limit: limit && new Set(limit) });
}

const text = (p: Plan) => renderText(p, { color: false });

test('an unchanged app is not in the plan and its host is up to date', () => {
  const state = snapshot({ 'web/caddy/Caddyfile': 'a' });
  const result = plan(state, snapshot({ 'web/caddy/Caddyfile': 'a' }));
  assert.deepEqual(result.hosts, []);
  assert.deepEqual(result.upToDate, ['web']);
  assert.equal(text(result), "All hosts in cluster 'prod' are up to date.\n");
});

test('a change of the executable bit alone is a modification', () => {
  const result = plan(snapshot({ 'web/app/run.sh': 'x' }), snapshot({ 'web/app/run.sh': { content: 'x', executable: true } }));
  const file = result.hosts[0].apps[0].files[0];
  assert.equal(file.change, 'modify');
  assert.equal(file.old!.executable, false);
  assert.equal(file.new!.executable, true);
});

test('drop-ins are linked and unlinked like units, and a drop-in alone keeps rollback unavailable', () => {
  const before = snapshot({ 'web/ssh/systemd/ssh.service.d/old.conf': '[Service]\n' });
  const after = snapshot({ 'web/ssh/systemd/ssh.service.d/new.conf': '[Service]\n' });
  const result = plan(before, after);
  assert.deepEqual(result.hosts[0].apps[0].units.link, ['ssh.service.d/new.conf']);
  assert.deepEqual(result.hosts[0].apps[0].units.unlink, ['ssh.service.d/old.conf']);
  assert.equal(
    text(result),
    'web (rollback unavailable)\n    update ssh\n        + systemd/ssh.service.d/new.conf\n        - systemd/ssh.service.d/old.conf\n' +
      '        unlink unit ssh.service.d/old.conf\n        link unit ssh.service.d/new.conf\n\nRollback unavailable for some hosts.\n',
  );
  assert.deepEqual(result.hosts[0].rollback.reasons, ['links unit ssh.service.d/new.conf']);
});

test('sysusers files are linked, and a changed one makes systemd-sysusers run', () => {
  const added = plan(new Map(), snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy - -' }));
  assert.deepEqual(added.hosts[0].apps[0].sysusers, { link: ['caddy.conf'], unlink: [] });
  assert.equal(added.hosts[0].apps[0].runSysusers, true);
  const changed = plan(snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy - -' }), snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy 900 -' }));
  assert.deepEqual(changed.hosts[0].apps[0].sysusers, { link: [], unlink: [] });
  assert.equal(changed.hosts[0].apps[0].runSysusers, true);
  assert.equal(changed.hosts[0].rollback.available, true);
  const other = plan(snapshot({ 'web/caddy/Caddyfile': 'a', 'web/caddy/sysusers/caddy.conf': 'u' }), snapshot({ 'web/caddy/Caddyfile': 'b', 'web/caddy/sysusers/caddy.conf': 'u' }));
  assert.equal(other.hosts[0].apps[0].runSysusers, false);
});

test('a re-pointed symlink is a link with its old source and makes rollback unavailable', () => {
  const manifest = (source: string) => JSON.stringify({ symlinks: { '/etc/app.conf': source } });
  const result = plan(
    snapshot({ 'web/app/a.conf': '1', 'web/app/b.conf': '2', 'web/app/manifest.json': manifest('a.conf') }),
    snapshot({ 'web/app/a.conf': '1', 'web/app/b.conf': '2', 'web/app/manifest.json': manifest('b.conf') }),
  );
  assert.deepEqual(result.hosts[0].apps[0].symlinks, [{ target: '/etc/app.conf', change: 'link', source: 'b.conf', oldSource: 'a.conf' }]);
  assert.deepEqual(result.hosts[0].rollback.reasons, ['re-points /etc/app.conf']);
});

test('disabling a unit that stays linked keeps the link and restarts nothing', () => {
  const unit = '[Service]\nExecStart=/bin/true\n';
  const result = plan(
    snapshot({ 'web/app/systemd/a.service': unit, 'web/app/manifest.json': '{"systemd":{"units_enabled":["a.service"]}}' }),
    snapshot({ 'web/app/systemd/a.service': unit, 'web/app/manifest.json': '{"systemd":{"units_enabled":[]}}' }),
  );
  const units = result.hosts[0].apps[0].units;
  assert.deepEqual(units, { link: [], unlink: [], disable: ['a.service'], enable: [], restart: [] });
  assert.equal(result.hosts[0].rollback.available, true);
});

test('a new host is marked, and a host with only a plain file has its apps removed', () => {
  const deployed = snapshot({ 'web/caddy/Caddyfile': 'a' });
  const result = plan(deployed, snapshot({ 'db/pg/pg.conf': 'x' }, ['web']));
  assert.deepEqual(result.hosts.map((h) => [h.host, h.newHost, h.apps.map((a) => a.action)]), [
    ['db', true, ['add']],
    ['web', false, ['remove']],
  ]);
});

test('hosts in the store but not in the tree are left alone and reported', () => {
  const result = plan(snapshot({ 'old/caddy/Caddyfile': 'a', 'web/caddy/Caddyfile': 'a' }), snapshot({ 'web/caddy/Caddyfile': 'a' }));
  assert.deepEqual(result.hosts, []);
  assert.deepEqual(result.untracked, ['old']);
  assert.match(text(result), /host 'old' is in the store but not in the config tree; deptool leaves it alone/);
});

test('--limit restricts the plan to the named hosts', () => {
  const result = plan(new Map(), snapshot({ 'a/x/f': '1', 'b/x/f': '1', 'c/x/f': '1' }), ['a', 'c']);
  assert.deepEqual(result.hosts.map((h) => h.host), ['a', 'c']);
});

test('hosts, apps and files are sorted by bytes, independent of locale', () => {
  const result = plan(new Map(), snapshot({ 'web/app/b': '1', 'web/app/B': '1', 'web/app/a': '1', 'Web/app/x': '1' }));
  assert.deepEqual(result.hosts.map((h) => h.host), ['Web', 'web']);
  assert.deepEqual(result.hosts[1].apps[0].files.map((f) => f.path), ['B', 'a', 'b']);
});

test('the revision is the first 10 hex digits of the app tree id', () => {
  const desired = snapshot({ 'web/app/f': '1' });
  const result = plan(new Map(), desired);
  assert.equal(result.hosts[0].apps[0].newRev, desired.get('web')!.apps.get('app')!.treeOid.slice(0, 10));
  assert.match(result.hosts[0].apps[0].newRev, /^[0-9a-f]{10}$/);
});

test('the digest is stable, ignores the store commit, and changes with any file', () => {
  const deployed = snapshot({ 'web/app/f': '1' });
  const desired = snapshot({ 'web/app/f': '2' });
  const one = makePlan({ cluster: 'prod', base: 'a'.repeat(40), deployed, desired });
  const two = makePlan({ cluster: 'prod', base: 'b'.repeat(40), deployed, desired });
  assert.equal(planDigest(one), planDigest(two));
  const three = makePlan({ cluster: 'prod', base: null, deployed, desired: snapshot({ 'web/app/f': '3' }) });
  assert.notEqual(planDigest(one), planDigest(three));
  const otherCluster = makePlan({ cluster: 'staging', base: null, deployed, desired });
  assert.notEqual(planDigest(one), planDigest(otherCluster));
  // The canonical form documented in docs/plan-json.md, written out by hand.
  const app = one.hosts[0].apps[0];
  const entry = (e: { oid: string; size: number }) => `{"executable":false,"oid":"${e.oid}","size":${e.size}}`;
  const canonical =
    '{"cluster":"prod","hosts":[{"apps":[{"action":"update","app":"app","files":[{"change":"modify",' +
    `"new":${entry(app.files[0].new!)},"old":${entry(app.files[0].old!)},"path":"f"}],` +
    `"new_rev":"${app.newRev}","old_rev":"${app.oldRev}","symlinks":[],"sysusers":{"link":[],"run":false,"unlink":[]},` +
    '"units":{"disable":[],"enable":[],"link":[],"restart":[],"unlink":[]}}],"host":"web","new_host":false,' +
    '"rollback":{"available":true,"reasons":[]}}],"schema":1}';
  assert.equal(planDigest(one), `sha256:${createHash('sha256').update(canonical).digest('hex')}`);
});

test('a host digest is the first 128 bits of the digest of a plan holding only that host', () => {
  const deployed = snapshot({ 'web1/app/f': '1', 'web2/app/f': '1' });
  const desired = snapshot({ 'web1/app/f': '2', 'web2/app/f': '2' });
  const both = makePlan({ cluster: 'prod', base: 'a'.repeat(40), deployed, desired });
  const [web1, web2] = both.hosts;
  const alone = { ...both, hosts: [web1] };
  const expected = Buffer.from(planDigest(alone).slice('sha256:'.length, 'sha256:'.length + 32), 'hex').toString('base64url');
  assert.equal(hostDigest(both, web1), expected);
  assert.match(hostDigest(both, web1), /^[\w-]{22}$/);
  // The same changes on another host are another host's plan.
  assert.notEqual(hostDigest(both, web2), hostDigest(both, web1));
  // A host's digest does not depend on the other hosts of the plan, nor on the store commit.
  const later = makePlan({ cluster: 'prod', base: 'b'.repeat(40), deployed: snapshot({ 'web1/app/f': '1', 'web2/app/f': '2' }), desired });
  assert.deepEqual(later.hosts.map((h) => h.host), ['web1']);
  assert.equal(hostDigest(later, later.hosts[0]), hostDigest(both, web1));
  const changed = makePlan({ cluster: 'prod', base: null, deployed, desired: snapshot({ 'web1/app/f': '3', 'web2/app/f': '2' }) });
  assert.notEqual(hostDigest(changed, changed.hosts[0]), hostDigest(both, web1));
  assert.equal(hostDigest(changed, changed.hosts[1]), hostDigest(both, web2));
  assert.notEqual(hostDigest({ ...both, cluster: 'staging' }, web1), hostDigest(both, web1));
});

test('the JSON form lists each host with its digest, outside the plan digest', () => {
  const result = plan(snapshot({ 'web/app/f': '1' }), snapshot({ 'web/app/f': '2' }));
  const json = planToJson(result) as { digest: string; hosts: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(json.hosts[0]), ['host', 'digest', 'new_host', 'rollback', 'apps']);
  assert.equal(json.hosts[0].digest, hostDigest(result, result.hosts[0]));
  assert.equal(json.digest, planDigest(result));
});

test('the JSON form carries the schema, summary and per-file ids', () => {
  const result = plan(snapshot({ 'web/app/f': '1', 'web/app/g': '1' }), snapshot({ 'web/app/f': '2', 'web/app/h': '1' }));
  const json = planToJson(result) as Record<string, unknown>;
  assert.equal(json.schema, 1);
  assert.deepEqual(json.summary, {
    hosts_changed: 1,
    hosts_up_to_date: 0,
    apps: { add: 0, update: 1, remove: 0 },
    files: { add: 1, modify: 1, remove: 1 },
    rollback_unavailable: [],
  });
  const file = ((json.hosts as { apps: { files: { path: string; old: { oid: string } }[] }[] }[])[0].apps[0].files)[0];
  assert.equal(file.path, 'f');
  assert.match(file.old.oid, /^[0-9a-f]{40}$/);
});
