// `deptool sync` on real hosts: a lost store rebuilt from what two hosts run (revisions the
// store lacks downloaded and verified, a tampered one refused), and hand edits: a deploy over
// them is refused with both remedies, and sync accepts file edits as they are without
// restarting anything, so the next plan shows the way back to the config tree.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import type { TreeSpec } from '../helpers/write-tree.js';
import { StoreView, activations, appView, served } from './inspect.js';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 2, hostnames: ['alpha', 'beta'] });

/** alpha runs a served site with a manifest symlink; beta two plain apps, one file executable. */
function tree(label: string): TreeSpec {
  return {
    'alpha/site/index.html': `site ${label}\n`,
    'alpha/site/site.conf': `conf ${label}\n`,
    'alpha/site/manifest.json': '{ "systemd": { "units_enabled": ["site.service"] }, "symlinks": { "/etc/site.conf": "site.conf" } }',
    'alpha/site/systemd/site.service': `[Unit]\nDescription=site\n[Service]\nWorkingDirectory=/var/lib/deptool/apps/site/current\nExecStart=/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1\n[Install]\nWantedBy=multi-user.target\n`,
    'beta/motd/motd': `hello ${label}\n`,
    'beta/tools/hello.sh': { content: `#!/bin/sh\necho ${label}\n`, executable: true },
  };
}

const sh = async (host: string, script: string) => {
  const result = await fx.fleet.exec(host, ['sh', '-c', script]);
  assert.equal(result.code, 0, `${script}: ${result.stderr}`);
  return result.stdout;
};

const UP_TO_DATE = "All hosts in cluster 'prod' are up to date.\n";

/** beta's motd revision with its file and its checksum line both changed: the host's own check passes, the revision id does not. */
const TAMPER = `set -e; d=/var/lib/deptool/apps/motd; r=$(readlink "$d/current"); f="$d/$r/motd"
cp -p "$f" /root/motd.orig; cp -p "$d/$r.sha256" /root/motd.sha256.orig
old=$(sha256sum "$f" | cut -d' ' -f1); echo tampered > "$f"; new=$(sha256sum "$f" | cut -d' ' -f1)
sed -i "s/^$old /$new /" "$d/$r.sha256"`;
const UNTAMPER = `set -e; d=/var/lib/deptool/apps/motd; r=$(readlink "$d/current")
cp -p /root/motd.orig "$d/$r/motd"; cp -p /root/motd.sha256.orig "$d/$r.sha256"`;

test('sync rebuilds a deleted store from two hosts, downloading and verifying their revisions, and refuses a tampered one', async () => {
  const store = new StoreView(fx.ws.store);
  await fx.ws.write(tree('v1'));
  const deployed = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
  const lost = store.tree(store.tip()!);
  const pid = (await appView(fx.fleet, 'alpha', 'site', 'site.service')).mainPid;
  const ran = { alpha: activations(fx.fleet, 'alpha'), beta: activations(fx.fleet, 'beta') };

  await rm(fx.ws.store, { recursive: true });
  const init = await fx.ws.deptool('init', 'prod');
  assert.equal(init.code, 0, init.stderr);
  assert.equal(store.tip(), null);
  // The config tree has moved on: every revision the hosts run must come from the hosts.
  await fx.ws.write(tree('v2'));

  await sh('beta', TAMPER);
  try {
    // The host's own check (what the agent runs) passes.
    await sh('beta', 'd=/var/lib/deptool/apps/motd; r=$(readlink "$d/current"); cd "$d/$r" && sha256sum -c --quiet --strict "../$r.sha256"');
    const refused = await fx.ws.deptool('sync', '--limit', 'beta');
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /^ {2}beta: refused: the files of revision [0-9a-f]{10} of app 'motd' on beta hash to [0-9a-f]{10}, not to their revision$/m);
    assert.equal(store.tip(), null, 'nothing was recorded');
  } finally {
    await sh('beta', UNTAMPER);
  }

  const sync = await fx.ws.deptool('sync');
  assert.equal(sync.code, 0, sync.stdout + sync.stderr);
  assert.match(sync.stdout, /^Recorded what 2 hosts run as commit [0-9a-f]{10}:$/m);
  assert.match(sync.stdout, /^ {2}alpha: synced: the host runs site [0-9a-f]{10}; the store said nothing$/m);
  assert.match(sync.stdout, /^ {2}beta: synced: the host runs motd [0-9a-f]{10}, tools [0-9a-f]{10}; the store said nothing$/m);
  assert.deepEqual(store.titles(), ['Sync alpha, beta'], 'one commit');
  assert.equal(store.tree(store.tip()!), lost, 'the store records exactly what it did before it was lost');

  // Reading the hosts changed nothing on them.
  assert.equal((await appView(fx.fleet, 'alpha', 'site', 'site.service')).mainPid, pid);
  assert.deepEqual({ alpha: activations(fx.fleet, 'alpha'), beta: activations(fx.fleet, 'beta') }, ran);

  assert.match((await fx.ws.deptool('plan')).stdout, /^alpha\n {4}update site\n/m);
  await fx.ws.write(tree('v1'));
  assert.equal((await fx.ws.deptool('plan')).stdout, UP_TO_DATE);
  const again = await fx.ws.deptool('sync');
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /^The store already matched 2 hosts; nothing was recorded\.$/m);
});

