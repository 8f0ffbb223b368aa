// The apply flow's decisions against fake hosts: all or nothing, refusals, hosts that moved, partial failures, dropped connections, Ctrl-C.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { hostState } from '../../src/deploy/steps.js';
import { git } from '../helpers/write-tree.js';
import { World, caddy, caddyFiles } from './world.js';

test('a first deploy activates every host and records it; the hosts then run what the store says', async (t) => {
  const world = await World.create(t, ['web1', 'web2']);
  await world.tree({ ...caddy('web1', 'one'), ...caddy('web2', 'one') });
  const { result, approvals } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'deployed'], ['web2', 'deployed']]);
  assert.deepEqual(approvals.map((a) => a.stage), ['initial']);
  assert.equal(result.commit, await world.tip());
  const state = await world.state();
  for (const name of ['web1', 'web2']) {
    const host = world.host(name);
    assert.equal(host.locked, false);
    assert.deepEqual(host.usageErrors, []);
    assert.equal(host.file('caddy', 'Caddyfile'), 'one');
    assert.deepEqual(JSON.parse(host.state), hostState(state.deployed.get(name)));
    assert.deepEqual(host.received[0].steps.map((s) => s[0]), ['flip', 'link', 'link', 'daemon-reload', 'enable', 'verify', 'status', 'state']);
    assert.deepEqual([...host.enabled], ['caddy.service']);
  }
  const again = await world.deploy();
  assert.deepEqual(again.result.outcomes, []);
  assert.equal(world.host('web1').sessions, 1, 'nothing to do contacts no host');
});

/** Three hosts that run `one`, with a config tree that changes all three to `two`. */
async function threeHosts(t: TestContext, extra: Record<string, string> = {}) {
  const world = await World.create(t, ['web1', 'web2', 'web3']);
  await world.tree({ ...caddy('web1', 'one'), ...caddy('web2', 'one'), ...caddy('web3', 'one') });
  await world.deploy();
  await world.tree({ ...caddy('web1', 'two'), ...caddy('web2', 'two'), ...caddy('web3', 'two'), ...extra });
  return { world, before: await world.tip() };
}

const refusals: { name: string; extra?: Record<string, string>; make: (world: World) => void; says: RegExp[] }[] = [
  {
    name: 'its /etc/hostname names another machine',
    make: (world) => {
      world.host('web2').hostname = 'db1';
    },
    says: [/^\/etc\/hostname says 'db1', expected 'web2': is this the right machine\? If it is, set "hostname" for it in deptool\.json\.$/],
  },
  {
    name: 'it is degraded',
    make: (world) => {
      world.host('web2').system = 'degraded';
      world.host('web2').failedUnits = ['backup.service', 'logrotate.service'];
    },
    says: [/^system is degraded \(failed: backup\.service, logrotate\.service\); fix it or pass --allow-degraded$/],
  },
  {
    name: 'another deploy holds its lock',
    make: (world) => {
      world.host('web2').busy = 'alice@desk 1700000000 77';
    },
    says: [/^locked by another deploy: alice@desk since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \(pid 77\)$/],
  },
  {
    name: 'an activation in flight outlasted the wait',
    make: (world) => {
      world.host('web2').busy = 'activation 20240501120000-abcdef is still running after 420 s';
    },
    says: [/^an activation is still running on the host: 20240501120000-abcdef is still running after 420 s; try again when it has ended$/],
  },
  {
    name: 'it cannot be reached',
    make: (world) => {
      world.host('web2').unreachable = true;
    },
    says: [/connection refused/],
  },
  {
    name: 'its connection drops before it is locked',
    make: (world) => {
      world.host('web2').dropAt = 'before-ready';
    },
    says: [/the connection was lost/],
  },
  {
    name: 'an app ships a unit the host already has outside deptool',
    extra: { 'web2/ssh/systemd/ssh.service': '[Service]\nExecStart=/usr/sbin/sshd -D\n' },
    make: (world) => {
      world.host('web2').foreignUnits.set('ssh.service', '/lib/systemd/system/ssh.service');
    },
    says: [
      /^app 'ssh' ships systemd\/ssh\.service, but the host already has its own ssh\.service \(\/lib\/systemd\/system\/ssh\.service\); deptool manages only units it made and will not replace it\. /,
      /To change the host's unit, ship a drop-in instead: ssh\/systemd\/ssh\.service\.d\/override\.conf\.$/,
    ],
  },
  {
    name: 'a file was edited by hand',
    make: (world) => {
      world.host('web2').edit('caddy', 'Caddyfile', 'edited by hand');
    },
    says: [
      /^the host was changed outside deptool \(drift\): caddy\/Caddyfile was changed on the host\. /,
      /Run 'deptool sync --limit web2' to accept the host as it is, or 'deptool deploy --overwrite-drift --limit web2' to replace the edits\.$/,
    ],
  },
];

