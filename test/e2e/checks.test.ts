// Health checks, host units and confirmation over a new connection, on a real host through the
// CLI: a unit that runs but answers HTTP 500, a service that exits 1.5 s after it starts, exec
// checks, a deploy that locks the deploy user out of SSH (it undoes itself), a host unit reloaded
// in place, and confirmation turned off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = async (command: string) => {
  const result = await fx.fleet.exec('web', ['sh', '-c', command]);
  assert.equal(result.code, 0, `${command}: ${result.stderr}`);
  return result.stdout;
};

const APP = '/var/lib/deptool/apps/site/current';

/** Answers every GET with the status in status.txt and the body in body.txt, as they are in the running revision. */
const SERVER = `import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = int(open('${APP}/status.txt').read())
        body = open('${APP}/body.txt', 'rb').read()
        self.send_response(status)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
`;

interface Site {
  readonly body: string;
  readonly status?: number;
  readonly checks?: readonly unknown[];
  /** ExecStart instead of the server. */
  readonly execStart?: string;
}

function site(version: Site): Record<string, string> {
  const execStart = version.execStart ?? `/usr/bin/python3 ${APP}/server.py ${fx.port}`;
  return {
    'web/site/server.py': SERVER,
    'web/site/body.txt': version.body,
    'web/site/status.txt': `${version.status ?? 200}\n`,
    'web/site/manifest.json': JSON.stringify({ systemd: { units_enabled: ['site.service'] }, ...(version.checks ? { checks: version.checks } : {}) }),
    'web/site/systemd/site.service': `[Unit]\nDescription=site\n[Service]\nExecStart=${execStart}\n[Install]\nWantedBy=multi-user.target\n`,
  };
}

const health = (extra: object = {}) => ({ http: `http://127.0.0.1:${fx.port}/health`, within: 3, interval: 0.2, ...extra });

/** What the site answers now, from the host itself. */
async function answer(): Promise<string> {
  const get = `import urllib.request, urllib.error
try:
    r = urllib.request.urlopen('http://127.0.0.1:${fx.port}/')
    print(r.status, r.read().decode(), end='')
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode(), end='')
`;
  return (await fx.fleet.exec('web', ['python3', '-c', get])).stdout;
}

async function deploy(files: Record<string, string>, ...args: string[]) {
  await fx.ws.write(files, { settings: {} });
  return fx.ws.deptool('deploy', '--yes', ...args);
}

/** The newest activation's log on the host. */
const lastLog = () => sh('cat "/var/lib/deptool/activations/$(tail -n 1 /var/lib/deptool/activations/order)/log"');

test('an app whose unit starts but answers HTTP 500 is rolled back by its http check, with the status line and body shown', async () => {
  const first = await deploy(site({ body: 'v1 fine\n', checks: [health({ contains: 'fine' })] }));
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, new RegExp(`^web: checks\\n {2}http://127\\.0\\.0\\.1:${fx.port}/health \\(site\\): ok: HTTP/1\\.0 200 OK$`, 'm'));
  assert.match(await lastLog(), /^confirm await$[\s\S]*^check \{.*"ok":true.*\}$\n^confirm ok$/m);

  const broken = await deploy(site({ body: 'Traceback: database unreachable\n', status: 500, checks: [health({ contains: 'fine' })] }));
  assert.equal(broken.code, 3, broken.stdout + broken.stderr);
  assert.match(broken.stdout, /^ {2}web: rolled back: the driver rejected the activation: check http:\/\/127\.0\.0\.1:\d+\/health of app 'site' failed: HTTP\/1\.0 500 Internal Server Error/m);
  assert.match(broken.stdout, /^ {2}http:\/\/127\.0\.0\.1:\d+\/health \(site\): failed: HTTP\/1\.0 500 Internal Server Error \(expected a 2xx status\)\n {4}\| Traceback: database unreachable$/m);
  assert.equal(await answer(), '200 v1 fine\n', 'the host is back on what it ran');
  assert.match((await fx.ws.deptool('log', '-n', '1')).stdout, /^ {4}web: rolled-back \(the driver rejected the activation: check http/m);
});

test('a service that exits 1.5 s after it starts is caught while its check waits for it to answer (within), and rolled back', async () => {
  assert.equal((await deploy(site({ body: 'v2 fine\n' }))).code, 0);
  const result = await deploy(site({ body: 'v3\n', execStart: "/bin/sh -c 'sleep 1.5; exit 3'", checks: [{ tcp: `127.0.0.1:${fx.port}`, within: 20, interval: 0.2 }] }));
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(result.stdout, /^ {2}web: rolled back: site\.service failed during the settle time \(failed\/failed, result exit-code, 0 restarts\)/m);
  assert.equal(await answer(), '200 v2 fine\n');
  assert.equal((await sh('systemctl is-active site.service')).trim(), 'active');
});

