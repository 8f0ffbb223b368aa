// `syncHosts` against fake hosts: a host up to date is left alone, one that moved is recorded,
// hand-edited files are accepted and relabelled without a restart, hand-changed links are refused.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { HostState } from '../../src/deploy/steps.js';
import { World, caddy, caddyFiles } from './world.js';

/** Two hosts deployed with `one`, the config tree unchanged since. */
async function deployed(t: TestContext) {
  const world = await World.create(t, ['web1', 'web2']);
  await world.tree({ ...caddy('web1', 'one'), ...caddy('web2', 'one') });
  await world.deploy();
  return { world, before: await world.tip() };
}

test('hosts that run what the store says are left alone and nothing is recorded', async (t) => {
  const { world, before } = await deployed(t);
  const { result } = await world.sync();
  assert.deepEqual(result.hosts.map((h) => [h.host, h.status]), [['web1', 'up to date'], ['web2', 'up to date']]);
  assert.equal(result.commit, null);
  assert.equal(await world.tip(), before);
  for (const host of world.hosts.values()) {
    assert.equal(host.received.length, 1);
    assert.equal(host.locked, false);
    assert.deepEqual(host.requests.filter((r) => r[0] !== 'activate'), [], 'no links or export asked');
  }
});

test('a host another store deployed to is recorded as it runs, its revision downloaded and verified, and left running', async (t) => {
  const { world, before } = await deployed(t);
  const moved = world.host('web2').seed({ ...caddyFiles('other'), 'caddy/bin/reload': { content: '#!/bin/sh\n', executable: true } }).get('caddy')!;
  const { result } = await world.sync();
  assert.deepEqual(result.hosts.map((h) => [h.host, h.status]), [['web1', 'up to date'], ['web2', 'synced']]);
  assert.match(result.hosts[1].detail ?? '', new RegExp(`^the host runs caddy ${moved}; the store said caddy [0-9a-f]{10}$`));
  assert.deepEqual(result.hosts[1].accepted, []);
  assert.deepEqual(world.host('web2').requests.filter((r) => r[0] === 'export'), [['export', 'caddy', moved]]);
  const [sync] = await world.log();
  assert.equal(sync.commit, result.commit);
  assert.equal(sync.title, 'Sync web2');
  assert.deepEqual(sync.results.map((r) => [r.host, r.status]), [['web2', 'synced']]);
  const stored = (await world.stored('web2', 'caddy'))!;
  assert.equal(stored.treeOid.slice(0, 10), moved, 'the store names the revision the host runs');
  assert.equal(stored.files.get('bin/reload')?.executable, true);
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'other');
  assert.notEqual(await world.tip(), before);
  assert.equal(world.host('web2').received.length, 1, 'what runs is not touched');
  assert.equal(world.host('web2').locked, false);
  assert.deepEqual((await world.sync()).result.hosts.map((h) => h.status), ['up to date', 'up to date']);
});

test('a hand-edited file is accepted: recorded with its edited content, and the host relabelled without a restart', async (t) => {
  const { world } = await deployed(t);
  const web1 = world.host('web1');
  const old = web1.current('caddy')!;
  web1.edit('caddy', 'Caddyfile', 'edited by hand');
  const { result } = await world.sync();
  assert.deepEqual(result.hosts.map((h) => [h.host, h.status]), [['web1', 'synced'], ['web2', 'up to date']]);
  assert.deepEqual(result.hosts[0].accepted, ['caddy/Caddyfile was changed on the host']);
  assert.equal(await world.storedFile('web1', 'caddy', 'Caddyfile'), 'edited by hand');
  const rev = (await world.stored('web1', 'caddy'))!.treeOid.slice(0, 10);
  assert.notEqual(rev, old);
  const relabel = web1.received[1];
  assert.deepEqual(relabel.steps, [['flip', 'caddy', rev], ['state']], 'only flip and state: nothing restarts or is verified');
  assert.deepEqual(relabel.staged, [`caddy/${rev}`]);
  assert.equal((JSON.parse(relabel.state!) as HostState).apps.caddy.rev, rev);
  assert.equal(web1.current('caddy'), rev);
  assert.equal(web1.file('caddy', 'Caddyfile'), 'edited by hand');
  assert.equal(web1.locked, false);
  const again = await world.sync();
  assert.deepEqual(again.result.hosts.map((h) => h.status), ['up to date', 'up to date'], 'the host agrees with its record and the store now');
  assert.equal(again.result.commit, null);
});