for (const refusal of refusals) {
  test(`one host refused because ${refusal.name}: no host is activated, nothing is recorded, every host is released`, async (t) => {
    const { world, before } = await threeHosts(t, refusal.extra);
    refusal.make(world);
    const { result, approvals } = await world.deploy();
    assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'unchanged'], ['web2', 'refused'], ['web3', 'unchanged']]);
    const problems = result.outcomes[1].problems;
    assert.equal(problems.length, 1, problems.join('\n'));
    for (const pattern of refusal.says) assert.match(problems[0], pattern);
    assert.equal(result.commit, null);
    assert.equal(await world.tip(), before, 'nothing recorded');
    assert.deepEqual(approvals.map((a) => a.stage), ['initial']);
    for (const host of world.hosts.values()) {
      assert.equal(host.received.length, 1, `${host.name} got no activation but the first deploy's`);
      assert.equal(host.locked, false, `${host.name} is released`);
      assert.deepEqual(host.usageErrors, []);
      assert.equal(host.file('caddy', 'Caddyfile'), host.name === 'web2' && refusal.name.includes('edited') ? 'edited by hand' : 'one');
    }
  });
}

test('the session asks each host about the units its plan links, and only those', async (t) => {
  const { world } = await threeHosts(t, { 'web2/caddy/systemd/caddy-api.service': '[Service]\nExecStart=/bin/true\n' });
  const { result } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'deployed', 'deployed']);
  const session = world.host('web2').commands.filter((argv) => argv[1] === 'session').at(-1)!;
  assert.deepEqual(session.slice(2, 6), ['tester@laptop', '420', '--unit', 'caddy-api.service']);
  assert.ok(!world.host('web1').commands.at(-1)!.includes('--unit'), 'web1 links no new unit');
});

test('--allow-degraded deploys to a degraded host', async (t) => {
  const { world } = await threeHosts(t);
  world.host('web2').system = 'degraded';
  const { result } = await world.deploy({ settings: { allowDegraded: true } });
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'deployed', 'deployed']);
  assert.equal(world.host('web2').file('caddy', 'Caddyfile'), 'two');
});

test('a dry run locks and checks every host, then changes and records nothing', async (t) => {
  const { world, before } = await threeHosts(t);
  const { result } = await world.deploy({ settings: { dryRun: true } });
  assert.deepEqual(result.outcomes.map((o) => o.status), ['unchanged', 'unchanged', 'unchanged']);
  assert.equal(await world.tip(), before);
  for (const host of world.hosts.values()) {
    assert.equal(host.sessions, 2);
    assert.equal(host.received.length, 1);
    assert.equal(host.locked, false);
  }
});

test('a host that moved is read back: its revision is downloaded and verified, recorded as a Sync commit first, and the corrected plan approved again', async (t) => {
  const { world, before } = await threeHosts(t);
  // Another operator's store deployed `other` to web2.
  const moved = world.host('web2').seed(caddyFiles('other')).get('caddy')!;
  const { result, approvals } = await world.deploy();

  assert.deepEqual(world.host('web2').requests.filter((r) => r[0] === 'export'), [['export', 'caddy', moved]]);
  assert.ok(result.synced);
  assert.deepEqual(result.synced.hosts.map((h) => h.host), ['web2']);
  assert.match(result.synced.hosts[0].detail, new RegExp(`^the host runs caddy ${moved}; the store said caddy [0-9a-f]{10}$`));
  const [attempt, sync, first] = await world.log();
  assert.equal(first.commit, before);
  assert.equal(sync.commit, result.synced.commit);
  assert.equal(sync.title, 'Sync web2');
  assert.deepEqual(sync.results.map((r) => [r.host, r.status]), [['web2', 'synced']]);
  assert.equal(git(world.store.gitDir, ['show', `${sync.commit}:web2/caddy/Caddyfile`]), 'other', 'the Sync commit records what the host runs');
  assert.equal(git(world.store.gitDir, ['rev-parse', `${attempt.commit}^`]), sync.commit, 'the deploy is recorded on top of the Sync commit');

  assert.deepEqual(approvals.map((a) => a.stage), ['initial', 'corrected']);
  const corrected = approvals[1].target.plan;
  assert.equal(corrected.base, sync.commit);
  assert.equal(corrected.hosts.find((h) => h.host === 'web2')!.apps[0].oldRev, moved);
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'deployed'], ['web2', 'deployed'], ['web3', 'deployed']]);
  assert.equal(world.host('web2').file('caddy', 'Caddyfile'), 'two');
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'two');
});