test('hand edits: a deploy is refused with both remedies; sync accepts a changed file as it is, restarting nothing', async () => {
  const store = new StoreView(fx.ws.store);
  await fx.ws.write(tree('v1'));
  assert.equal((await fx.ws.deptool('plan')).stdout, UP_TO_DATE);
  const before = await appView(fx.fleet, 'alpha', 'site', 'site.service');
  const ran = { alpha: activations(fx.fleet, 'alpha'), beta: activations(fx.fleet, 'beta') };
  await sh('alpha', 'f=/var/lib/deptool/apps/site/current/index.html; chmod u+w "$f"; echo "edited by hand" > "$f"; chmod a-w "$f"');

  await fx.ws.write(tree('v2'));
  const tip = store.tip();
  const refused = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /^Nothing was changed: 1 host refused the deploy:$/m);
  assert.match(
    refused.stdout,
    /^ {2}alpha: refused: the host was changed outside deptool \(drift\): site\/index\.html was changed on the host\. Run 'deptool sync --limit alpha' to accept the host as it is, or 'deptool deploy --overwrite-drift --limit alpha' to replace the edits\.$/m,
  );
  assert.equal(store.tip(), tip, 'nothing was recorded');
  assert.deepEqual({ alpha: activations(fx.fleet, 'alpha'), beta: activations(fx.fleet, 'beta') }, ran, 'no host changed, beta neither');

  // A link changed by hand is not something the config tree can say: sync refuses it, with the remedy.
  await sh('alpha', 'mv /etc/site.conf /etc/site.conf.moved');
  try {
    const link = await fx.ws.deptool('sync', '--limit', 'alpha');
    assert.equal(link.code, 1, link.stdout + link.stderr);
    assert.match(link.stdout, /^ {2}alpha: refused: .*link \/etc\/site\.conf is missing.*: the config tree cannot say that, so sync cannot accept it\. Run 'deptool deploy --overwrite-drift --limit alpha' to put it back$/m);
    assert.equal(store.tip(), tip);
  } finally {
    await sh('alpha', 'mv /etc/site.conf.moved /etc/site.conf');
  }

  const sync = await fx.ws.deptool('sync', '--limit', 'alpha');
  assert.equal(sync.code, 0, sync.stdout + sync.stderr);
  assert.match(sync.stdout, /^ {2}alpha: synced: the host runs site [0-9a-f]{10}; the store said site [0-9a-f]{10}\n {4}accepted hand edits: site\/index\.html was changed on the host$/m);
  assert.deepEqual(store.titles().slice(0, 2), ['Sync alpha', 'Sync alpha, beta']);
  assert.equal(store.file('alpha/site/index.html'), 'edited by hand');
  const after = await appView(fx.fleet, 'alpha', 'site', 'site.service');
  assert.equal(after.mainPid, before.mainPid, 'the service was not restarted');
  assert.notEqual(after.current, before.current, "the host's record names the edited revision");
  assert.equal(after.recorded, after.current);
  assert.equal(store.rev('alpha', 'site'), after.current);
  assert.equal(await served(fx.port), 'edited by hand\n');

  // The edit is now what the store says alpha runs: the plan goes back to the config tree.
  await fx.ws.write(tree('v1'));
  const plan = await fx.ws.deptool('plan');
  assert.match(plan.stdout, /^alpha\n {4}update site\n {8}~ index\.html\n/m);
  assert.doesNotMatch(plan.stdout, /^beta/m);

  await fx.ws.write(tree('v2'));
  const next = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(next.code, 0, next.stdout + next.stderr);
  assert.doesNotMatch(next.stdout, /did not know/);
  assert.match(next.stdout, /^Changes deployed successfully to 2 hosts/m);
  assert.equal(await served(fx.port), 'site v2\n');
  assert.notEqual((await appView(fx.fleet, 'alpha', 'site', 'site.service')).mainPid, before.mainPid);
  assert.equal((await fx.ws.deptool('plan')).stdout, UP_TO_DATE);
});
