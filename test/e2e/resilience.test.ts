// A connection cut during activation: the activation finishes inside its transient
// unit, the driver learns the outcome over a fresh connection, and the host ends
// fully on one revision with the store agreeing, so the next deploy succeeds. Cut
// during the upload, before the activation started: nothing changed, and it says so.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { test } from 'node:test';
import { startProxy } from './fleet/proxy.js';
import { waitFor as waitUntil } from './fleet/system.js';
import { StoreView, activations, assertOneRevision, uploadsInProgress } from './inspect.js';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = async (command: string) => (await fx.fleet.exec('web', ['sh', '-c', command])).stdout;

function files(content: string, blob?: Buffer): Record<string, string | Buffer> {
  return {
    ...(blob ? { 'web/site/blob.bin': blob } : {}),
    'web/site/index.html': content,
    'web/site/manifest.json': '{ "systemd": { "units_enabled": ["site.service"] } }',
    'web/site/systemd/site.service': `[Unit]\nDescription=site\n[Service]\nWorkingDirectory=/var/lib/deptool/apps/site/current\nExecStart=/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1\n[Install]\nWantedBy=multi-user.target\n`,
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('killing sshd during activation leaves the host on one revision and the next deploy succeeds', async () => {
  await fx.ws.write(files('v1\n'));
  assert.equal((await fx.ws.deptool('deploy', '--yes', '--settle', '0.2')).code, 0);

  await fx.ws.write(files('v2\n'));
  const deploy = fx.ws.deptool('deploy', '--yes', '--settle', '4');
  await waitFor(async () => (await sh('systemctl list-units --no-legend "deptool-activate-*" | grep -c . || true')).trim() !== '0', 30_000);
  await fx.fleet.killSshd('web');
  const result = await deploy;
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /web: reconnecting/);
  assert.match(result.stdout, /Changes deployed successfully to 1 host/);

  const current = await assertOneRevision(fx.fleet, 'web', fx.port, 'v2\n');
  assert.equal(new StoreView(fx.ws.store).rev('web', 'site'), current);
  const plan = await fx.ws.deptool('plan');
  assert.equal(plan.stdout, "All hosts in cluster 'prod' are up to date.\n", 'the store agrees with the host');

  await fx.ws.write(files('v3\n'));
  const next = await fx.ws.deptool('deploy', '--yes', '--settle', '0.2');
  assert.equal(next.code, 0, next.stdout + next.stderr);
});

test('killing sshd during the upload: nothing changed on the host, the run says so without reconnecting for an outcome, and the next deploy succeeds', async (t) => {
  const store = new StoreView(fx.ws.store);
  // In front of web's sshd, to slow the upload down enough to cut it in the middle.
  const proxy = await startProxy(await fx.fleet.allocatePort(), fx.fleet.host('web').port);
  t.after(() => proxy.close());
  const [, type, key] = fx.fleet.host('web').knownHostsLine.split(' ');
  await appendFile(fx.fleet.knownHostsFile, `[127.0.0.1]:${proxy.port} ${type} ${key}\n`);
  const throughProxy = { settings: { hosts: { web: { port: proxy.port } } } };
  await fx.ws.write(files('u1\n'), throughProxy);
  assert.equal((await fx.ws.deptool('deploy', '--yes', '--settle', '0.2')).code, 0);
  const rev = await assertOneRevision(fx.fleet, 'web', fx.port, 'u1\n');
  const known = activations(fx.fleet, 'web');
  const tip = store.tip();

  await fx.ws.write(files('u2\n', randomBytes(8 << 20)), throughProxy);
  proxy.throttle(4 << 20);
  const deploy = fx.ws.deptool('deploy', '--yes', '--settle', '0.2');
  try {
    await waitUntil(() => (uploadsInProgress(fx.fleet, 'web').length > 0 ? true : undefined), { timeoutMs: 60_000, onTimeout: () => new Error('the upload never reached web') });
    await fx.fleet.killSshd('web');
  } finally {
    proxy.throttle(null);
  }
  const result = await deploy;
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /^ {2}web: failed: the connection was lost while the activation's input was being sent; nothing changed on web$/m);
  assert.doesNotMatch(result.stdout, /could not learn|could not reach it again|outcome is unknown/);
  // The run did not wait for sshd to come back; the checks below log in, so they do.
  await waitUntil(async () => ((await fx.fleet.exec('web', ['true'])).code === 0 ? true : undefined), { timeoutMs: 30_000, onTimeout: () => new Error('sshd never came back') });
  assert.deepEqual(activations(fx.fleet, 'web'), known, 'no activation started');
  assert.equal(await assertOneRevision(fx.fleet, 'web', fx.port, 'u1\n'), rev);
  assert.equal(store.rev('web', 'site'), rev, 'the store still records what web runs');
  // The driver knows the host cannot have started an activation whose input it never finished sending.
  const took = { reconnectedForAnOutcome: /^ {2}web: reconnecting/m.test(result.stdout), recordedAnAttempt: store.tip() !== tip };

  const next = await fx.ws.deptool('deploy', '--yes', '--settle', '0.2');
  assert.equal(next.code, 0, next.stdout + next.stderr);
  assert.doesNotMatch(next.stdout, /did not know/);
  assert.equal(store.rev('web', 'site'), await assertOneRevision(fx.fleet, 'web', fx.port, 'u2\n'));
  assert.deepEqual(took, { reconnectedForAnOutcome: false, recordedAnAttempt: false }, result.stdout);
});