test('a unit that only the corrected plan links is checked too: one the host has outside deptool refuses every host', async (t) => {
  const { world, before } = await threeHosts(t);
  // web2 was reinstalled: it runs nothing of deptool's, and has a caddy.service of its own.
  world.host('web2').seed({});
  world.host('web2').foreignUnits.set('caddy.service', '/lib/systemd/system/caddy.service');
  const { result } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'unchanged'], ['web2', 'refused'], ['web3', 'unchanged']]);
  assert.match(result.outcomes[1].problems.join('\n'), /^app 'caddy' ships systemd\/caddy\.service, but the host already has its own caddy\.service \(\/lib\/systemd\/system\/caddy\.service\)/);
  assert.deepEqual(world.host('web2').requests.filter((r) => r[0] === 'units'), [['units', 'caddy.service']]);
  const [sync, first] = await world.log();
  assert.equal(first.commit, before);
  assert.equal(sync.title, 'Sync web2', 'what web2 runs is recorded all the same');
  for (const host of world.hosts.values()) {
    assert.equal(host.received.length, 1, `${host.name} got no activation`);
    assert.equal(host.locked, false);
  }
});

test('a moved host whose export does not match its checksums is refused, and nothing changes anywhere', async (t) => {
  const { world, before } = await threeHosts(t);
  world.host('web2').seed(caddyFiles('other'));
  world.host('web2').tamperExports = true;
  const { result, approvals } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'unchanged'], ['web2', 'refused'], ['web3', 'unchanged']]);
  assert.match(result.outcomes[1].problems.join('\n'), /^caddy\/Caddyfile on web2 does not match its checksum$/);
  assert.equal(result.synced, null);
  assert.equal(await world.tip(), before, 'no Sync commit, no attempt');
  assert.deepEqual(approvals.map((a) => a.stage), ['initial']);
  for (const host of world.hosts.values()) {
    assert.equal(host.received.length, 1);
    assert.equal(host.locked, false);
  }
  assert.equal(world.host('web2').file('caddy', 'Caddyfile'), 'other');
});

test('declining the corrected plan changes no host but keeps the Sync commit', async (t) => {
  const { world } = await threeHosts(t);
  world.host('web2').seed(caddyFiles('other'));
  const { result, approvals } = await world.deploy({ approve: (_target, stage) => stage === 'initial' });
  assert.deepEqual(approvals.map((a) => a.stage), ['initial', 'corrected']);
  assert.equal(result.declined, true);
  assert.ok(result.synced);
  assert.equal(await world.tip(), result.synced.commit);
  assert.equal(result.commit, null);
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'other');
  assert.equal(await world.storedFile('web1', 'caddy', 'Caddyfile'), 'one');
  for (const host of world.hosts.values()) {
    assert.equal(host.received.length, 1);
    assert.equal(host.locked, false);
  }
});