test('a link changed by hand is refused with the way to put it back, and nothing is recorded', async (t) => {
  const { world, before } = await deployed(t);
  world.host('web2').links.set('/etc/caddy/Caddyfile', '/srv/caddy/Caddyfile');
  const { result } = await world.sync();
  assert.deepEqual(result.hosts.map((h) => [h.host, h.status]), [['web1', 'up to date'], ['web2', 'refused']]);
  assert.deepEqual(result.hosts[1].problems, [
    'link /etc/caddy/Caddyfile points to /srv/caddy/Caddyfile, not /var/lib/deptool/apps/caddy/current/Caddyfile: the config tree cannot say that, ' +
      "so sync cannot accept it. Run 'deptool deploy --overwrite-drift --limit web2' to put it back",
  ]);
  assert.equal(result.commit, null);
  assert.equal(await world.tip(), before);
  for (const host of world.hosts.values()) {
    assert.equal(host.received.length, 1);
    assert.equal(host.locked, false);
  }
});

test('a host is read whatever its health, but one that is not the expected machine is refused', async (t) => {
  const { world } = await deployed(t);
  world.host('web1').system = 'degraded';
  world.host('web2').hostname = 'db1';
  world.host('web1').seed(caddyFiles('other'));
  const { result } = await world.sync();
  assert.deepEqual(result.hosts.map((h) => [h.host, h.status]), [['web1', 'synced'], ['web2', 'refused']]);
  assert.match(result.hosts[1].problems[0], /^\/etc\/hostname says 'db1', expected 'web2'/);
  const [sync] = await world.log();
  assert.equal(sync.title, 'Sync web1');
});

test('Ctrl-C during a sync: the hosts read so far are recorded, the rest skipped', async (t) => {
  const { world } = await deployed(t);
  world.host('web1').seed(caddyFiles('other'));
  world.host('web2').seed(caddyFiles('other'));
  const { result } = await world.sync(undefined, (host, phase, abort) => {
    if (host === 'web1' && phase === 'syncing') abort();
  });
  assert.equal(result.interrupted, true);
  assert.deepEqual(result.hosts.map((h) => [h.host, h.status]), [['web1', 'synced'], ['web2', 'skipped']]);
  assert.equal((await world.log())[0].title, 'Sync web1');
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'one');
  assert.equal(world.host('web2').sessions, 1);
  for (const host of world.hosts.values()) assert.equal(host.locked, false);
});

test('a lost state.json is written again from what the host runs, without a restart', async (t) => {
  const { world } = await deployed(t);
  const web1 = world.host('web1');
  const state = web1.state;
  web1.state = '';
  const { result } = await world.sync();
  assert.deepEqual(result.hosts.map((h) => [h.host, h.status]), [['web1', 'synced'], ['web2', 'up to date']]);
  assert.deepEqual(result.hosts[0].accepted, ['/var/lib/deptool/state.json is missing although apps are deployed']);
  assert.deepEqual(web1.received.at(-1)!.steps, [['state']]);
  assert.deepEqual(JSON.parse(web1.state), JSON.parse(state));
});

test('a moved host whose download does not verify is refused and nothing is recorded', async (t) => {
  const { world, before } = await deployed(t);
  world.host('web2').seed(caddyFiles('other'));
  world.host('web2').tamperExports = true;
  const { result } = await world.sync();
  assert.deepEqual(result.hosts.map((h) => [h.host, h.status]), [['web1', 'up to date'], ['web2', 'refused']]);
  assert.deepEqual(result.hosts[1].problems, ['caddy/Caddyfile on web2 does not match its checksum']);
  assert.equal(await world.tip(), before);
  assert.equal(world.host('web2').locked, false);
});
