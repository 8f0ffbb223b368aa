// Deptool parity on a real host: Podman quadlets linked into /etc/containers/systemd through
// `current` with a daemon-reload (and unlinked again by a rollback), and an empty host dir
// that removes every app of its host. Podman itself need not run: its generator is what
// the daemon-reload would start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = async (command: string) => {
  const result = await fx.fleet.exec('web', ['sh', '-c', command]);
  assert.equal(result.code, 0, `${command}: ${result.stderr}`);
  return result.stdout;
};

const LINK = '/etc/containers/systemd/web.container';
const lastLog = () => sh('cat "/var/lib/deptool/activations/$(tail -n 1 /var/lib/deptool/activations/order)/log"');
const linkOf = async (path: string) => (await sh(`readlink ${path} || echo none`)).trim();

function site(options: { body: string; quadlet?: string; execStart?: string }): Record<string, string> {
  const serve = `/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
  return {
    'web/site/index.html': options.body,
    'web/site/manifest.json': JSON.stringify({ systemd: { units_enabled: ['site.service'] } }),
    'web/site/systemd/site.service': `[Unit]\nDescription=site\n[Service]\nExecStart=${options.execStart ?? serve}\n[Install]\nWantedBy=multi-user.target\n`,
    ...(options.quadlet === undefined ? {} : { 'web/site/quadlets/web.container': options.quadlet }),
  };
}

async function deploy(files: Record<string, string>, expectedCode = 0): Promise<string> {
  await fx.ws.write(files);
  const result = await fx.ws.deptool('deploy', '--yes', '--settle', '0.5');
  assert.equal(result.code, expectedCode, result.stdout + result.stderr);
  return result.stdout;
}

test('a quadlet is linked through current with a daemon-reload, follows a flip, and a rollback unlinks it and reloads', async () => {
  await deploy(site({ body: 'v1\n' }));
  assert.equal(await linkOf(LINK), 'none');

  const added = await deploy(site({ body: 'v1\n', quadlet: '[Container]\nImage=docker.io/library/nginx:1\n' }));
  assert.match(added, /^web\n {4}update site\n {8}\+ quadlets\/web\.container\n {8}link quadlet web\.container\n {8}restart unit site\.service\n\nAuto-rollback if deploy fails\.\n/m);
  assert.equal(await linkOf(LINK), '/var/lib/deptool/apps/site/current/quadlets/web.container');
  assert.equal(await sh(`cat ${LINK}`), '[Container]\nImage=docker.io/library/nginx:1\n');
  assert.match(await lastLog(), /^step \d+ link ok$[\s\S]*^step \d+ daemon-reload ok$/m);

  // A changed quadlet keeps its link (through current) and the generator runs again.
  const changed = await deploy(site({ body: 'v1\n', quadlet: '[Container]\nImage=docker.io/library/nginx:2\n' }));
  assert.match(changed, /^ {8}~ quadlets\/web\.container\n {8}restart unit site\.service\n/m);
  assert.doesNotMatch(changed, /link quadlet/);
  assert.equal(await sh(`cat ${LINK}`), '[Container]\nImage=docker.io/library/nginx:2\n');
  assert.match(await lastLog(), /^step \d+ daemon-reload ok$/m);
  assert.doesNotMatch(await lastLog(), /^step \d+ link /m);

  // A quadlet added along with a unit that fails: the host rolls itself back, link and all.
  await deploy(site({ body: 'v1\n' }));
  assert.equal(await linkOf(LINK), 'none');
  const failed = await deploy(site({ body: 'v1\n', quadlet: '[Container]\nImage=docker.io/library/nginx:3\n', execStart: '/bin/false' }), 3);
  assert.match(failed, /^ {2}web: rolled back/m);
  assert.equal(await linkOf(LINK), 'none', 'the rollback removed the quadlet link');
  assert.match(await lastLog(), /^step \d+ link ok$[\s\S]*^step \d+ daemon-reload ok$[\s\S]*^rollback begin$[\s\S]*^rollback end$/m);
  assert.equal((await sh('systemctl is-active site.service')).trim(), 'active');
  assert.equal((await sh('systemctl show -p NeedDaemonReload --value site.service')).trim(), 'no', 'the rollback reloaded systemd after putting the files back');

  // `deptool rollback` of a deploy that added the quadlet unlinks it.
  await deploy(site({ body: 'v2\n', quadlet: '[Container]\nImage=docker.io/library/nginx:4\n' }));
  assert.equal(await linkOf(LINK), '/var/lib/deptool/apps/site/current/quadlets/web.container');
  const back = await fx.ws.deptool('rollback', '--host', 'web', '--yes', '--settle', '0.3');
  assert.equal(back.code, 0, back.stdout + back.stderr);
  assert.match(back.stdout, /^ {8}unlink quadlet web\.container$/m);
  assert.equal(await linkOf(LINK), 'none');
  assert.match(await lastLog(), /^step \d+ unlink ok$[\s\S]*^step \d+ daemon-reload ok$/m);
});

test('an empty host dir removes every app of the host: units stopped and disabled, links gone, and the store records it', async () => {
  await deploy({ ...site({ body: 'v5\n', quadlet: '[Container]\nImage=docker.io/library/nginx:5\n' }), 'web/extra/notes.txt': 'x\n' });
  assert.equal((await sh('systemctl is-active site.service; systemctl is-enabled site.service')).trim(), 'active\nenabled');

  // Nothing in the host dir at all (git would not keep it: a .keep does the same, see the README).
  await fx.ws.write({ web: { dir: true } });
  const plan = await fx.ws.deptool('plan');
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /^web\n {4}remove extra\n {8}- notes\.txt\n {4}remove site\n {8}- index\.html\n {8}- manifest\.json\n {8}- quadlets\/web\.container\n {8}- systemd\/site\.service\n {8}disable unit site\.service\n {8}unlink unit site\.service\n {8}unlink quadlet web\.container\n\nAuto-rollback if deploy fails\.\n/);

  const result = await fx.ws.deptool('deploy', '--yes');
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal((await sh('ls /var/lib/deptool/apps')).trim(), '');
  assert.equal(await linkOf('/etc/systemd/system/site.service'), 'none');
  assert.equal(await linkOf(LINK), 'none');
  const status = await fx.fleet.exec('web', ['systemctl', 'is-active', 'site.service']);
  assert.equal(status.stdout.trim(), 'inactive');
  assert.equal((await sh('systemctl list-unit-files site.service | grep -c site.service || true')).trim(), '0', 'no unit file is left');
  assert.equal((await sh('cat /var/lib/deptool/state.json')).replace(/\s+/g, ''), '{"schema":1,"apps":{}}');

  const log = await fx.ws.deptool('log', '-n', '1');
  assert.match(log.stdout, /^ {4}Remove extra, site from web$/m);
  assert.match(log.stdout, /^ {4}web: deployed$/m);
  assert.equal((await fx.ws.deptool('plan')).stdout, "All hosts in cluster 'prod' are up to date.\n");
});