test('a moved host that already runs the config tree is released without an activation; the others deploy', async (t) => {
  const { world } = await threeHosts(t);
  world.host('web2').seed(caddyFiles('two'));
  const { result, approvals, phases } = await world.deploy();
  assert.deepEqual(approvals.map((a) => [a.stage, a.target.plan.hosts.map((h) => h.host)]), [
    ['initial', ['web1', 'web2', 'web3']],
    ['corrected', ['web1', 'web3']],
  ]);
  assert.deepEqual(world.host('web2').requests.filter((r) => r[0] === 'export'), [], 'the config tree has that revision: no download');
  assert.ok(phases.includes('web2 up to date'));
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'deployed'], ['web2', 'unchanged'], ['web3', 'deployed']]);
  assert.equal(world.host('web2').received.length, 1);
  assert.equal(world.host('web2').locked, false);
  const [attempt, sync] = await world.log();
  assert.equal(sync.title, 'Sync web2');
  assert.equal(attempt.title, 'Update caddy on 2 hosts');
  assert.deepEqual(attempt.results.map((r) => r.host), ['web1', 'web3']);
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'two');
});

test('after a partial failure the store records each host as it is: rolled back, deployed, and skipped when the run was interrupted first', async (t) => {
  const { world, before } = await threeHosts(t);
  const old = (await world.stored('web1', 'caddy'))!.treeOid;
  world.host('web1').failNext = { result: 'rolled-back', step: 'verify' };
  const { result } = await world.deploy({
    onPhase: (host, phase, abort) => {
      if (host === 'web2' && phase === 'done') abort();
    },
  });
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'rolled-back'], ['web2', 'deployed'], ['web3', 'skipped']]);
  assert.equal(result.interrupted, true);
  const [attempt] = await world.log();
  assert.equal(attempt.commit, result.commit);
  assert.equal(git(world.store.gitDir, ['rev-parse', `${attempt.commit}^`]), before);
  assert.deepEqual(
    attempt.results.map((r) => [r.host, r.status]),
    [['web1', 'rolled-back'], ['web2', 'deployed'], ['web3', 'skipped']],
  );
  assert.match(attempt.results[0].detail ?? '', /caddy\.service failed \(as the test asked\)/);
  assert.equal(attempt.results[2].detail, 'not started: the run was interrupted');
  assert.equal((await world.stored('web1', 'caddy'))!.treeOid, old, 'a rolled-back host keeps its old subtree');
  assert.equal((await world.stored('web3', 'caddy'))!.treeOid, old, 'a skipped host keeps its old subtree');
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'two');
  assert.equal(world.host('web1').file('caddy', 'Caddyfile'), 'one');
  assert.equal(world.host('web1').current('caddy'), old.slice(0, 10));
  assert.equal(world.host('web1').state, world.host('web3').state, 'the rolled-back host keeps its record');
  assert.equal(world.host('web3').received.length, 1, 'web3 was never activated');
  for (const host of world.hosts.values()) assert.equal(host.locked, false);
});

test('Ctrl-C while hosts are being locked: nothing is activated or recorded, and every host is released', async (t) => {
  const { world, before } = await threeHosts(t);
  const { result } = await world.deploy({
    onPhase: (host, phase, abort) => {
      if (host === 'web1' && phase === 'locked') abort();
    },
  });
  assert.equal(result.interrupted, true);
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'skipped'], ['web2', 'skipped'], ['web3', 'skipped']]);
  assert.equal(result.commit, null);
  assert.equal(await world.tip(), before);
  assert.equal(world.host('web2').sessions, 1, 'no host is locked after the interruption');
  for (const host of world.hosts.values()) {
    assert.equal(host.received.length, 1);
    assert.equal(host.locked, false);
  }
});

test('Ctrl-C between hosts: the host in flight finishes and is recorded, the later ones are skipped and released', async (t) => {
  const { world } = await threeHosts(t);
  const { result } = await world.deploy({
    onPhase: (host, phase, abort) => {
      if (host === 'web1' && phase === 'activating') abort();
    },
  });
  assert.equal(result.interrupted, true);
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'deployed'], ['web2', 'skipped'], ['web3', 'skipped']]);
  const [attempt] = await world.log();
  assert.deepEqual(attempt.results.map((r) => [r.host, r.status]), [['web1', 'deployed'], ['web2', 'skipped'], ['web3', 'skipped']]);
  assert.equal(await world.storedFile('web1', 'caddy', 'Caddyfile'), 'two');
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'one');
  for (const name of ['web2', 'web3']) {
    assert.equal(world.host(name).received.length, 1);
    assert.equal(world.host(name).locked, false);
  }
});

