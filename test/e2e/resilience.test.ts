// A connection cut during activation: the activation finishes inside its transient
// unit, the driver learns the outcome over a fresh connection, and the host ends
// fully on one revision with the store agreeing, so the next deploy succeeds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = async (command: string) => (await fx.fleet.exec('web', ['sh', '-c', command])).stdout;

function files(content: string): Record<string, string> {
  return {
    'web/site/index.html': content,
    'web/site/manifest.json': '{ "systemd": { "units_enabled": ["site.service"] } }',
    'web/site/systemd/site.service': `[Unit]\nDescription=site\n[Service]\nExecStart=/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current\n[Install]\nWantedBy=multi-user.target\n`,
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

  const current = (await sh('readlink /var/lib/deptool/apps/site/current')).trim();
  const state = JSON.parse(await sh('cat /var/lib/deptool/state.json')) as { apps: { site: { rev: string } } };
  assert.equal(state.apps.site.rev, current, 'state.json and current agree');
  assert.equal(await sh('cat /var/lib/deptool/apps/site/current/index.html'), 'v2\n');
  const plan = await fx.ws.deptool('plan');
  assert.equal(plan.stdout, "All hosts in cluster 'prod' are up to date.\n", 'the store agrees with the host');

  await fx.ws.write(files('v3\n'));
  const next = await fx.ws.deptool('deploy', '--yes', '--settle', '0.2');
  assert.equal(next.code, 0, next.stdout + next.stderr);
});
