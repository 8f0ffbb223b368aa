// Deploys that must not succeed, on real hosts: failing units roll back, adoption
// refuses different content, and every refusal before activation changes nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = async (command: string) => (await fx.fleet.exec('web', ['sh', '-c', command])).stdout;

function unit(execStart: string, extra = ''): string {
  return `[Unit]\nDescription=Example site\n\n[Service]\nExecStart=${execStart}\n${extra}\n[Install]\nWantedBy=multi-user.target\n`;
}

const serve = () => `/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
const MANIFEST = '{ "systemd": { "units_enabled": ["site.service"] } }';

async function get(): Promise<string> {
  const result = await fx.fleet.exec('web', ['python3', '-c', `import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:${fx.port}/index.html').read().decode(),end='')`]);
  return result.stdout;
}

/** What must not change when a deploy is refused: the app's revisions, links and state, and the store. */
async function snapshot(): Promise<string> {
  const host = await sh('ls -l /var/lib/deptool/apps/site 2>&1; cat /var/lib/deptool/state.json 2>&1; ls -l /etc/systemd/system/site.service /etc/site.conf 2>&1');
  const store = await fx.ws.deptool('log', '-n', '1');
  return `${host}\n${store.stdout}`;
}

async function deployGood(content: string): Promise<void> {
  await fx.ws.write({ 'web/site/index.html': content, 'web/site/manifest.json': MANIFEST, 'web/site/systemd/site.service': unit(serve()) });
  const result = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(await get(), content);
}

test('a unit with a bad ExecStart is rolled back: old content served, exit 3, status shown', async () => {
  await deployGood('good 1\n');
  await fx.ws.write({ 'web/site/index.html': 'bad\n', 'web/site/manifest.json': MANIFEST, 'web/site/systemd/site.service': unit('/usr/bin/does-not-exist') });
  const result = await fx.ws.deptool('deploy', '--yes');
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(result.stdout, /^ {2}web: rolling back$/m, 'the rollback shows while it happens');
  assert.match(result.stdout, /^ {2}web: rolled back$/m);
  assert.match(result.stdout, /site\.service - Example site\n[\s\S]*status=203\/EXEC/);
  assert.equal(await get(), 'good 1\n');
  assert.equal((await sh('systemctl is-active site.service')).trim(), 'active');
  const log = await fx.ws.deptool('log', '-n', '1');
  assert.match(log.stdout, /^ {4}web: rolled-back \(/m);
  const plan = await fx.ws.deptool('plan');
  assert.match(plan.stdout, /~ index\.html/, 'the store still says the old content is deployed');
});

test('a unit that exits after 1.5 s is caught by the settle time and rolled back', async () => {
  await deployGood('good 2\n');
  await fx.ws.write({
    'web/site/index.html': 'crashes later\n',
    'web/site/manifest.json': MANIFEST,
    'web/site/systemd/site.service': unit(`/bin/sh -c 'sleep 1.5; exit 1'`),
  });
  const result = await fx.ws.deptool('deploy', '--yes', '--settle', '2.5');
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(result.stdout, /web: rolled back/);
  assert.equal(await get(), 'good 2\n');
});

test('an identical file at a symlink target is adopted; a different one is refused and nothing changes', async () => {
  await deployGood('good 3\n');
  await sh("printf 'same\\n' > /etc/site.conf");
  const files = (content: string) => ({
    'web/site/index.html': content,
    'web/site/site.conf': 'same\n',
    'web/site/manifest.json': '{ "systemd": { "units_enabled": ["site.service"] }, "symlinks": { "/etc/site.conf": "site.conf" } }',
    'web/site/systemd/site.service': unit(serve()),
  });
  await fx.ws.write(files('adopted\n'));
  const adopted = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.equal(adopted.code, 0, adopted.stdout + adopted.stderr);
  assert.equal((await sh('readlink /etc/site.conf')).trim(), '/var/lib/deptool/apps/site/current/site.conf');

  await fx.ws.write({ 'web/site/index.html': 'adopted\n', 'web/site/manifest.json': MANIFEST, 'web/site/systemd/site.service': unit(serve()) });
  assert.equal((await fx.ws.deptool('deploy', '--yes', '--settle', '0.3')).code, 0);
  await sh("printf 'different\\n' > /etc/site.conf");
  const before = await snapshot();
  await fx.ws.write(files('refused\n'));
  const refused = await fx.ws.deptool('deploy', '--yes', '--settle', '0.3');
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout, /\/etc\/site\.conf exists with different content; move it away, or make it identical to adopt it/);
  assert.equal(await sh('cat /etc/site.conf'), 'different\n');
  assert.equal(await get(), 'adopted\n');
  assert.equal((await sh('readlink /var/lib/deptool/apps/site/current')).trim(), before.match(/current -> (\w+)/)?.[1]);
  await sh('rm /etc/site.conf');
});