test('a connection lost during the upload fails the host with "nothing changed" at once: its input never left whole, so no reconnect', async (t) => {
  const { world } = await threeHosts(t);
  const web2 = world.host('web2');
  const state = web2.state;
  web2.dropAt = 'upload';
  const { result, phases } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'deployed'], ['web2', 'failed'], ['web3', 'deployed']]);
  assert.equal(result.outcomes[1].problems[0], "the connection was lost while the activation's input was being sent; nothing changed on web2");
  assert.equal(result.outcomes[1].unchanged, true);
  assert.equal(web2.connections, 2, 'no reconnection after the drop (one for the first deploy, one for this one)');
  assert.deepEqual(phases.filter((p) => p.startsWith('web2 reconnecting')), []);
  assert.equal(web2.commands.filter((argv) => argv[1] === 'result').length, 0);
  assert.equal(web2.received.length, 1, 'the host never started an activation');
  assert.equal(web2.state, state);
  assert.equal(web2.file('caddy', 'Caddyfile'), 'one');
  assert.equal(web2.locked, false);
  const [attempt] = await world.log();
  assert.deepEqual(attempt.results.map((r) => [r.host, r.status]), [['web1', 'deployed'], ['web2', 'failed'], ['web3', 'deployed']]);
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'one');
});

test('a host whose connection was lost during the upload, alone, leaves no record: nothing changed anywhere', async (t) => {
  const { world } = await threeHosts(t);
  const before = await world.log();
  const web2 = world.host('web2');
  web2.dropAt = 'upload';
  const { result } = await world.deploy({ limit: ['web2'] });
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web2', 'failed']]);
  assert.equal(result.commit, null);
  assert.deepEqual((await world.log()).map((r) => r.commit), before.map((r) => r.commit));
});

test('a connection lost during the activation: its outcome is learned over a fresh session', async (t) => {
  const { world } = await threeHosts(t);
  const web2 = world.host('web2');
  web2.dropAt = 'activation';
  web2.failNext = { result: 'rolled-back', step: 'verify' };
  const { result, phases } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'deployed'], ['web2', 'rolled-back'], ['web3', 'deployed']]);
  const report = result.outcomes[1].activation!;
  assert.equal(report.rolledBack, true);
  assert.deepEqual(report.errors, ['caddy.service failed (as the test asked)']);
  assert.ok(phases.includes('web2 reconnecting: the connection dropped during the activation; attempt 1, for at most 60 s'));
  const id = web2.received[1].id;
  const asked = web2.commands.filter((argv) => argv[1] === 'result');
  assert.deepEqual(asked.map((argv) => argv.slice(4, 5)), [[id]], 'asked for the outcome of the activation it sent');
  assert.equal(web2.locked, false);
  const [attempt] = await world.log();
  assert.deepEqual(attempt.results.map((r) => [r.host, r.status]), [['web1', 'deployed'], ['web2', 'rolled-back'], ['web3', 'deployed']]);
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'one');
});

test('a connection lost during a successful activation: the host is recorded as deployed', async (t) => {
  const { world } = await threeHosts(t);
  world.host('web3').dropAt = 'activation';
  const { result } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'deployed', 'deployed']);
  assert.equal(await world.storedFile('web3', 'caddy', 'Caddyfile'), 'two');
  assert.equal(world.host('web3').file('caddy', 'Caddyfile'), 'two');
  assert.equal(world.host('web3').connections, 3);
});

test('an activation the host refuses before it starts fails the host with the host\'s reason', async (t) => {
  const { world } = await threeHosts(t);
  world.host('web2').refuseNext = 'cannot write /var/lib/deptool/tmp: No space left on device';
  const { result } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'failed', 'deployed']);
  assert.match(result.outcomes[1].problems.join('\n'), /the activation was refused before it started \(exit 3\): .*No space left on device/);
  assert.equal(world.host('web2').file('caddy', 'Caddyfile'), 'one');
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'one');
});

test('a host waiting for an activation in flight says so, then deploys', async (t) => {
  const { world } = await threeHosts(t);
  world.host('web2').waiting = { activation: '20240501120000-abcdef', holder: 'bob@desk 1700000000 99' };
  const { result, phases } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'deployed', 'deployed']);
  assert.ok(
    phases.some((p) => /^web2 waiting: activation 20240501120000-abcdef of bob@desk since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \(pid 99\) is still running on the host; waiting for it, at most 420 s$/.test(p)),
    phases.join('\n'),
  );
});

