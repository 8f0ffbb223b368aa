// Checks the e2e fleet harness itself: three real hosts (systemd PID 1, sshd) in nspawn overlays.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootFleet } from './fleet/fleet.js';
import type { Fleet } from './fleet/fleet.js';
import { BASE_ROOTFS, PORT_LOCK_DIR, mountsUnder, run, waitFor } from './fleet/system.js';

describe('e2e fleet harness', () => {
  let fleet: Fleet;

  before(async () => {
    fleet = await bootFleet({ count: 3 });
  });

  after(async () => {
    await fleet?.stop();
  });

  /** OpenSSH with nothing but the fleet's files: no ssh_config, strict host key checking. */
  function strictSsh(port: number, knownHosts: string, command: string[]) {
    return run('ssh', [
      '-F', '/dev/null',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-i', fleet.identityFile,
      '-p', String(port),
      'root@127.0.0.1',
      ...command,
    ], { timeoutMs: 20_000 });
  }

  it('boots three hosts, each answering with its own name over strictly checked ssh', async () => {
    assert.deepEqual(fleet.hosts.map((host) => host.name), ['host01', 'host02', 'host03']);
    assert.equal(new Set(fleet.hosts.map((host) => host.port)).size, 3);
    for (const host of fleet.hosts) {
      assert.match(host.knownHostsLine, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${host.port} ssh-ed25519 AAAA\\S+$`));
      const result = await strictSsh(host.port, fleet.knownHostsFile, ['cat', '/etc/hostname']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${host.name}\n`);
    }
  });

  it('refuses a host whose key is not the one in known_hosts', async () => {
    const [first, second] = fleet.hosts;
    assert.ok(first && second);
    // host02's key filed under host01's address: each host must have its own key.
    const wrong = join(fleet.dir, 'known_hosts.wrong');
    writeFileSync(wrong, `${second.knownHostsLine.replace(`:${second.port} `, `:${first.port} `)}\n`);
    const result = await strictSsh(first.port, wrong, ['true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('runs systemd as PID 1, fully started', async () => {
    for (const host of fleet.hosts) {
      const result = await fleet.exec(host, ['sh', '-c', 'cat /proc/1/comm; systemctl is-system-running']);
      assert.equal(result.stdout, 'systemd\nrunning\n', `${host.name}: ${result.stderr}`);
    }
  });

  it('passes every argument through ssh unchanged', async () => {
    const args = ['a b', "it's", '$HOME', '', '*', '"q"', 'x;y', '\\n'];
    const result = await fleet.exec('host01', ['printf', '%s|', ...args]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${args.join('|')}|`);
  });

  it('serves HTTP from a transient systemd unit, reachable from this machine', async () => {
    const port = await fleet.allocatePort();
    const setup = await fleet.exec('host02', ['sh', '-c', 'mkdir -p /srv/www && cat /etc/hostname > /srv/www/index.html']);
    assert.equal(setup.code, 0, setup.stderr);
    const started = await fleet.exec('host02', [
      'systemd-run', '--unit', 'fleet-http', '-p', 'WorkingDirectory=/srv/www', '-p', 'Restart=on-failure',
      'python3', '-m', 'http.server', String(port), '--bind', '127.0.0.1',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const body = await waitFor(
      async () => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/index.html`);
          return response.ok ? await response.text() : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 10_000, intervalMs: 50, onTimeout: () => new Error(`nothing answered HTTP on port ${port}`) },
    );
    assert.equal(body, 'host02\n');
    assert.equal((await fleet.exec('host02', ['systemctl', 'is-active', 'fleet-http'])).stdout, 'active\n');
    assert.equal((await fleet.exec('host02', ['systemctl', 'stop', 'fleet-http'])).code, 0);
  });

  it('lets the deploy user log in and sudo without a password', async () => {
    const whoami = await fleet.exec('host01', ['id', '-un'], { user: 'deploy' });
    assert.equal(whoami.stdout, 'deploy\n', whoami.stderr);
    const sudo = await fleet.exec('host01', ['sudo', '-n', 'true'], { user: 'deploy' });
    assert.equal(sudo.code, 0, sudo.stderr);
    // No "unable to resolve host" noise: every host knows its own name.
    assert.equal(sudo.stderr, '');
  });

  it('keeps each host\'s files to itself and out of the shared base', async () => {
    const [first] = fleet.hosts;
    assert.ok(first);
    assert.equal((await fleet.exec(first, ['sh', '-c', 'echo mine > /root/only-here'])).code, 0);
    assert.ok(existsSync(join(first.root, 'root/only-here')));
    assert.equal((await fleet.exec('host02', ['test', '-e', '/root/only-here'])).code, 1);
    assert.ok(!existsSync(join(BASE_ROOTFS, 'root/only-here')));
  });

  it('keeps a host\'s files across a poweroff and a power cut', async () => {
    assert.equal((await fleet.exec('host03', ['sh', '-c', 'echo kept > /root/keep && sync'])).code, 0);
    for (const hard of [false, true]) {
      await fleet.stopHost('host03', { hard });
      assert.deepEqual(fleet.processes('host03'), [], `processes left after stopHost(hard=${hard})`);
      assert.equal((await fleet.exec('host03', ['true'], { timeoutMs: 15_000 })).code, 255);
      await fleet.startHost('host03');
      const result = await fleet.exec('host03', ['sh', '-c', 'cat /root/keep /etc/hostname; systemctl is-system-running']);
      assert.equal(result.stdout, 'kept\nhost03\nrunning\n', `after stopHost(hard=${hard}): ${result.stderr}`);
    }
  });

  it('drops open ssh sessions on killSshd and gets sshd back', async () => {
    const session = fleet.exec('host01', ['sleep', '30']);
    await waitFor(async () => ((await fleet.exec('host01', ['pgrep', '-x', 'sleep'])).code === 0 ? true : undefined), {
      timeoutMs: 10_000,
      onTimeout: () => new Error('the sleep session never started'),
    });
    await fleet.killSshd('host01');
    assert.equal((await session).code, 255);
    await waitFor(async () => ((await fleet.exec('host01', ['true'])).code === 0 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
      onTimeout: () => new Error('sshd did not come back'),
    });
  });

  it('leaves no process, mount, port lease or directory behind after stop()', async () => {
    const ports = fleet.hosts.map((host) => host.port);
    await fleet.stop();
    assert.deepEqual(fleet.processes(), []);
    assert.deepEqual(mountsUnder(fleet.dir), []);
    assert.ok(!existsSync(fleet.dir), `${fleet.dir} still exists`);
    for (const port of ports) assert.ok(!existsSync(join(PORT_LOCK_DIR, String(port))), `port ${port} still leased`);
  });
});
