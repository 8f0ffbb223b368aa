// The whole tutorial (the one Deptool's docs walk through) on one real host through the CLI, with
// python3's http.server as the service: after each step the on-host layout, the
// served content and the links are what the tutorial says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['webserver'] });

const sh = async (command: string) => (await fx.fleet.exec('webserver', ['sh', '-c', command])).stdout;

/** current, previous and the revision dirs of an app, as `tree` would show them. */
async function layout(app: string): Promise<{ current: string; previous: string; revs: string[] }> {
  const dir = `/var/lib/deptool/apps/${app}`;
  return {
    current: (await sh(`readlink ${dir}/current || true`)).trim(),
    previous: (await sh(`readlink ${dir}/previous || true`)).trim(),
    revs: (await sh(`ls ${dir} | grep -E '^[0-9a-f]{10}$' || true`)).split('\n').filter(Boolean).sort(),
  };
}

async function get(path: string): Promise<string> {
  return (await fx.fleet.exec('webserver', ['python3', '-c', `import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:${fx.port}${path}').read().decode(),end='')`])).stdout;
}

function unit(): string {
  return `[Unit]
Description=Example site

[Service]
ExecStart=/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current

[Install]
WantedBy=multi-user.target
`;
}

const UNITS = '{\n  "systemd": {\n    "units_enabled": ["site.service"]\n  }\n}\n';
const LINKS = '{\n  "systemd": {\n    "units_enabled": ["site.service"]\n  },\n  "symlinks": {\n    "/etc/tmpfiles.d/site.conf": "tmpfiles.conf"\n  }\n}\n';

test('the tutorial, step by step, on a real host', async (t) => {
  await t.test('first deploy adds the app as a revision with current pointing at it', async () => {
    await fx.ws.write({ 'webserver/site/index.html': 'v1\n' });
    const result = await fx.ws.deptool('deploy', '--yes');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^webserver\n {4}add site\n {8}\+ index\.html\n\nAuto-rollback if deploy fails\.\nApply to 1 host in cluster 'prod'\? \[y\/N\/d\] y \(--yes\)\n/);
    assert.match(result.stdout, /^ {2}webserver: done$/m);
    assert.match(result.stdout, /^Changes deployed successfully to 1 host in \d+\.\d\ds\.$/m);
    const apps = await layout('site');
    assert.equal(apps.revs.length, 1);
    assert.equal(apps.current, apps.revs[0]);
    assert.equal(apps.previous, '');
    assert.equal(await sh('cat /var/lib/deptool/apps/site/current/index.html'), 'v1\n');
  });

  await t.test('a change makes a new revision; previous keeps the old one', async () => {
    const before = await layout('site');
    await fx.ws.write({ 'webserver/site/index.html': 'v2\n' });
    const result = await fx.ws.deptool('deploy', '--yes');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const now = await layout('site');
    assert.equal(now.revs.length, 2);
    assert.equal(now.previous, before.current);
    assert.notEqual(now.current, before.current);
  });

  await t.test('adding a unit links, enables and starts it, and shows its status', async () => {
    await fx.ws.write({ 'webserver/site/index.html': 'v2\n', 'webserver/site/manifest.json': UNITS, 'webserver/site/systemd/site.service': unit() });
    const result = await fx.ws.deptool('deploy', '--yes');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^webserver\n {4}update site\n {8}\+ manifest\.json\n {8}\+ systemd\/site\.service\n {8}link unit site\.service\n {8}enable unit site\.service\n/);
    assert.match(result.stdout, /^webserver:\n● site\.service - Example site\n/m);
    assert.match(result.stdout, /Loaded: loaded \(\/etc\/systemd\/system\/site\.service; enabled/);
    assert.equal(await get('/index.html'), 'v2\n');
    assert.equal((await sh('readlink /etc/systemd/system/site.service')).trim(), '/var/lib/deptool/apps/site/current/systemd/site.service');
    assert.equal((await layout('site')).revs.length, 2, 'only current and previous are kept');
  });

  await t.test('a content change restarts the unit and serves the new content', async () => {
    await fx.ws.write({ 'webserver/site/index.html': 'v3\n', 'webserver/site/manifest.json': UNITS, 'webserver/site/systemd/site.service': unit() });
    const result = await fx.ws.deptool('deploy', '--yes');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, / {8}~ index\.html\n {8}restart unit site\.service\n/);
    assert.equal(await get('/index.html'), 'v3\n');
  });

  await t.test('a manifest symlink points through current', async () => {
    await fx.ws.write({
      'webserver/site/index.html': 'v3\n',
      'webserver/site/manifest.json': LINKS,
      'webserver/site/systemd/site.service': unit(),
      'webserver/site/tmpfiles.conf': 'd /var/lib/site 0700 root root - -\n',
    });
    const result = await fx.ws.deptool('deploy', '--yes');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal((await sh('readlink /etc/tmpfiles.d/site.conf')).trim(), '/var/lib/deptool/apps/site/current/tmpfiles.conf');
  });

  await t.test('changing the linked file leaves the link alone and the host has the new content', async () => {
    await fx.ws.write({
      'webserver/site/index.html': 'v3\n',
      'webserver/site/manifest.json': LINKS,
      'webserver/site/systemd/site.service': unit(),
      'webserver/site/tmpfiles.conf': 'd /var/lib/site 0770 root root - -\n',
    });
    const result = await fx.ws.deptool('deploy', '--yes');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /tmpfiles\.d/);
    assert.equal(await sh('cat /etc/tmpfiles.d/site.conf'), 'd /var/lib/site 0770 root root - -\n');
  });

  await t.test('removing the symlink from the manifest removes it from the host', async () => {
    await fx.ws.write({ 'webserver/site/index.html': 'v3\n', 'webserver/site/manifest.json': UNITS, 'webserver/site/systemd/site.service': unit() });
    const result = await fx.ws.deptool('deploy', '--yes');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /unlink \/etc\/tmpfiles\.d\/site\.conf/);
    assert.equal((await sh('test -e /etc/tmpfiles.d/site.conf || test -L /etc/tmpfiles.d/site.conf; echo $?')).trim(), '1');
  });

  await t.test('removing the app disables and unlinks its unit and removes it', async () => {
    await fx.ws.write({ 'webserver/intentionally-left-blank': '' });
    const result = await fx.ws.deptool('deploy', '--yes');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, / {4}remove site\n[\s\S]* {8}disable unit site\.service\n {8}unlink unit site\.service\n/);
    assert.equal((await sh('ls /var/lib/deptool/apps')).trim(), '');
    const status = await fx.fleet.exec('webserver', ['systemctl', 'status', 'site.service']);
    assert.match(status.stderr, /could not be found/);
    const plan = await fx.ws.deptool('plan');
    assert.equal(plan.stdout, "All hosts in cluster 'prod' are up to date.\n");
  });

  await t.test('the store records every attempt', async () => {
    const log = await fx.ws.deptool('log');
    assert.equal(log.stdout.match(/^ {4}webserver: deployed$/gm)?.length, 8);
  });
});