test('a host without this agent gets it installed, checksum-verified, then deploys', async (t) => {
  const { world } = await threeHosts(t);
  world.host('web2').installed = false;
  const { result, phases } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'deployed', 'deployed']);
  assert.ok(phases.includes('web2 installing agent'));
  assert.equal(world.host('web2').installed, true);
});

test('a config file changed on disk after the plan was made is not sent under the planned revision; nothing changes on the host', async (t) => {
  const { world } = await threeHosts(t);
  const { result } = await world.deploy({
    onPhase: (host, phase) => {
      if (host === 'web2' && phase === 'locked') writeFileSync(join(world.clusterDir, 'web2/caddy/Caddyfile'), 'not reviewed');
    },
  });
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'failed', 'deployed']);
  assert.match(result.outcomes[1].problems.join('\n'), /^caddy\/Caddyfile changed since the plan was made; run the command again to plan the new content; nothing changed on web2$/);
  assert.equal(world.host('web2').received.length, 1, 'no activation was sent');
  assert.deepEqual(world.host('web2').usageErrors, []);
  assert.equal(world.host('web2').file('caddy', 'Caddyfile'), 'one');
  assert.equal(result.recordError, null);
  assert.equal(await world.storedFile('web2', 'caddy', 'Caddyfile'), 'one');
});

test('a host moved to a revision the store has in its history is recorded without a download', async (t) => {
  const { world } = await threeHosts(t);
  await world.deploy();
  await world.tree({ ...caddy('web1', 'three'), ...caddy('web2', 'three'), ...caddy('web3', 'three') });
  // Another operator rolled web2 back to `one`, which the store recorded two deploys ago.
  const back = world.host('web2').seed(caddyFiles('one')).get('caddy')!;
  const { result } = await world.deploy();
  assert.deepEqual(world.host('web2').requests.filter((r) => r[0] === 'export'), []);
  assert.match(result.synced?.hosts[0].detail ?? '', new RegExp(`^the host runs caddy ${back}; `));
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'deployed', 'deployed']);
  const [, sync] = await world.log();
  assert.equal(git(world.store.gitDir, ['show', `${sync.commit}:web2/caddy/Caddyfile`]), 'one');
});

test('a revision the host still has is not uploaded again', async (t) => {
  const { world } = await threeHosts(t);
  await world.deploy();
  await world.tree({ ...caddy('web1', 'one'), ...caddy('web2', 'one'), ...caddy('web3', 'one') });
  const { result } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'deployed', 'deployed']);
  const last = world.host('web1').received.at(-1)!;
  assert.deepEqual(last.staged, [], 'the previous revision is on the host');
  assert.equal(last.steps[0][0], 'flip');
  assert.equal(world.host('web1').file('caddy', 'Caddyfile'), 'one');
});

test('hosts locked in parallel: one refusal still stops every host, and all are released', async (t) => {
  const { world, before } = await threeHosts(t);
  world.host('web3').hostname = 'db1';
  const { result } = await world.deploy({ settings: { parallel: 3 } });
  assert.deepEqual(result.outcomes.map((o) => o.status), ['unchanged', 'unchanged', 'refused']);
  assert.equal(await world.tip(), before);
  for (const host of world.hosts.values()) {
    assert.equal(host.received.length, 1);
    assert.equal(host.locked, false);
  }
});

test('a host from which another store removed an app is recorded without it, and the app is added again', async (t) => {
  const world = await World.create(t, ['web1']);
  await world.tree({ ...caddy('web1', 'one'), 'web1/api/server.conf': 'port 8080\n' });
  await world.deploy();
  world.host('web1').seed(caddyFiles('one'));
  const { result, approvals } = await world.deploy();
  assert.deepEqual(approvals, []);
  assert.deepEqual(result.outcomes, [], 'the plan from the store has nothing to do, so no host is contacted');
  await world.tree({ ...caddy('web1', 'two'), 'web1/api/server.conf': 'port 8080\n' });
  const next = await world.deploy();
  assert.deepEqual(next.approvals.map((a) => a.stage), ['initial', 'corrected']);
  const corrected = next.approvals[1].target.plan.hosts[0].apps.map((a) => [a.app, a.action]);
  assert.deepEqual(corrected, [['api', 'add'], ['caddy', 'update']]);
  const [, sync] = await world.log();
  assert.equal(sync.title, 'Sync web1');
  assert.equal(git(world.store.gitDir, ['ls-tree', '--name-only', sync.commit, 'web1/']), 'web1/caddy', 'the Sync commit removed the app');
  assert.deepEqual(next.result.outcomes.map((o) => o.status), ['deployed']);
  assert.equal(world.host('web1').file('api', 'server.conf'), 'port 8080\n');
});

