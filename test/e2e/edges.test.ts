// Deploys at the edges, on a real host: a unit that would replace the host's own sshd is
// refused and the host stays reachable; hand edits are replaced only when asked, with every
// edit in the plan; a unit whose start fails shows why (its status and journal lines).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = async (command: string) => (await fx.fleet.exec('web', ['sh', '-c', command])).stdout;

function unit(execStart: string, extra = ''): string {
  return `[Unit]\nDescription=Example site\n\n[Service]\n${extra}ExecStart=${execStart}\n\n[Install]\nWantedBy=multi-user.target\n`;
}

const serve = () => `/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
const MANIFEST = JSON.stringify({ systemd: { units_enabled: ['site.service'] }, symlinks: { '/etc/site.conf': 'site.conf' } });

function site(content: string, execStart = serve(), extra = ''): Record<string, string> {
  return { 'web/site/index.html': content, 'web/site/site.conf': 'conf\n', 'web/site/manifest.json': MANIFEST, 'web/site/systemd/site.service': unit(execStart, extra) };
}

async function get(): Promise<string> {
  const result = await fx.fleet.exec('web', ['python3', '-c', `import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:${fx.port}/index.html').read().decode(),end='')`]);
  return result.stdout;
}

test('an app shipping systemd/ssh.service is refused on a host that has its own, before anything changes, and the host stays reachable', async () => {
  await fx.ws.write(site('one\n'));
  assert.equal((await fx.ws.deptool('deploy', '--yes', '--settle', '0.3')).code, 0);
  const before = await sh('ls -l /etc/systemd/system/ssh.service 2>&1; readlink /var/lib/deptool/apps/site/current');
  await fx.ws.write({
    ...site('two\n'),
    'web/admin/manifest.json': '{ "systemd": { "units_enabled": ["ssh.service"] } }',
    'web/admin/systemd/ssh.service': '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
  });
  const result = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /Nothing was changed: 1 host refused the deploy/);
  assert.match(
    result.stdout,
    /app 'admin' ships systemd\/ssh\.service, but the host already has its own ssh\.service \(\/(usr\/)?lib\/systemd\/system\/ssh\.service\); deptool manages only units it made and will not replace it\. To change the host's unit, ship a drop-in instead: admin\/systemd\/ssh\.service\.d\/override\.conf\./,
  );
  assert.equal(await sh('ls -l /etc/systemd/system/ssh.service 2>&1; readlink /var/lib/deptool/apps/site/current'), before, 'nothing changed on the host');
  assert.equal(await get(), 'one\n');
  assert.equal((await sh('systemctl is-active ssh.service')).trim(), 'active');
  // Reachable: a new login works, and the next deploy, without the app, goes through.
  assert.equal((await fx.fleet.exec('web', ['true'])).code, 0);
  await fx.ws.write({
    ...site('three\n'),
    'web/admin/systemd/ssh.service.d/override.conf': '[Service]\nEnvironment=DEPTOOL_E2E=1\n',
  });
  const dropIn = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(dropIn.code, 0, dropIn.stdout + dropIn.stderr);
  assert.equal((await sh('readlink /etc/systemd/system/ssh.service.d/override.conf')).trim(), '/var/lib/deptool/apps/admin/current/systemd/ssh.service.d/override.conf');
  assert.match(await sh('systemctl show -p Environment ssh.service'), /DEPTOOL_E2E=1/);

  // Removing the app takes its drop-in away and never stops or disables the host's sshd.
  await fx.ws.write(site('four\n'));
  const removed = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(removed.code, 0, removed.stdout + removed.stderr);
  assert.equal((await sh('systemctl is-active ssh.service; systemctl is-enabled ssh.service')).trim(), 'active\nenabled');
  assert.equal((await sh('test -e /etc/systemd/system/ssh.service.d && echo there || echo gone')).trim(), 'gone');
  assert.equal((await fx.fleet.exec('web', ['true'])).code, 0);
});

