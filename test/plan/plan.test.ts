// The planner's rules beyond the tutorial: links, drop-ins, sysusers, modes, scope, and the digest.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { hostDigest, planDigest, planToJson } from '../../src/plan/json.js';
import { makePlan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import { renderText } from '../../src/render/text.js';
import type { ClusterSnapshot } from '../../src/tree/types.js';
import { loadConfigTree } from '../../src/tree/load.js';
import { snapshot } from '../helpers/snapshot.js';
import { tempDir, writeTree } from '../helpers/write-tree.js';

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

test('drop-ins are linked and unlinked like units, and the rollback undoes those links', () => {
  const before = snapshot({ 'web/ssh/systemd/ssh.service.d/old.conf': '[Service]\n' });
  const after = snapshot({ 'web/ssh/systemd/ssh.service.d/new.conf': '[Service]\n' });
  const result = plan(before, after);
  assert.deepEqual(result.hosts[0].apps[0].units.link, ['ssh.service.d/new.conf']);
  assert.deepEqual(result.hosts[0].apps[0].units.unlink, ['ssh.service.d/old.conf']);
  assert.equal(
    text(result),
    'web\n    update ssh\n        + systemd/ssh.service.d/new.conf\n        - systemd/ssh.service.d/old.conf\n' +
      '        unlink unit ssh.service.d/old.conf\n        link unit ssh.service.d/new.conf\n\nAuto-rollback if deploy fails.\n',
  );
  assert.deepEqual(result.hosts[0].rollback, { available: true, reasons: [] });
});

test('sysusers files are linked, and a changed one makes systemd-sysusers run', () => {
  const added = plan(new Map(), snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy - -' }));
  assert.deepEqual(added.hosts[0].apps[0].sysusers, { link: ['caddy.conf'], unlink: [] });
  assert.equal(added.hosts[0].apps[0].runSysusers, true);
  const changed = plan(snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy - -' }), snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy 900 -' }));
  assert.deepEqual(changed.hosts[0].apps[0].sysusers, { link: [], unlink: [] });
  assert.equal(changed.hosts[0].apps[0].runSysusers, true);
  const other = plan(snapshot({ 'web/caddy/Caddyfile': 'a', 'web/caddy/sysusers/caddy.conf': 'u' }), snapshot({ 'web/caddy/Caddyfile': 'b', 'web/caddy/sysusers/caddy.conf': 'u' }));
  assert.equal(other.hosts[0].apps[0].runSysusers, false);
});

test('rollback is unavailable when systemd-sysusers runs for an added or changed sysusers file, which a rollback does not undo', () => {
  const reason = 'it runs systemd-sysusers for caddy/sysusers/caddy.conf, and a rollback does not delete the users and groups it creates';
  const added = plan(new Map(), snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy - -' }));
  assert.deepEqual(added.hosts[0].rollback, { available: false, reasons: [reason] });
  assert.equal(
    text(added),
    'web (rollback unavailable)\n    add caddy\n        + sysusers/caddy.conf\n        link sysusers caddy.conf\n\nRollback unavailable for some hosts.\n' +
      '  web: it runs systemd-sysusers for caddy/sysusers/caddy.conf, and a rollback does not delete the users and groups it creates.\n',
  );
  const changed = plan(snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy - -' }), snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy 900 -' }));
  assert.deepEqual(changed.hosts[0].rollback.reasons, [reason]);
  // Removing one creates nobody: the rollback links it again and the host is as it was.
  const removed = plan(snapshot({ 'web/caddy/sysusers/caddy.conf': 'u caddy - -', 'web/caddy/f': '1' }), snapshot({ 'web/caddy/f': '1' }));
  assert.equal(removed.hosts[0].apps[0].runSysusers, true);
  assert.deepEqual(removed.hosts[0].rollback, { available: true, reasons: [] });
  // Not a file systemd-sysusers reads: no reason.
  const nested = plan(new Map(), snapshot({ 'web/caddy/notes/sysusers/x.conf': 'u' }));
  assert.equal(nested.hosts[0].rollback.available, true);
});