test('the links of a moved host\'s own record are asked for, so a host that moved to other links is not taken for drift', async (t) => {
  const { world } = await threeHosts(t);
  const manifest = '{ "systemd": { "units_enabled": ["caddy.service"] }, "symlinks": { "/etc/caddy/main.conf": "Caddyfile" } }\n';
  world.host('web2').seed({ ...caddyFiles('other'), 'caddy/manifest.json': manifest });
  const { result } = await world.deploy();
  assert.deepEqual(world.host('web2').requests.filter((r) => r[0] === 'links'), [['links', '/etc/caddy/main.conf']]);
  assert.deepEqual(result.synced?.hosts.map((h) => h.host), ['web2']);
  assert.deepEqual(result.outcomes.map((o) => o.status), ['deployed', 'deployed', 'deployed']);
  assert.equal(world.host('web2').links.get('/etc/caddy/main.conf'), undefined, 'the deploy unlinked what the config tree no longer has');
  assert.equal(world.host('web2').links.get('/etc/caddy/Caddyfile'), '/var/lib/deptool/apps/caddy/current/Caddyfile');
});

// --- validate and dry run ---

const VALIDATED = JSON.stringify({
  systemd: { units_enabled: ['caddy.service'] },
  symlinks: { '/etc/caddy/Caddyfile': 'Caddyfile' },
  validate: [['/usr/bin/caddy', 'validate', '--config', '{rev}/Caddyfile']],
});

/** What a fake host runs: its apps' links and revisions, its links, enabled units and record. */
function hostView(world: World, name: string): string {
  const host = world.host(name);
  const apps = [...host.apps].map(([app, a]) => [app, a.current, a.previous, [...a.revisions.keys()].sort()]);
  return JSON.stringify({ apps, links: [...host.links], enabled: [...host.enabled], state: host.state });
}

test('a validate command that fails refuses its host with its output, nothing changed there; the other hosts deploy and are recorded', async (t) => {
  const { world } = await threeHosts(t, { 'web2/caddy/manifest.json': VALIDATED });
  const old = (await world.stored('web2', 'caddy'))!.treeOid;
  world.host('web2').failValidate = { status: 1, output: 'Error: adapting config: Caddyfile:1: unrecognized directive: two\n' };
  const before = hostView(world, 'web2');
  const { result } = await world.deploy();
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'deployed'], ['web2', 'refused'], ['web3', 'deployed']]);
  const web2 = result.outcomes[1];
  assert.deepEqual(web2.problems, ['validate caddy: /usr/bin/caddy validate --config {rev}/Caddyfile exited with status 1']);
  assert.equal(web2.unchanged, true);
  assert.deepEqual(web2.activation?.outputs, [{ step: 1, text: 'Error: adapting config: Caddyfile:1: unrecognized directive: two\n' }]);
  const sent = world.host('web2').received.at(-1)!;
  assert.deepEqual(sent.steps[0], ['validate', 'caddy', sent.staged[0].split('/')[1], '60', '/usr/bin/caddy', 'validate', '--config', '{rev}/Caddyfile']);
  assert.equal(hostView(world, 'web2'), before, 'web2 has its revisions, links and record as before: the staged revision is gone');
  const [attempt] = await world.log();
  assert.equal(attempt.commit, result.commit);
  assert.deepEqual(attempt.results.map((r) => [r.host, r.status]), [['web1', 'deployed'], ['web2', 'failed'], ['web3', 'deployed']]);
  assert.match(attempt.results[1].detail ?? '', /^validate caddy: /);
  assert.equal((await world.stored('web2', 'caddy'))!.treeOid, old, 'the store keeps what web2 runs');
  assert.equal(await world.storedFile('web1', 'caddy', 'Caddyfile'), 'two');
});

