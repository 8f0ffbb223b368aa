// Ten real hosts deployed in parallel with one broken, and a non-root user through sudo.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bootFleet, type Fleet } from './fleet/fleet.js';
import { workspace, type Workspace } from './workspace.js';

let fleet: Fleet;
let ws: Workspace;
const ports = new Map<string, number>();

before(async () => {
  fleet = await bootFleet({ count: 10, prefix: 'node' });
  for (const host of fleet.hosts) ports.set(host.name, await fleet.allocatePort());
  ws = await workspace(fleet);
});
after(async () => {
  await ws?.remove();
  await fleet?.stop();
});

function app(host: string, content: string, broken: boolean): Record<string, string> {
  const exec = broken ? '/usr/bin/false' : `/usr/bin/python3 -m http.server ${ports.get(host)} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
  return {
    [`${host}/site/index.html`]: content,
    [`${host}/site/manifest.json`]: '{ "systemd": { "units_enabled": ["site.service"] } }',
    [`${host}/site/systemd/site.service`]: `[Unit]\nDescription=site\n[Service]\nExecStart=${exec}\n[Install]\nWantedBy=multi-user.target\n`,
  };
}

test('ten hosts in parallel, one broken: nine deployed, one rolled back, and the store says exactly that', async () => {
  const names = fleet.hosts.map((h) => h.name);
  await ws.write(Object.assign({}, ...names.map((h) => app(h, 'v1\n', false))) as Record<string, string>);
  const first = await ws.deptool('deploy', '--yes', '--settle', '0.5');
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /Changes deployed successfully to 10 hosts/);

  const broken = names[3];
  await ws.write(Object.assign({}, ...names.map((h) => app(h, 'v2\n', h === broken))) as Record<string, string>);
  const second = await ws.deptool('deploy', '--yes', '--settle', '0.5');
  assert.equal(second.code, 3, second.stdout + second.stderr);
  assert.match(second.stdout, new RegExp(`Deploy did not succeed on 1 host \\(9 deployed\\)`));
  assert.match(second.stdout, new RegExp(`^ {2}${broken}: rolled back: `, 'm'));

  const log = await ws.deptool('log', '-n', '1');
  for (const host of names) assert.match(log.stdout, new RegExp(`^ {4}${host}: ${host === broken ? 'rolled-back' : 'deployed'}`, 'm'));
  const plan = await ws.deptool('plan');
  assert.match(plan.stdout, new RegExp(`^${broken}\\n {4}update site\\n`, 'm'));
  assert.equal(plan.stdout.match(/^\S+$/gm)?.length, 1, 'only the rolled-back host still has changes');
  for (const host of names) {
    const served = await fleet.exec(host, ['sh', '-c', 'cat /var/lib/deptool/apps/site/current/index.html']);
    assert.equal(served.stdout, host === broken ? 'v1\n' : 'v2\n');
  }
});

test('a non-root user deploys through passwordless sudo', async () => {
  const host = fleet.hosts[0].name;
  await ws.write({ [`${host}/motd/motd`]: 'hello from sudo\n' }, { settings: { hosts: { [host]: { user: 'deploy' } } } });
  const result = await ws.deptool('deploy', '--yes', '--limit', host);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`${host}: connecting \\(deploy@`));
  const owner = await fleet.exec(host, ['stat', '-c', '%U', '/var/lib/deptool/apps/motd/current/motd']);
  assert.equal(owner.stdout.trim(), 'root');
});