test('exec checks run on the host as root, as an argument array; a failing one rolls back with its output', async () => {
  const passing = await deploy(site({ body: 'v4\n', checks: [{ exec: ['/bin/sh', '-c', `test "$(id -u)" = 0 && cat ${APP}/body.txt`], within: 3 }] }));
  assert.equal(passing.code, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, /^ {2}exec \/bin\/sh -c 'test "\$\(id -u\)" = 0 && cat \/var\/lib\/deptool\/apps\/site\/current\/body\.txt' \(site\): ok: exit 0$/m);
  assert.match(await lastLog(), /^check \{"app":"site","kind":"exec",.*"ok":true,"summary":"exit 0","excerpt":"v4"\}$/m);

  const failing = await deploy(site({ body: 'v5\n', checks: [{ exec: ['/usr/bin/python3', '-c', "import sys; print('replica lag 93 s'); sys.exit(2)"], within: 1, interval: 0.5 }] }));
  assert.equal(failing.code, 3, failing.stdout + failing.stderr);
  assert.match(failing.stdout, /\(site\): failed: exit 2\n {4}\| replica lag 93 s$/m);
  assert.equal(await answer(), '200 v4\n');
});

test('a deploy that locks the deploy user out of SSH gets no confirmation: the host rolls itself back and is reachable again', async () => {
  const base = site({ body: 'v6\n' });
  assert.equal((await deploy(base)).code, 0);
  const lockout = {
    ...base,
    'web/sshd/deny.conf': 'DenyUsers root\n',
    'web/sshd/manifest.json': JSON.stringify({ symlinks: { '/etc/ssh/sshd_config.d/deptool-e2e-deny.conf': 'deny.conf' }, systemd: { units_restarted: ['ssh.service'] } }),
  };
  await fx.ws.write(lockout, { settings: { confirm_timeout: 5 } });
  const result = await fx.ws.deptool('deploy', '--yes');
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(result.stdout, /^ {8}link \/etc\/ssh\/sshd_config\.d\/deptool-e2e-deny\.conf -> deny\.conf\n {8}restart unit ssh\.service \(host\)$/m);
  assert.match(result.stdout, /^ {2}web: rolled back: no new SSH connection confirmed the activation within 5 s; can the deploy user still log in \(sshd, its config, the network\)\?; the confirmation over a new connection failed: Authentication as root failed/m);
  // Nobody touched the host: this login, and what it finds, are the proof.
  assert.equal((await fx.fleet.exec('web', ['true'])).code, 0);
  assert.equal(await sh('ls /etc/ssh/sshd_config.d/'), 'deptool-fleet.conf\n');
  assert.equal((await sh('systemctl is-active ssh.service; systemctl is-enabled ssh.service')).trim(), 'active\nenabled');
  assert.match(await lastLog(), /^step \d+ restart ok\nconfirm await\n[\s\S]*^rollback begin$[\s\S]*^unit ssh\.service active running success 0 healthy$\n^rollback end$/m);
  assert.equal((await fx.ws.deptool('plan')).stdout.split('\n')[0], 'web', 'the store did not record the app');

  await fx.ws.write(base, { settings: { confirm_timeout: 5 } });
  assert.equal((await fx.ws.deptool('deploy', '--yes')).stdout.trim(), "All hosts in cluster 'prod' are up to date.");
});

test('a host unit in units_reloaded is reloaded in place and verified; the app never enables, disables or stops it', async () => {
  const pid = (await sh('systemctl show -p MainPID --value ssh.service')).trim();
  const files = (setting: string) => ({
    ...site({ body: 'v7\n' }),
    'web/sshd/tuning.conf': `${setting}\n`,
    'web/sshd/manifest.json': JSON.stringify({ symlinks: { '/etc/ssh/sshd_config.d/deptool-e2e-tuning.conf': 'tuning.conf' }, systemd: { units_reloaded: ['ssh.service'] } }),
  });
  for (const setting of ['ClientAliveInterval 300', 'ClientAliveInterval 240']) {
    const result = await deploy(files(setting));
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ {8}reload unit ssh\.service \(host\)$/m);
    assert.match(await lastLog(), /^step \d+ reload ok$[\s\S]*^unit ssh\.service active running success 0 healthy$/m);
  }
  assert.equal((await sh('systemctl show -p MainPID --value ssh.service')).trim(), pid, 'reloaded, not restarted');
  assert.match(await sh('sshd -T | grep -i clientaliveinterval'), /^clientaliveinterval 240$/m);
  const removed = await deploy(site({ body: 'v7\n' }));
  assert.equal(removed.code, 0, removed.stdout + removed.stderr);
  assert.equal((await sh('systemctl is-active ssh.service; systemctl is-enabled ssh.service')).trim(), 'active\nenabled');
  assert.equal(await sh('ls /etc/ssh/sshd_config.d/'), 'deptool-fleet.conf\n');
});

test('with confirm_timeout 0 a deploy needs no new connection and still deploys; with it on, the host awaited one', async () => {
  await fx.ws.write(site({ body: 'v8\n' }), { settings: { confirm_timeout: 0 } });
  const off = await fx.ws.deptool('deploy', '--yes');
  assert.equal(off.code, 0, off.stdout + off.stderr);
  assert.doesNotMatch(off.stdout, /confirming/);
  assert.doesNotMatch(await lastLog(), /confirm/);
  assert.equal(await answer(), '200 v8\n');

  await fx.ws.write(site({ body: 'v9\n' }), { settings: { confirm_timeout: 0 } });
  const on = await fx.ws.deptool('deploy', '--yes', '--confirm-timeout', '20');
  assert.equal(on.code, 0, on.stdout + on.stderr);
  assert.match(on.stdout, /^ {2}web: confirming \(over a new connection\)$/m);
  assert.match(await lastLog(), /^confirm await\nstep \d+ await ok\nconfirm ok\n/m);
  assert.equal(await answer(), '200 v9\n');
});
