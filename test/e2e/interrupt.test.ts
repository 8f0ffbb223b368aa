// Interrupting a deploy in each phase, on real hosts, with the CLI as a real process: Ctrl-C
// (SIGINT) and SIGKILL while a host is connecting, locked, uploading, activating and in its
// settle time, and a second Ctrl-C. After each: every host runs exactly one revision, the store
// records exactly what the hosts run (or the next run records it first, and says so), and the
// next deploy works with no hand edit. A driver gone during an activation confirms nothing, so
// with confirmation on (the default) its hosts roll themselves back; with it off they finish. `far` is reached through a proxy that can hold its
// connections (it sits in "connecting") and slow its uploads (it sits in "uploading").
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { TreeSpec } from '../helpers/write-tree.js';
import { bootFleet, type Fleet } from './fleet/fleet.js';
import { startProxy, type Proxy } from './fleet/proxy.js';
import { waitFor } from './fleet/system.js';
import { StoreView, activationFile, activationReached, activationResult, activations, assertOneRevision, newActivation, uploadsInProgress } from './inspect.js';
import { workspace, type CliProcess, type Workspace } from './workspace.js';

const HOSTS = ['far', 'near'] as const;
type Host = (typeof HOSTS)[number];

let fleet: Fleet;
let ws: Workspace;
let proxy: Proxy;
let store: StoreView;
const ports = new Map<string, number>();

before(async () => {
  fleet = await bootFleet({ count: 2, hostnames: [...HOSTS] });
  for (const host of HOSTS) ports.set(host, await fleet.allocatePort());
  proxy = await startProxy(await fleet.allocatePort(), fleet.host('far').port);
  // The CLI checks far's host key under the proxy's port.
  const [, type, key] = fleet.host('far').knownHostsLine.split(' ');
  await appendFile(fleet.knownHostsFile, `[127.0.0.1]:${proxy.port} ${type} ${key}\n`);
  ws = await workspace(fleet);
  store = new StoreView(ws.store);
});
after(async () => {
  await proxy?.close();
  await ws?.remove();
  await fleet?.stop();
});

interface Version {
  readonly label: string;
  /** far's unit takes a few seconds to start: its activation sits in the restart step ("activating"). */
  readonly slowStart?: boolean;
  /** A large file in far's app: its upload takes a while behind the throttled proxy. */
  readonly blob?: Buffer;
}

/** What each host should run. */
type Versions = Readonly<Record<Host, Version>>;

const both = (version: Version): Versions => ({ far: version, near: version });

const content = (host: Host, version: Version) => `${host} ${version.label}\n`;

/** Seconds the hosts wait for a new connection to confirm an activation: short, for the runs whose driver is killed. */
const CONFIRM_SECONDS = 3;

/** Writes each host's version: a site served from the revision its unit started in. `confirm`: confirm_timeout (default: deptool's). */
async function write(versions: Versions, confirm?: number): Promise<void> {
  const files: Record<string, TreeSpec[string]> = {};
  for (const host of HOSTS) {
    const version = versions[host];
    const pre = version.slowStart ? 'ExecStartPre=/bin/sleep 3\n' : '';
    files[`${host}/site/index.html`] = content(host, version);
    files[`${host}/site/manifest.json`] = '{ "systemd": { "units_enabled": ["site.service"] } }';
    // WorkingDirectory resolves `current` when the unit starts: what it serves says which revision it runs.
    files[`${host}/site/systemd/site.service`] =
      `[Unit]\nDescription=site\n[Service]\nWorkingDirectory=/var/lib/deptool/apps/site/current\n${pre}` +
      `ExecStart=/usr/bin/python3 -m http.server ${ports.get(host)} --bind 127.0.0.1\n[Install]\nWantedBy=multi-user.target\n`;
    if (version.blob) files[`${host}/site/blob.bin`] = version.blob;
  }
  await ws.write(files, { settings: { hosts: { far: { port: proxy.port } }, ...(confirm === undefined ? {} : { confirm_timeout: confirm }) } });
}

/** Each host runs exactly one revision, with its version's content; returns the revisions. */
async function assertHosts(versions: Versions): Promise<Record<Host, string>> {
  return {
    far: await assertOneRevision(fleet, 'far', ports.get('far')!, content('far', versions.far)),
    near: await assertOneRevision(fleet, 'near', ports.get('near')!, content('near', versions.near)),
  };
}

/** The hosts run `versions`, and the store records exactly what they run. */
async function assertRecorded(versions: Versions): Promise<void> {
  const revs = await assertHosts(versions);
  for (const host of HOSTS) assert.equal(store.rev(host, 'site'), revs[host], `the store records what ${host} runs`);
}

