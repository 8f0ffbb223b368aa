// Activations cut off on the host itself: a hard power cut in the settle time (the host undoes
// the activation at boot, before its services start) and a killed transient unit (the next
// session undoes it). The host ends fully on the old revision, the store never records the
// undone one, and the next deploy deploys it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TreeSpec } from '../helpers/write-tree.js';
import { StoreView, activationFile, activationReached, activations, appView, assertOneRevision, newActivation } from './inspect.js';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

/** `label`'s site; `extras` adds a manifest symlink and a second enabled unit, which an undo must take away again. */
function files(label: string, extras: boolean): TreeSpec {
  const manifest = { systemd: { units_enabled: extras ? ['extra.service', 'site.service'] : ['site.service'] }, ...(extras ? { symlinks: { '/etc/site.conf': 'site.conf' } } : {}) };
  return {
    'web/site/index.html': `${label}\n`,
    'web/site/manifest.json': JSON.stringify(manifest),
    'web/site/systemd/site.service': `[Unit]\nDescription=site\n[Service]\nWorkingDirectory=/var/lib/deptool/apps/site/current\nExecStart=/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1\n[Install]\nWantedBy=multi-user.target\n`,
    ...(extras
      ? { 'web/site/site.conf': `conf ${label}\n`, 'web/site/systemd/extra.service': '[Unit]\nDescription=extra\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' }
      : {}),
  };
}

function linkOrNull(path: string): string | null {
  try {
    return readlinkSync(join(fx.fleet.host('web').root, path));
  } catch {
    return null;
  }
}

/** Everything an activation of `site` may change on the host, but the unit's process id. */
async function hostState(): Promise<unknown> {
  const view = await appView(fx.fleet, 'web', 'site', 'site.service');
  const [extraEnabled, extraActive] = (await fx.fleet.exec('web', ['sh', '-c', 'systemctl is-enabled extra.service; systemctl is-active extra.service'])).stdout.split('\n');
  return {
    ...view,
    // A reboot starts it again.
    mainPid: null,
    siteConf: linkOrNull('etc/site.conf'),
    extraUnit: linkOrNull('etc/systemd/system/extra.service'),
    extraEnabled,
    extraActive,
    wants: readdirSync(join(fx.fleet.host('web').root, 'etc/systemd/system/multi-user.target.wants')).sort(),
    state: readFileSync(join(fx.fleet.host('web').root, 'var/lib/deptool/state.json'), 'utf8'),
  };
}

async function deploy(label: string, extras: boolean): Promise<string> {
  await fx.ws.write(files(label, extras));
  const result = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /did not know/, 'the store knew what the host ran');
  const rev = await assertOneRevision(fx.fleet, 'web', fx.port, `${label}\n`);
  assert.equal(new StoreView(fx.ws.store).rev('web', 'site'), rev);
  return rev;
}

test('a power cut in the settle time: the host undoes the activation at boot, and the next deploy deploys it', async () => {
  const store = new StoreView(fx.ws.store);
  await deploy('v0', false);
  await deploy('v1', false);
  const before = await hostState();
  const tip = store.tip();

  await fx.ws.write(files('v2', true));
  const known = activations(fx.fleet, 'web');
  const running = fx.ws.deptool('deploy', '--yes', '--settle', '6');
  const id = await newActivation(fx.fleet, 'web', known);
  await activationReached(fx.fleet, 'web', id, /^step \d+ restart ok$/m);
  assert.equal(linkOrNull('etc/site.conf'), '/var/lib/deptool/apps/site/current/site.conf', 'the activation had linked the new file');
  await fx.fleet.stopHost('web', { hard: true });
  await fx.fleet.startHost('web');

  const log = activationFile(fx.fleet, 'web', id, 'log') ?? '';
  assert.equal(activationFile(fx.fleet, 'web', id, 'recovered'), 'boot', log);
  assert.match(log, /^recover boot$/m);
  assert.equal(activationFile(fx.fleet, 'web', id, 'result'), 'rolled-back', log);
  assert.deepEqual(await hostState(), before, 'the host is exactly as before the activation');
  await assertOneRevision(fx.fleet, 'web', fx.port, 'v1\n');

  // The run that was cut off learns the outcome from the host once it is back.
  const cut = await running;
  assert.equal(cut.code, 3, cut.stdout + cut.stderr);
  assert.match(cut.stdout, /^ {2}web: rolled back$/m);
  assert.match(cut.stdout, new RegExp(`^ {2}web: activation ${id} never finished \\(the host went down during it; it was undone from its journal at boot\\): the host is back on what it ran before$`, 'm'));
  assert.notEqual(store.tip(), tip);
  assert.match((await fx.ws.deptool('log', '-n', '1')).stdout, /^ {4}web: rolled-back/m);
  assert.deepEqual(await hostState(), before, 'the rebooted host is still as before the activation');

  const next = await deploy('v2', true);
  assert.equal(store.titles()[0], 'Update site on web');
  assert.equal(linkOrNull('etc/site.conf'), '/var/lib/deptool/apps/site/current/site.conf');
  const extra = await fx.fleet.exec('web', ['systemctl', 'is-active', 'extra.service']);
  assert.equal(extra.stdout.trim(), 'active');
  assert.equal(linkOrNull('var/lib/deptool/apps/site/current'), next);
});

test('a killed activation unit: the next session undoes it and the deploy goes on', async () => {
  const store = new StoreView(fx.ws.store);
  await deploy('v3', true);
  const before = await hostState();
  const tip = store.tip();

  await fx.ws.write(files('v4', true));
  const known = activations(fx.fleet, 'web');
  const running = fx.ws.deptool('deploy', '--yes', '--settle', '4');
  const id = await newActivation(fx.fleet, 'web', known);
  await activationReached(fx.fleet, 'web', id, /^step \d+ restart ok$/m);
  const kill = await fx.fleet.exec('web', ['systemctl', 'kill', '-s', 'KILL', `deptool-activate-${id}.service`]);
  assert.equal(kill.code, 0, kill.stderr);
  const killed = await running;
  assert.equal(killed.code, 1, killed.stdout + killed.stderr);
  assert.match(killed.stdout, new RegExp(`^ {2}web: failed: activation ${id} ended without a result`, 'm'));
  assert.notEqual(store.tip(), tip);
  assert.match((await fx.ws.deptool('log', '-n', '1')).stdout, /^ {4}web: failed/m);
  assert.equal(activationFile(fx.fleet, 'web', id, 'result'), null, 'the killed activation wrote no result');
  assert.notDeepEqual(await hostState(), before, 'the killed activation left the host half-changed');

  const next = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(next.code, 0, next.stdout + next.stderr);
  const log = activationFile(fx.fleet, 'web', id, 'log') ?? '';
  assert.equal(activationFile(fx.fleet, 'web', id, 'recovered'), 'session', log);
  assert.equal(activationFile(fx.fleet, 'web', id, 'result'), 'rolled-back', log);
  assert.doesNotMatch(next.stdout, /did not know/, 'the undone activation left the host as the store says');
  assert.match(next.stdout, new RegExp(`^ {2}web: activation ${id} never finished \\(its unit was stopped; it was undone from its journal before this run\\): the host is back on what it ran before$`, 'm'));
  assert.match(next.stdout, /^web\n {4}update site\n/m);
  assert.match(next.stdout, /^Changes deployed successfully to 1 host/m);
  const rev = await assertOneRevision(fx.fleet, 'web', fx.port, 'v4\n');
  assert.equal(store.rev('web', 'site'), rev);
  assert.equal(store.titles()[0], 'Update site on web');
});