test('hand edits are refused with both remedies; --overwrite-drift lists each edit in the plan and puts everything back', async () => {
  await fx.ws.write(site('five\n'));
  assert.equal((await fx.ws.deptool('deploy', '--yes', '--settle', '0.3')).code, 0);
  const pid = (await sh('systemctl show -p MainPID --value site.service')).trim();
  await sh('f=/var/lib/deptool/apps/site/current/index.html; chmod u+w "$f"; echo edited > "$f"; ln -sfn /tmp/elsewhere /etc/site.conf');

  // A deploy that has something to do finds them (one with nothing to do contacts no host).
  await fx.ws.write(site('five and a half\n'));
  const refused = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /site\/index\.html was changed on the host; link \/etc\/site\.conf points to \/tmp\/elsewhere, not \/var\/lib\/deptool\/apps\/site\/current\/site\.conf/);
  assert.match(refused.stdout, /Run 'deptool sync --limit web' to accept the host as it is, or 'deptool deploy --overwrite-drift --limit web' to replace the edits/);
  assert.equal(await get(), 'edited\n', 'a refusal changes nothing');

  // Back to what is deployed: the plan made offline is empty, only the edits are planned.
  await fx.ws.write(site('five\n'));
  const overwrite = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3', '--overwrite-drift');
  assert.equal(overwrite.code, 0, overwrite.stdout + overwrite.stderr);
  assert.match(overwrite.stdout, /All hosts in cluster 'prod' are up to date\./, 'the plan made offline is empty');
  assert.match(
    overwrite.stdout,
    /The plan, corrected for what was found on the hosts:\nweb \(rollback unavailable\)\n {4}overwrite hand edits\n {8}! site\/index\.html was changed on the host\n {8}! link \/etc\/site\.conf points to \/tmp\/elsewhere, not \/var\/lib\/deptool\/apps\/site\/current\/site\.conf\n {4}update site\n {8}restart unit site\.service\n/,
  );
  assert.match(overwrite.stdout, /Changes deployed successfully to 1 host/);
  assert.equal(await get(), 'five\n');
  assert.equal((await sh('readlink /etc/site.conf')).trim(), '/var/lib/deptool/apps/site/current/site.conf');
  assert.notEqual((await sh('systemctl show -p MainPID --value site.service')).trim(), pid, 'the unit restarted on the files put back');
  assert.equal((await fx.ws.deptool('plan')).stdout, "All hosts in cluster 'prod' are up to date.\n");
  const again = await fx.ws.deptool('deploy', '--yes', '--overwrite-drift');
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /No hand edits found; nothing to deploy\./);
});

test('a unit whose start fails (an ExecStartPre config check) is rolled back with its status and journal lines shown', async () => {
  await fx.ws.write(site('six\n'));
  assert.equal((await fx.ws.deptool('deploy', '--yes', '--settle', '0.3')).code, 0);
  await fx.ws.write(site('seven\n', serve(), "Type=simple\nExecStartPre=/bin/sh -c 'echo syntax error in Caddyfile, line 3 >&2; exit 1'\n"));
  const result = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(result.stdout, /^ {2}web: rolled back$/m);
  assert.match(result.stdout, /[●×] site\.service - Example site\n[\s\S]*Active: failed \(Result: exit-code\)/, 'the status block');
  assert.match(result.stdout, /syntax error in Caddyfile, line 3/, 'its journal lines');
  assert.match(result.stdout, /systemctl restart site\.service failed/);
  assert.equal(await get(), 'six\n');
  const log = await fx.ws.deptool('log', '-n', '1');
  assert.match(log.stdout, /^ {4}web: rolled-back \(/m);
});

test('a new app whose unit fails is rolled back without leaving a failed unit: the host is not degraded and the next deploy goes through', async () => {
  await fx.ws.write(site('eight\n'));
  assert.equal((await fx.ws.deptool('deploy', '--yes', '--settle', '0.3')).code, 0);
  const other = {
    'web/other/manifest.json': '{ "systemd": { "units_enabled": ["other.service"] } }',
    'web/other/systemd/other.service': "[Service]\nExecStart=/bin/sh -c 'echo cannot start >&2; exit 1'\n[Install]\nWantedBy=multi-user.target\n",
  };
  await fx.ws.write({ ...site('eight\n'), ...other });
  const failed = await fx.ws.deptool('deploy', '--yes', '--settle', '0.5');
  assert.equal(failed.code, 3, failed.stdout + failed.stderr);
  assert.match(failed.stdout, /^ {2}web: rolled back$/m);
  assert.equal((await sh('systemctl is-system-running')).trim(), 'running', 'no failed unit is left behind');
  assert.equal(await sh('systemctl list-units --failed --no-legend --plain'), '');
  await fx.ws.write({ ...site('eight\n'), ...other, 'web/other/systemd/other.service': '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' });
  const fixed = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.equal((await sh('systemctl is-active other.service')).trim(), 'active');
});