/** Deploys the config tree in-process: it deploys `hosts` (the plan's), recording no sync first. */
async function deployAll(versions: Versions, hosts: readonly Host[] = HOSTS): Promise<void> {
  await write(versions);
  const tip = store.tip();
  const count = store.titles().length;
  const result = await ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /did not know/, 'the store already knew what the hosts ran');
  assert.match(result.stdout, new RegExp(`Changes deployed successfully to ${hosts.length} hosts?`));
  for (const host of HOSTS) assert.equal(new RegExp(`^${host}( \\(rollback unavailable\\))?$`, 'm').test(result.stdout), hosts.includes(host), `${host} is in the plan or not: ${result.stdout}`);
  assert.equal(store.titles()[0], `${tip === null ? 'Add' : 'Update'} site on ${hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`}`);
  assert.equal(store.titles().length, count + 1, 'one commit: the deploy');
  assert.notEqual(store.tip(), tip);
  await assertRecorded(versions);
  assert.equal((await ws.deptool('plan')).stdout, "All hosts in cluster 'prod' are up to date.\n");
}

/** Checks, after a run that must have changed nothing, that no host started an activation and the store recorded nothing. */
function unchanged(): () => void {
  const tip = store.tip();
  const before = HOSTS.map((host) => activations(fleet, host).join(','));
  return () => {
    assert.equal(store.tip(), tip, 'nothing was recorded');
    assert.deepEqual(
      HOSTS.map((host) => activations(fleet, host).join(',')),
      before,
      'no activation started on any host',
    );
  };
}

const heldBy = (proxied: Proxy) =>
  waitFor(() => (proxied.held > 0 ? true : undefined), { timeoutMs: 30_000, onTimeout: () => new Error('far never reached the proxy') });

/**
 * Waits until far's activation is in its restart step (its unit's ExecStartPre sleeps) and
 * near's is in its settle time (its unit restarted, not yet verified); returns their ids.
 */
async function activatingAndSettling(cli: CliProcess, known: Readonly<Record<Host, readonly string[]>>): Promise<Record<Host, string>> {
  for (const host of HOSTS) await cli.line(new RegExp(`^ {2}${host}: activating$`));
  const ids = { far: await newActivation(fleet, 'far', known.far), near: await newActivation(fleet, 'near', known.near) };
  await activationReached(fleet, 'far', ids.far, /^step \d+ flip ok$/m);
  await activationReached(fleet, 'near', ids.near, /^step \d+ restart ok$/m);
  assert.doesNotMatch(activationFile(fleet, 'far', ids.far, 'log') ?? '', /restart ok/, 'far is still restarting its unit');
  assert.doesNotMatch(activationFile(fleet, 'near', ids.near, 'log') ?? '', /verify/, 'near is still in its settle time');
  return ids;
}

const known = () => ({ far: activations(fleet, 'far'), near: activations(fleet, 'near') });

/** The revision an activation flips `site` to, from its steps on the host. */
function flippedTo(host: Host, id: string): string {
  const rev = /^flip\tsite\t([0-9a-f]{10})$/m.exec(activationFile(fleet, host, id, 'steps') ?? '')?.[1];
  assert.ok(rev, `activation ${id} on ${host} flips site`);
  return rev;
}

const v1 = both({ label: 'v1' });

test('baseline: both hosts deployed and recorded', async () => {
  await deployAll(v1);
});

test('Ctrl-C while far connects and near is locked: exit 130, nothing changed, the next deploy deploys', async () => {
  await write(both({ label: 'v2' }));
  const same = unchanged();
  proxy.hold();
  const cli = ws.start('deploy', '--yes', '--settle', '0.3');
  try {
    await cli.line(/^ {2}near: locked$/);
    await cli.line(/^ {2}far: connecting \(/);
    await heldBy(proxy);
    cli.kill('SIGINT');
    await cli.line(/^Interrupted: no new host will start; the activations in flight finish and are recorded\./);
  } finally {
    proxy.open();
  }
  const exit = await cli.exited;
  assert.equal(exit.code, 130, exit.stdout + exit.stderr);
  assert.match(exit.stdout, /^Interrupted before any host changed; nothing was changed\.$/m);
  same();
  await assertRecorded(v1);
  await deployAll(both({ label: 'v2' }));
});

test('SIGKILL while far connects and near is locked: nothing changed, no lock left behind, the next deploy deploys', async () => {
  await write(both({ label: 'v3' }));
  const same = unchanged();
  proxy.hold();
  const cli = ws.start('deploy', '--yes', '--settle', '0.3');
  try {
    await cli.line(/^ {2}near: locked$/);
    await heldBy(proxy);
    cli.kill('SIGKILL');
    assert.equal((await cli.exited).signal, 'SIGKILL');
  } finally {
    proxy.open();
  }
  same();
  await assertRecorded(both({ label: 'v2' }));
  await deployAll(both({ label: 'v3' }));
});

test('Ctrl-C while far uploads: its activation finishes and is recorded, near (not started) is recorded as skipped', async () => {
  const v4: Versions = { far: { label: 'v4', blob: randomBytes(8 << 20) }, near: { label: 'v4' } };
  await write(v4);
  const tip = store.tip();
  proxy.throttle(4 << 20);
  // One host at a time: near starts only after far, so the interrupt finds it not started.
  const cli = ws.start('deploy', '--yes', '--settle', '0.3', '--parallel', '1');
  try {
    await cli.line(/^ {2}far: uploading/);
    cli.kill('SIGINT');
    await cli.line(/^Interrupted: /);
  } finally {
    proxy.throttle(null);
  }
  const exit = await cli.exited;
  assert.equal(exit.code, 130, exit.stdout + exit.stderr);
  assert.match(exit.stdout, /^Interrupted after [\d.]+s: 1 of 2 hosts deployed\. Recorded as commit [0-9a-f]{10}\.$/m);
  assert.match(exit.stdout, /^ {2}near: skipped: not started: the run was interrupted$/m);
  assert.notEqual(store.tip(), tip);
  assert.equal(store.titles()[0], 'Update site on 2 hosts');
  const log = await ws.deptool('log', '-n', '1');
  assert.match(log.stdout, /^ {4}far: deployed$/m);
  assert.match(log.stdout, /^ {4}near: skipped \(not started: the run was interrupted\)$/m);
  await assertRecorded({ far: v4.far, near: { label: 'v3' } });
  await deployAll(v4, ['near']);
});

test('SIGKILL while far uploads: nothing changes on far, and the next deploy uploads again', async () => {
  const v5: Versions = { far: { label: 'v5', blob: randomBytes(8 << 20) }, near: { label: 'v4' } };
  await write(v5);
  const same = unchanged();
  proxy.throttle(4 << 20);
  const cli = ws.start('deploy', '--yes', '--settle', '0.3');
  try {
    await cli.line(/^ {2}far: uploading/);
    // The agent is receiving it: the kill cuts the upload in the middle.
    await waitFor(() => (uploadsInProgress(fleet, 'far').length > 0 ? true : undefined), { timeoutMs: 30_000, onTimeout: () => new Error('the upload never reached far') });
    cli.kill('SIGKILL');
    assert.equal((await cli.exited).signal, 'SIGKILL');
  } finally {
    proxy.throttle(null);
  }
  same();
  await assertRecorded({ far: { label: 'v4' }, near: { label: 'v4' } });
  await deployAll(v5, ['far']);
});

const v6: Versions = { far: { label: 'v6', slowStart: true }, near: { label: 'v6' } };

test('Ctrl-C while far activates and near settles: both finish, exit 130, and the store records both', async () => {
  await write(v6);
  const was = known();
  const cli = ws.start('deploy', '--yes', '--settle', '3');
  const ids = await activatingAndSettling(cli, was);
  cli.kill('SIGINT');
  const exit = await cli.exited;
  assert.equal(exit.code, 130, exit.stdout + exit.stderr);
  assert.match(exit.stdout, /^Interrupted: no new host will start; the activations in flight finish and are recorded\./m);
  assert.match(exit.stdout, /^Interrupted after [\d.]+s: 2 of 2 hosts deployed\. Recorded as commit [0-9a-f]{10}\.$/m);
  for (const host of HOSTS) assert.equal(activationFile(fleet, host, ids[host], 'result'), 'ok');
  assert.equal(store.titles()[0], 'Update site on 2 hosts');
  await assertRecorded(v6);
  assert.equal((await ws.deptool('plan')).stdout, "All hosts in cluster 'prod' are up to date.\n");
});

test('SIGKILL while far activates and near settles, confirmation on: no verdict comes, both hosts roll themselves back, nothing is recorded, and the next deploy deploys', async () => {
  const v7: Versions = { far: { label: 'v7a', slowStart: true }, near: { label: 'v7a' } };
  await write(v7, CONFIRM_SECONDS);
  const tip = store.tip();
  const was = known();
  const cli = ws.start('deploy', '--yes', '--settle', '3');
  const ids = await activatingAndSettling(cli, was);
  cli.kill('SIGKILL');
  assert.equal((await cli.exited).signal, 'SIGKILL');
  for (const host of HOSTS) {
    assert.equal(await activationResult(fleet, host, ids[host]), 'rolled-back');
    assert.match(activationFile(fleet, host, ids[host], 'log') ?? '', /^confirm await$[\s\S]*^error no new SSH connection confirmed the activation within 3 s; can the deploy user still log in \(sshd, its config, the network\)\?$[\s\S]*^rollback end$/m);
  }
  // The hosts are back on what the store says they run.
  await assertRecorded(v6);
  assert.equal(store.tip(), tip, 'the killed run recorded nothing');

  const next = await ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(next.code, 0, next.stdout + next.stderr);
  assert.doesNotMatch(next.stdout, /did not know/, 'nothing to read back: the hosts run what the store says');
  assert.match(next.stdout, /^Changes deployed successfully to 2 hosts/m);
  assert.equal(store.titles()[0], 'Update site on 2 hosts');
  await assertRecorded(v7);
});

test('SIGKILL while far activates and near settles, confirmation off: the hosts finish, and the next deploy records them first and has nothing left', async () => {
  const v7: Versions = { far: { label: 'v7', slowStart: true }, near: { label: 'v7' } };
  await write(v7, 0);
  const tip = store.tip();
  const before = { far: store.rev('far', 'site'), near: store.rev('near', 'site') };
  const was = known();
  const cli = ws.start('deploy', '--yes', '--settle', '3');
  const ids = await activatingAndSettling(cli, was);
  cli.kill('SIGKILL');
  assert.equal((await cli.exited).signal, 'SIGKILL');
  for (const host of HOSTS) assert.equal(await activationResult(fleet, host, ids[host]), 'ok');
  const revs = await assertHosts(v7);
  assert.equal(store.tip(), tip, 'the killed run recorded nothing');

  const next = await ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(next.code, 0, next.stdout + next.stderr);
  const synced = /^The store did not know what 2 hosts run; recorded it as commit ([0-9a-f]{10}):$/m.exec(next.stdout);
  assert.ok(synced, next.stdout);
  for (const host of HOSTS) assert.match(next.stdout, new RegExp(`^ {2}${host}: the host runs site ${revs[host]}; the store said site ${before[host]}$`, 'm'));
  assert.match(next.stdout, /^The plan, corrected for what was found on the hosts:\nAll hosts in cluster 'prod' are up to date\.$/m);
  assert.match(next.stdout, /^Nothing left to deploy: the hosts already run the plan\.$/m);
  assert.equal(store.titles()[0], 'Sync far, near');
  assert.ok(store.tip()?.startsWith(synced[1]));
  await assertRecorded(v7);
  assert.equal((await ws.deptool('plan')).stdout, "All hosts in cluster 'prod' are up to date.\n");
});

test('a second Ctrl-C exits at once; with confirmation off the next run waits for the activations in flight, records them and deploys', async () => {
  const v8 = both({ label: 'v8' });
  // Off: a driver alive after the first Ctrl-C may or may not have confirmed before the second.
  await write(v8, 0);
  const tip = store.tip();
  const was = known();
  const cli = ws.start('deploy', '--yes', '--settle', '4');
  for (const host of HOSTS) await cli.line(new RegExp(`^ {2}${host}: activating$`));
  const ids = { far: await newActivation(fleet, 'far', was.far), near: await newActivation(fleet, 'near', was.near) };
  // Both in their settle time.
  for (const host of HOSTS) await activationReached(fleet, host, ids[host], /^step \d+ restart ok$/m);
  cli.kill('SIGINT');
  await cli.line(/^Interrupted: /);
  cli.kill('SIGINT');
  const exit = await cli.exited;
  assert.equal(exit.code, 130, exit.stdout + exit.stderr);
  assert.match(exit.stderr, /interrupted again: exiting now\. The next deploy \(or deptool sync\) records what the hosts run\./);
  assert.equal(store.tip(), tip, 'the run exited before recording');
  for (const host of HOSTS) assert.equal(activationFile(fleet, host, ids[host], 'result'), null, `${host}'s activation is still in flight`);

  const v9 = both({ label: 'v9' });
  await write(v9, 0);
  const next = await ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(next.code, 0, next.stdout + next.stderr);
  for (const host of HOSTS) {
    assert.match(next.stdout, new RegExp(`^ {2}${host}: waiting \\(activation ${ids[host]} of e2e@test.* is still running on the host; waiting for it`, 'm'));
    assert.equal(activationFile(fleet, host, ids[host], 'result'), 'ok');
    assert.match(next.stdout, new RegExp(`^ {2}${host}: the host runs site ${flippedTo(host, ids[host])}; the store said site [0-9a-f]{10}$`, 'm'));
  }
  assert.match(next.stdout, /^The store did not know what 2 hosts run; recorded it as commit [0-9a-f]{10}:$/m);
  assert.match(next.stdout, /^Changes deployed successfully to 2 hosts/m);
  assert.deepEqual(store.titles().slice(0, 2), ['Update site on 2 hosts', 'Sync far, near']);
  for (const host of HOSTS) assert.equal(store.rev(host, 'site', 'refs/heads/prod~1'), flippedTo(host, ids[host]), `the sync recorded what ${host} ran`);
  await assertRecorded(v9);
  assert.equal((await ws.deptool('plan')).stdout, "All hosts in cluster 'prod' are up to date.\n");
});