test('a validate command that fails on the only changed host records nothing; one that passes deploys', async (t) => {
  const world = await World.create(t, ['web1']);
  await world.tree(caddy('web1', 'one'));
  await world.deploy();
  const tip = await world.tip();
  await world.tree({ ...caddy('web1', 'two'), 'web1/caddy/manifest.json': VALIDATED });
  world.host('web1').failValidate = { status: 2, output: 'bad\n' };
  const refused = await world.deploy();
  assert.deepEqual(refused.result.outcomes.map((o) => o.status), ['refused']);
  assert.equal(refused.result.commit, null);
  assert.equal(await world.tip(), tip);
  assert.equal(world.host('web1').file('caddy', 'Caddyfile'), 'one');
  const passed = await world.deploy();
  assert.deepEqual(passed.result.outcomes.map((o) => o.status), ['deployed']);
  assert.equal(world.host('web1').received.at(-1)!.steps[0][0], 'validate');
  assert.equal(world.host('web1').file('caddy', 'Caddyfile'), 'two');
});

test('a dry run tries every host\'s activation in a scratch root, showing each step, then changes and records nothing', async (t) => {
  const { world, before } = await threeHosts(t);
  const views = [...world.hosts.keys()].map((name) => hostView(world, name));
  const { result } = await world.deploy({ settings: { dryRun: true } });
  assert.deepEqual(result.outcomes.map((o) => o.status), ['unchanged', 'unchanged', 'unchanged']);
  assert.equal(result.commit, null);
  assert.equal(await world.tip(), before);
  assert.deepEqual([...world.hosts.keys()].map((name) => hostView(world, name)), views);
  const report = result.outcomes[0].activation!;
  assert.match(report.scratch ?? '', /^\/var\/lib\/deptool\/dryrun\/\d{14}-[0-9a-f]{6}$/);
  const rev = world.host('web1').dryRuns[0].staged[0].split('/')[1];
  assert.deepEqual(report.steps?.map((s) => `${s.status} ${s.text}`), [`ok flip caddy to ${rev}`, 'skipped reenable caddy.service', 'skipped restart caddy.service', 'skipped verify caddy.service', 'skipped status caddy.service', 'ok write state.json']);
  for (const host of world.hosts.values()) {
    assert.equal(host.dryRuns.length, 1);
    assert.equal(host.received.length, 1, 'no activation');
    assert.equal(host.locked, false);
    assert.deepEqual(host.usageErrors, []);
  }
});

test('a dry run reports an adoption conflict and a failing validate command as the deploy would meet them, and changes nothing', async (t) => {
  const withMotd = JSON.stringify({ systemd: { units_enabled: ['caddy.service'] }, symlinks: { '/etc/caddy/Caddyfile': 'Caddyfile', '/etc/motd': 'Caddyfile' } });
  const { world, before } = await threeHosts(t, { 'web1/caddy/manifest.json': withMotd, 'web2/caddy/manifest.json': VALIDATED });
  world.host('web1').links.set('/etc/motd', '!');
  world.host('web1').differentFiles.add('/etc/motd');
  world.host('web2').failValidate = { status: 1, output: 'unrecognized directive: two\n' };
  const views = [...world.hosts.keys()].map((name) => hostView(world, name));
  const { result } = await world.deploy({ settings: { dryRun: true } });
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'refused'], ['web2', 'refused'], ['web3', 'unchanged']]);
  assert.deepEqual(result.outcomes[0].problems, ['/etc/motd exists with different content; move it away, or make it identical to adopt it']);
  assert.ok(result.outcomes[0].activation?.steps?.some((s) => s.status === 'failed' && s.text === 'link /etc/motd -> /var/lib/deptool/apps/caddy/current/Caddyfile'));
  assert.deepEqual(result.outcomes[1].problems, ['validate caddy: /usr/bin/caddy validate --config {rev}/Caddyfile exited with status 1']);
  assert.deepEqual(result.outcomes[1].activation?.outputs, [{ step: 1, text: 'unrecognized directive: two\n' }]);
  assert.deepEqual([...world.hosts.keys()].map((name) => hostView(world, name)), views);
  assert.equal(await world.tip(), before);
  for (const host of world.hosts.values()) assert.equal(host.locked, false);
});