/** Runs a deploy that must be refused, and checks the host and the store did not change. */
async function refused(expected: RegExp, settings?: unknown): Promise<void> {
  const before = await snapshot();
  await fx.ws.write(
    { 'web/site/index.html': `refused ${expected.source}\n`, 'web/site/manifest.json': MANIFEST, 'web/site/systemd/site.service': unit(serve()) },
    { settings },
  );
  const result = await fx.ws.deptool('deploy', '--yes');
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /Nothing was changed: 1 host refused the deploy/);
  assert.match(result.stdout, expected);
  assert.equal(await snapshot(), before);
}

test('refusals change nothing: wrong hostname, locked host, degraded host, drift, unknown host key', async (t) => {
  await deployGood('baseline\n');

  await t.test('a wrong /etc/hostname', async () => {
    await refused(/\/etc\/hostname says 'web', expected 'db'/, { hosts: { web: { hostname: 'db' } } });
  });

  await t.test('a host locked by another deploy', async () => {
    const agent = (await sh('ls /var/lib/deptool/bin/')).trim();
    const holder = spawn('ssh', ['-F', fx.fleet.sshConfigFile, 'web', `/var/lib/deptool/bin/${agent} session other@laptop 0`], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    try {
      await refused(/locked by another deploy: other@laptop/);
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => holder.on('close', resolve));
    }
  });

  await t.test('a degraded host', async () => {
    await sh('systemd-run --unit broken-thing /bin/false; sleep 0.5');
    try {
      await refused(/system is degraded \(failed: broken-thing\.service\)/);
    } finally {
      await sh('systemctl reset-failed');
    }
  });

  await t.test('a file changed on the host by hand (drift)', async () => {
    await sh('f=/var/lib/deptool/apps/site/current/index.html; chmod u+w "$f"; echo edited > "$f"');
    try {
      await refused(/changed outside deptool \(drift\): site\/index\.html was changed on the host\. Run 'deptool sync --limit web' to accept the host as it is, or 'deptool deploy --overwrite-drift --limit web' to replace the edits/);
    } finally {
      await sh("f=/var/lib/deptool/apps/site/current/index.html; printf 'baseline\\n' > \"$f\"; chmod a-w \"$f\"");
    }
  });

  await t.test('an unknown host key', async () => {
    const known = await readFile(fx.fleet.knownHostsFile, 'utf8');
    await writeFile(fx.fleet.knownHostsFile, '');
    try {
      await refused(/not known|known_hosts/i);
    } finally {
      await writeFile(fx.fleet.knownHostsFile, known);
    }
  });
});

test('rollback flips back to the previous revision without an upload, and to a store commit', async () => {
  await deployGood('first\n');
  const firstCommit = (await fx.ws.deptool('log', '-n', '1')).stdout.slice(0, 10);
  await deployGood('second\n');
  const before = (await sh('readlink /var/lib/deptool/apps/site/previous')).trim();

  const back = await fx.ws.deptool('rollback', '--host', 'web', '--yes', '--settle', '0.3');
  assert.equal(back.code, 0, back.stdout + back.stderr);
  assert.doesNotMatch(back.stdout, /uploading/, 'the previous revision is still on the host');
  assert.equal((await sh('readlink /var/lib/deptool/apps/site/current')).trim(), before);
  assert.equal(await get(), 'first\n');
  const log = await fx.ws.deptool('log', '-n', '1');
  assert.match(log.stdout, new RegExp(`^ {4}Roll back site to [0-9a-f]{10} on web$`, 'm'));
  assert.match((await fx.ws.deptool('plan')).stdout, /~ index\.html/, 'the config tree still says second');

  await deployGood('third\n');
  const to = await fx.ws.deptool('rollback', '--host', 'web', '--to', firstCommit, '--yes', '--settle', '0.3');
  assert.equal(to.code, 0, to.stdout + to.stderr);
  assert.equal(await get(), 'first\n');

  const none = await fx.ws.deptool('rollback', '--host', 'nope', '--yes');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /nothing deployed on host 'nope'/);
});