test('rollback stays available for what the agent undoes exactly: new links, re-pointed links, unit links and enablements', () => {
  const manifest = (source: string, units: string[]) => JSON.stringify({ systemd: { units_enabled: units }, symlinks: { '/etc/app.conf': source } });
  const unit = '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n';
  const repointed = plan(
    snapshot({ 'web/app/a.conf': '1', 'web/app/b.conf': '2', 'web/app/manifest.json': manifest('a.conf', []) }),
    snapshot({ 'web/app/a.conf': '1', 'web/app/b.conf': '2', 'web/app/manifest.json': manifest('b.conf', []) }),
  );
  assert.deepEqual(repointed.hosts[0].apps[0].symlinks, [{ target: '/etc/app.conf', change: 'link', source: 'b.conf', oldSource: 'a.conf' }]);
  assert.deepEqual(repointed.hosts[0].rollback, { available: true, reasons: [] });
  const added = plan(new Map(), snapshot({ 'web/app/a.conf': '1', 'web/app/systemd/a.service': unit, 'web/app/manifest.json': manifest('a.conf', ['a.service']) }));
  const app = added.hosts[0].apps[0];
  assert.deepEqual([app.units.link, app.units.enable, app.symlinks.map((l) => l.target)], [['a.service'], ['a.service'], ['/etc/app.conf']]);
  assert.deepEqual(added.hosts[0].rollback, { available: true, reasons: [] });
  assert.match(text(added), /^web\n[\s\S]*\nAuto-rollback if deploy fails\.\n$/);
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

test('quadlets are linked and unlinked, shown in the plan, and only plans that change them carry the key', () => {
  const container = '[Container]\nImage=docker.io/library/nginx\n';
  const added = plan(new Map(), snapshot({ 'web/site/quadlets/web.container': container, 'web/site/quadlets/data.volume': '[Volume]\n', 'web/site/index.html': 'a' }));
  assert.deepEqual(added.hosts[0].apps[0].quadlets, { link: ['data.volume', 'web.container'], unlink: [] });
  assert.equal(
    text(added),
    'web\n    add site\n        + index.html\n        + quadlets/data.volume\n        + quadlets/web.container\n' +
      '        link quadlet data.volume\n        link quadlet web.container\n\nAuto-rollback if deploy fails.\n',
  );
  const json = planToJson(added) as { hosts: { apps: Record<string, unknown>[] }[] };
  assert.deepEqual(json.hosts[0].apps[0].quadlets, { link: ['data.volume', 'web.container'], unlink: [] });

  // A changed quadlet keeps its link (it points through current) but the generator must run again.
  const changed = plan(snapshot({ 'web/site/quadlets/web.container': container }), snapshot({ 'web/site/quadlets/web.container': `${container}PublishPort=8080:80\n` }));
  assert.deepEqual(changed.hosts[0].apps[0].quadlets, { link: [], unlink: [] });
  assert.equal(text(changed), 'web\n    update site\n        ~ quadlets/web.container\n\nAuto-rollback if deploy fails.\n');

  const removed = plan(snapshot({ 'web/site/quadlets/web.container': container, 'web/site/f': '1' }), snapshot({ 'web/site/f': '1' }));
  assert.deepEqual(removed.hosts[0].apps[0].quadlets, { link: [], unlink: ['web.container'] });
  assert.match(text(removed), /^ {8}unlink quadlet web\.container$/m);

  // No quadlet changed: no key, in the plan or its JSON (so its digest is what it was).
  const other = plan(snapshot({ 'web/site/quadlets/web.container': container, 'web/site/f': '1' }), snapshot({ 'web/site/quadlets/web.container': container, 'web/site/f': '2' }));
  assert.equal('quadlets' in other.hosts[0].apps[0], false);
  assert.equal('quadlets' in (planToJson(other) as { hosts: { apps: Record<string, unknown>[] }[] }).hosts[0].apps[0], false);
  // The key is part of the digest: two plans differing only in it differ.
  const withKey = { ...added, hosts: [{ ...added.hosts[0], apps: [{ ...added.hosts[0].apps[0], quadlets: { link: [], unlink: [] } }] }] };
  assert.notEqual(planDigest(withKey), planDigest(added));
});

test('a unit restarted from a new quadlet makes rollback unavailable: the rollback unlinks the quadlet without stopping the unit', () => {
  const manifest = JSON.stringify({ systemd: { units_restarted: ['web.service'] } });
  const result = plan(new Map(), snapshot({ 'web/site/quadlets/web.container': '[Container]\n', 'web/site/manifest.json': manifest }));
  assert.deepEqual(result.hosts[0].rollback, {
    available: false,
    reasons: ['it starts web.service from the new quadlet site/quadlets/web.container, and a rollback removes the quadlet without stopping web.service'],
  });
  // Once the quadlet is there, a rollback flips it back and restarts the unit on the old file.
  const later = plan(
    snapshot({ 'web/site/quadlets/web.container': '[Container]\n', 'web/site/manifest.json': manifest }),
    snapshot({ 'web/site/quadlets/web.container': '[Container]\nImage=x\n', 'web/site/manifest.json': manifest }),
  );
  assert.equal(later.hosts[0].rollback.available, true);
});

test('an empty host dir plans the removal of every app on the host', async (t) => {
  const dir = await tempDir(t);
  await writeTree(dir, { 'prod/web': { dir: true }, 'prod/db/pg/pg.conf': 'x' });
  const tree = await loadConfigTree('prod', { cwd: dir });
  const deployed = snapshot({ 'web/caddy/Caddyfile': 'a', 'web/site/index.html': 'b', 'db/pg/pg.conf': 'x' });
  const result = plan(deployed, tree.hosts);
  assert.deepEqual(result.upToDate, ['db']);
  assert.deepEqual(result.untracked, []);
  assert.equal(text(result), 'web\n    remove caddy\n        - Caddyfile\n    remove site\n        - index.html\n\nAuto-rollback if deploy fails.\n');
  // A host whose dir is gone altogether is left alone.
  await writeTree(dir, { 'other/db/pg/pg.conf': 'x' });
  const gone = plan(deployed, (await loadConfigTree('other', { cwd: dir })).hosts);
  assert.deepEqual([gone.hosts, gone.untracked], [[], ['web']]);
});
