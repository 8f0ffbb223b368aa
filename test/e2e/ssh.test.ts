// The SSH transport against real sshd hosts: exact argv, streaming, strict host keys, auth, ProxyJump, failures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import type { Connection } from '../../src/transport/connection.js';
import { fingerprint } from '../../src/transport/known-hosts.js';
import { ping } from '../../src/transport/ping.js';
import { connectSsh, type SshAuth, type SshConnectOptions, type SshConnection } from '../../src/transport/ssh.js';
import type { Target } from '../../src/transport/targets.js';
import { bootFleet, type Fleet, type FleetHost } from './fleet/fleet.js';
import { processComm, run, signal, waitFor } from './fleet/system.js';
import { transportError } from '../helpers/rejects.js';

const OPTIONS: SshConnectOptions = { connectTimeoutMs: 10_000, keepaliveIntervalMs: 1_000, keepaliveCountMax: 3 };

describe('ssh transport on the fleet', { timeout: 300_000 }, () => {
  let fleet: Fleet;
  let a: FleetHost;
  let b: FleetHost;
  let c: FleetHost;
  /** The fleet's client key, held in memory as the Action holds its secret. */
  let memoryKey: SshAuth;
  const open: Connection[] = [];

  before(async () => {
    fleet = await bootFleet({ count: 3, prefix: 'ssh' });
    [a, b, c] = fleet.hosts as [FleetHost, FleetHost, FleetHost];
    memoryKey = { privateKeys: [Buffer.from(fleet.privateKeyPem)] };
  });

  after(async () => {
    await Promise.allSettled(open.map((connection) => connection.close()));
    await fleet?.stop();
  });

  function target(host: FleetHost, extra: Partial<Target> = {}): Target {
    return {
      host: host.name,
      transport: 'ssh',
      alias: host.name,
      hostName: host.address,
      port: host.port,
      user: 'root',
      // No default key files of this machine's user: only what a test hands in.
      identityFiles: [],
      knownHostsFiles: [fleet.knownHostsFile],
      proxyJump: null,
      expectedHostname: host.name,
      ...extra,
    };
  }

  async function connect(to: Target, auth: SshAuth = memoryKey, options: Partial<SshConnectOptions> = {}): Promise<SshConnection> {
    const connection = await connectSsh(to, auth, { ...OPTIONS, ...options });
    open.push(connection);
    return connection;
  }


  function knownHosts(name: string, lines: readonly string[]): string {
    const file = join(fleet.dir, name);
    writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
    return file;
  }

  /** The host's ed25519 key fingerprint, as OpenSSH computes it from the key file on the host. */
  function hostFingerprint(host: FleetHost, type = 'ed25519'): string {
    const result = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(host.root, `etc/ssh/ssh_host_${type}_key.pub`)], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.split(' ')[1];
  }

  describe('commands', { timeout: 60_000 }, () => {
    let connection: SshConnection;
    before(async () => {
      connection = await connect(target(a));
    });

    test('exec hands every hostile argument to the command exactly', async () => {
      const args = ['', ' ', "it's", '"q"', '$HOME', '$(id -u)', '`id -u`', '; echo pwned', '*', '~', '-n', 'A=b', 'a\nb', '\\', 'ünïcödé ✓ 🚀', '!', '%s'];
      const result = await connection.exec(['printf', '%s\\0', ...args]);
      assert.equal(result.code, 0, result.stderr.toString());
      assert.deepEqual(result.stdout.toString('utf8').split('\0').slice(0, -1), args);
      // As the command itself too: a quoted `A=b` is a command name, not an assignment.
      const assignment = await connection.exec(['A=b']);
      assert.equal(assignment.code, 127);
    });

    test('exec reports exit status, signal and stdout and stderr apart', async () => {
      const result = await connection.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.deepEqual({ ...result, stdout: result.stdout.toString(), stderr: result.stderr.toString() }, { code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
      const killed = await connection.exec(['sh', '-c', 'kill -TERM $$']);
      assert.deepEqual([killed.code, killed.signal], [null, 'SIGTERM']);
      const missing = await connection.exec(['/nonexistent/agent', 'hello']);
      assert.equal(missing.code, 127);
    });

    test('fast commands never lose their exit status (it can arrive with the channel confirmation)', async () => {
      // On loopback, `true` exits so fast that sshd's exit-status often shares a TCP read
      // with the channel confirmation; it must not be missed.
      for (let round = 0; round < 20; round++) {
        const results = await Promise.all(Array.from({ length: 8 }, () => connection.exec(['true'])));
        assert.deepEqual(results.map((result) => result.code), Array(8).fill(0), `round ${round}`);
      }
      for (let i = 0; i < 50; i++) assert.equal((await connection.exec(['sh', '-c', 'exit 9'])).code, 9, `run ${i}`);
    });

    test('streams 10 MB of stdin through cat and back, byte for byte', async () => {
      const data = randomBytes(10 * 1024 * 1024);
      // A stream in 64 KiB chunks, so backpressure over the SSH window is exercised.
      const chunks = Array.from({ length: data.length / 65536 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
      const result = await connection.exec(['cat'], { stdin: Readable.from(chunks) });
      assert.equal(result.code, 0, result.stderr.toString());
      assert.equal(result.stdout.length, data.length);
      assert.ok(result.stdout.equals(data), 'the echoed bytes differ');
      const summed = await connection.exec(['sha256sum'], { stdin: data });
      assert.equal(summed.stdout.toString().split(' ')[0], createHash('sha256').update(data).digest('hex'));
    });

    test('a long-lived channel echoes what is written and exits when stdin ends', async () => {
      const channel = await connection.open(['cat']);
      let text = '';
      let waiting: { length: number; resolve: () => void } | undefined;
      channel.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (waiting && text.length >= waiting.length) waiting.resolve();
      });
      const ended = new Promise((resolve) => channel.stdout.once('end', resolve));
      const received = (length: number) => new Promise<void>((resolve) => (text.length >= length ? resolve() : (waiting = { length, resolve })));
      channel.write('hello\n');
      await received(6);
      // The answer came back while the channel stays open: it is a live conversation.
      assert.equal(text, 'hello\n');
      channel.write(Buffer.from('second line\n'));
      await received(18);
      channel.end();
      assert.deepEqual(await channel.exited, { code: 0, signal: null });
      await ended;
      assert.equal(text, 'hello\nsecond line\n');
    });

    test('a channel streams stderr separately and reports its exit status', async () => {
      const channel = await connection.open(['sh', '-c', 'cat >&2; exit 7']);
      const errors: Buffer[] = [];
      channel.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
      const ended = new Promise((resolve) => channel.stderr.once('end', resolve));
      channel.stdout.resume();
      channel.write('to stderr');
      channel.end();
      assert.deepEqual(await channel.exited, { code: 7, signal: null });
      await ended;
      assert.equal(Buffer.concat(errors).toString(), 'to stderr');
    });

    test('a command that runs too long is abandoned at its timeout, the connection stays usable', async () => {
      const error = await transportError(connection.exec(['sleep', '30'], { timeoutMs: 300 }));
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /`sleep` did not finish within 300 ms/);
      assert.equal((await connection.exec(['true'])).code, 0);
    });

    test('for a non-root user, the timed-out command is killed on the host', async () => {
      const deploy = await connect(target(a, { user: 'deploy' }));
      const marker = `deptool-timeout-${process.pid}`;
      // `[t]` keeps pgrep's own command line from matching the pattern.
      const running = async () => (await deploy.exec(['pgrep', '-f', marker.replace(/t$/, '[t]')])).code === 0;
      const timedOut = transportError(deploy.exec(['sh', '-c', 'sleep 30; : "$1"', 'sh', marker], { timeoutMs: 1000 }));
      await waitFor(async () => ((await running()) ? true : undefined), { timeoutMs: 900, onTimeout: () => new Error('the command never ran') });
      assert.equal((await timedOut).kind, 'timeout');
      // sshd honours the signal request only with privilege separation, i.e. not for root.
      await waitFor(async () => ((await running()) ? undefined : true), { timeoutMs: 5000, onTimeout: () => new Error(`${marker} still runs on ${a.name}`) });
      await deploy.close();
    });

    test('more channels than sshd allows at once is a clear protocol error', async () => {
      const fresh = await connect(target(a));
      const channels = await Promise.all(Array.from({ length: 10 }, () => fresh.open(['cat'])));
      const error = await transportError(fresh.exec(['true']));
      assert.equal(error.kind, 'protocol');
      assert.match(error.message, /MaxSessions/);
      for (const channel of channels) channel.end();
      await Promise.all(channels.map((channel) => channel.exited));
      assert.equal((await fresh.exec(['true'])).code, 0);
      await fresh.close();
    });

    test('ping measures round trips of `true`', async () => {
      const stats = await ping(connection, 5);
      assert.equal(stats.count, 5);
      assert.equal(stats.samplesMs.length, 5);
      // Ordered statistics, not a time limit.
      const order = [stats.minMs, stats.medianMs, stats.p95Ms];
      assert.ok(order[0] > 0);
      assert.deepEqual(order, [...order].sort((x, y) => x - y));
    });

    test('after close, commands are refused as lost', async () => {
      const extra = await connect(target(a));
      const channel = await extra.open(['cat']);
      await extra.close();
      assert.equal((await transportError(channel.exited)).kind, 'lost');
      const error = await transportError(extra.exec(['true']));
      assert.equal(error.kind, 'lost');
      assert.match(error.message, /`true` could not start, but the connection was closed/);
    });
  });

  describe('host keys', { timeout: 60_000 }, () => {
    test('a host whose key is known is accepted and nothing is reported', async () => {
      const connection = await connect(target(a));
      assert.deepEqual(connection.acceptedHostKeys, []);
      assert.equal(connection.description, `root@127.0.0.1:${a.port}`);
    });

    test('an unknown host is refused with its key type, fingerprint and what to do', async () => {
      const empty = knownHosts('kh-empty', []);
      const error = await transportError(connectSsh(target(a, { knownHostsFiles: [empty, join(fleet.dir, 'missing')] }), memoryKey, OPTIONS));
      assert.equal(error.kind, 'host-key');
      assert.ok(error.message.includes(hostFingerprint(a)), error.message);
      assert.ok(error.message.includes(`Host key of ${a.name} (root@127.0.0.1:${a.port}) is not known: no entry for [127.0.0.1]:${a.port}`), error.message);
      assert.match(error.message, /presented this ssh-ed25519 key/);
      assert.ok(error.message.includes(`ssh-keyscan -p ${a.port} -t ed25519 127.0.0.1 >> ${empty}`), error.message);
    });

    test('a changed key (another host on this port) is refused as a possible man-in-the-middle', async () => {
      const wrong = knownHosts('kh-wrong', [b.knownHostsLine.replace(`:${b.port} `, `:${a.port} `)]);
      const error = await transportError(connectSsh(target(a, { knownHostsFiles: [wrong] }), memoryKey, OPTIONS));
      assert.equal(error.kind, 'host-key');
      assert.match(error.message, /HOST KEY MISMATCH/);
      assert.match(error.message, /man-in-the-middle/);
      assert.ok(error.message.includes(hostFingerprint(a)) && error.message.includes(hostFingerprint(b)), error.message);
      // The opt-in for unknown hosts never covers a changed key.
      const again = await transportError(connectSsh(target(a, { knownHostsFiles: [wrong] }), { ...memoryKey, acceptUnknownHostKeys: true }, OPTIONS));
      assert.match(again.message, /HOST KEY MISMATCH/);
    });

    test('a revoked key is refused even though another line lists it', async () => {
      const [, type, key] = a.knownHostsLine.split(' ');
      const file = knownHosts('kh-revoked', [a.knownHostsLine, `@revoked * ${type} ${key}`]);
      const error = await transportError(connectSsh(target(a, { knownHostsFiles: [file] }), memoryKey, OPTIONS));
      assert.equal(error.kind, 'host-key');
      assert.match(error.message, /REVOKED/);
    });

    test('accepting unknown host keys is an opt-in that reports the fingerprint', async () => {
      const empty = knownHosts('kh-empty2', []);
      const connection = await connect(target(a, { knownHostsFiles: [empty] }), { ...memoryKey, acceptUnknownHostKeys: true });
      assert.deepEqual(connection.acceptedHostKeys, [
        { hop: `${a.name} (root@127.0.0.1:${a.port})`, keyType: 'ssh-ed25519', fingerprint: hostFingerprint(a), knownHostsLine: a.knownHostsLine },
      ]);
      assert.equal((await connection.exec(['cat', '/etc/hostname'])).stdout.toString(), `${a.name}\n`);
    });

    test('hashed known_hosts entries verify the host', async () => {
      const file = knownHosts('kh-hashed', [a.knownHostsLine]);
      const hashed = await run('ssh-keygen', ['-H', '-f', file]);
      assert.equal(hashed.code, 0, hashed.stderr);
      assert.doesNotMatch(readFileSync(file, 'utf8'), /127\.0\.0\.1/);
      const connection = await connect(target(a, { knownHostsFiles: [file] }));
      assert.equal((await connection.exec(['true'])).code, 0);
    });

    describe('a host with two host keys (ed25519 and ecdsa)', () => {
      before(async () => {
        const keyFile = join(c.root, 'etc/ssh/ssh_host_ecdsa_key');
        const keygen = await run('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '256', '-N', '', '-f', keyFile]);
        assert.equal(keygen.code, 0, keygen.stderr);
        writeFileSync(join(c.root, 'etc/ssh/sshd_config.d/zz-ecdsa.conf'), 'HostKey /etc/ssh/ssh_host_ecdsa_key\n');
        const reload = await fleet.exec(c, ['systemctl', 'reload', 'ssh']);
        assert.equal(reload.code, 0, reload.stderr);
        await waitFor(async () => ((await run('ssh-keyscan', ['-p', String(c.port), '-t', 'ecdsa', '127.0.0.1'], { timeoutMs: 5000 })).stdout.includes('ecdsa-sha2-nistp256') ? true : undefined), {
          timeoutMs: 10_000,
          intervalMs: 100,
          onTimeout: () => new Error(`${c.name} never offered its ecdsa key`),
        });
      });

      test('is asked for the key type known_hosts has, whichever it is', async () => {
        const ecdsaLine = readFileSync(join(c.root, 'etc/ssh/ssh_host_ecdsa_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
        // ssh2 would prefer ed25519; with only the ecdsa key known, it must ask for ecdsa.
        const onlyEcdsa = knownHosts('kh-ecdsa', [`[127.0.0.1]:${c.port} ${ecdsaLine}`]);
        const viaEcdsa = await connect(target(c, { knownHostsFiles: [onlyEcdsa] }));
        assert.equal((await viaEcdsa.exec(['true'])).code, 0);
        const onlyEd25519 = knownHosts('kh-ed25519', [c.knownHostsLine]);
        const viaEd25519 = await connect(target(c, { knownHostsFiles: [onlyEd25519] }));
        assert.equal((await viaEd25519.exec(['true'])).code, 0);
      });

      test('a server without the known key type is refused, naming both types', async () => {
        // host a has only ed25519; claim an ecdsa key for it.
        const ecdsaLine = readFileSync(join(c.root, 'etc/ssh/ssh_host_ecdsa_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
        const file = knownHosts('kh-other-type', [`[127.0.0.1]:${a.port} ${ecdsaLine}`]);
        const error = await transportError(connectSsh(target(a, { knownHostsFiles: [file] }), { ...memoryKey, acceptUnknownHostKeys: true }, OPTIONS));
        assert.equal(error.kind, 'host-key');
        assert.match(error.message, /presented ssh-ed25519 SHA256:\S+, but known_hosts only has other key types .*ecdsa-sha2-nistp256/);
      });
    });
  });

  describe('authentication', { timeout: 60_000 }, () => {
    test('with an identity file given explicitly, or from the target', async () => {
      const explicit = await connect(target(a), { identityFile: fleet.identityFile });
      assert.equal((await explicit.exec(['id', '-un'])).stdout.toString(), 'root\n');
      const fromTarget = await connect(target(a, { identityFiles: [join(fleet.dir, 'nope'), fleet.identityFile], user: 'deploy' }), {});
      assert.equal((await fromTarget.exec(['id', '-un'])).stdout.toString(), 'deploy\n');
    });

    test('with ssh-agent', async () => {
      const socket = join(fleet.dir, 'agent.sock');
      const agent = await run('ssh-agent', ['-s', '-a', socket]);
      assert.equal(agent.code, 0, agent.stderr);
      const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
      try {
        const added = spawnSync('ssh-add', [fleet.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
        assert.equal(added.status, 0, added.stderr);
        const connection = await connect(target(a), { agentSocket: socket });
        assert.equal((await connection.exec(['true'])).code, 0);
      } finally {
        signal(pid, 'SIGTERM');
      }
    });

    test('a failure lists every credential tried and what became of it', async () => {
      const dir = fleet.dir;
      const stranger = join(dir, 'stranger');
      const encrypted = join(dir, 'encrypted');
      for (const [file, passphrase] of [
        [stranger, ''],
        [encrypted, 'secret words'],
      ] as const) {
        const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', file]);
        assert.equal(keygen.code, 0, keygen.stderr);
      }
      const strangerKey = readFileSync(stranger);
      const strangerPrint = fingerprint(Buffer.from(readFileSync(`${stranger}.pub`, 'utf8').split(' ')[1], 'base64'));
      const missing = join(dir, 'id_missing');
      const error = await transportError(
        connectSsh(target(a, { identityFiles: [encrypted, missing, stranger] }), { privateKeys: [strangerKey, Buffer.from('not a key')], agentSocket: join(dir, 'no-agent.sock') }, OPTIONS),
      );
      assert.equal(error.kind, 'auth');
      const message = error.message;
      assert.ok(message.startsWith(`Authentication as root failed on ${a.name} (root@127.0.0.1:${a.port}). Tried:\n`), message);
      assert.ok(message.includes(`  - in-memory key 1 (ssh-ed25519 ${strangerPrint}): rejected by the server`), message);
      assert.match(message, / {2}- in-memory key 2: skipped: not a private key deptool can read/);
      assert.match(message, / {2}- ssh-agent at \S+no-agent\.sock: skipped: no such socket/);
      assert.ok(message.includes(`  - ${encrypted}: skipped: encrypted with a passphrase, and there is no terminal to ask for it; add it to ssh-agent`), message);
      assert.ok(message.includes(`  - ${missing}: does not exist`), message);
      assert.ok(message.includes(`  - ${stranger} (ssh-ed25519 ${strangerPrint}): skipped: the same key as one above`), message);
      assert.match(message, /The server accepts: publickey/);
      // The message names keys, never their contents.
      assert.ok(!message.includes(strangerKey.toString().split('\n')[1]), 'key material leaked into the message');
    });

    test("sshd's MaxAuthTries cutting the attempts short is reported with what was tried", async () => {
      const strangers = Array.from({ length: 8 }, () => Buffer.from(ssh2.utils.generateKeyPairSync('ed25519').private));
      const error = await transportError(connectSsh(target(a), { privateKeys: [...strangers, Buffer.from(fleet.privateKeyPem)] }, OPTIONS));
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /The server said: Too many authentication failures/);
      // sshd's default MaxAuthTries is 6.
      assert.equal(error.message.match(/: rejected by the server/g)?.length, 6);
      assert.match(error.message, /in-memory key 6 \(ssh-ed25519 SHA256:\S+\): rejected by the server, which then hung up/);
      assert.match(error.message, /in-memory key 9 \(ssh-ed25519 SHA256:\S+\): not offered/);
    });

    test('no usable credential at all fails before connecting', async () => {
      const error = await transportError(connectSsh(target(a, { identityFiles: [join(fleet.dir, 'none')] }), {}, OPTIONS));
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /No usable SSH credentials for/);
    });
  });

  describe('unreachable hosts', { timeout: 60_000 }, () => {
    let silent: Server;
    const sockets: Socket[] = [];
    before(async () => {
      // Accepts TCP and never says a word, like a hung sshd or a black-holing middlebox.
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    after(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });

    test('the connect timeout fires on a port that accepts TCP but never speaks SSH', async () => {
      const port = (silent.address() as { port: number }).port;
      const error = await transportError(connectSsh(target(a, { port }), memoryKey, { ...OPTIONS, connectTimeoutMs: 500 }));
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /Timed out after 500 ms connecting to ssh01/);
    });

    test('a refused connection says nothing listens there', async () => {
      const port = await fleet.allocatePort();
      const error = await transportError(connectSsh(target(a, { port }), memoryKey, OPTIONS));
      assert.equal(error.kind, 'unreachable');
      assert.match(error.message, new RegExp(`Connection refused by ssh01 \\(root@127\\.0\\.0\\.1:${port}\\): nothing listens on port ${port}`));
    });
  });

  describe('ProxyJump', { timeout: 60_000 }, () => {
    /** The host whose sshd opened the TCP connection `connection` runs over, or who else did. */
    async function peerOf(connection: Connection): Promise<string> {
      // SSH_CONNECTION on the server: client address, client port, server address, server port.
      const env = await connection.exec(['sh', '-c', 'echo $SSH_CONNECTION']);
      const clientPort = env.stdout.toString().split(' ')[1];
      const sockets = await run('ss', ['-tnpH', 'state', 'established', 'sport', '=', `:${clientPort}`]);
      const pids = [...sockets.stdout.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]));
      const host = fleet.hosts.find((each) => pids.length > 0 && pids.every((pid) => fleet.processes(each.name).includes(pid)));
      return host?.name ?? `pids ${pids.join(', ') || 'none'} (${sockets.stdout.trim()})`;
    }

    test('reaches a host through another, whose sshd makes the forwarded connection', async () => {
      const connection = await connect(target(b, { proxyJump: `root@127.0.0.1:${a.port}` }));
      assert.equal((await connection.exec(['cat', '/etc/hostname'])).stdout.toString(), `${b.name}\n`);
      assert.equal(await peerOf(connection), a.name);
      // Without a jump, the peer is this process: the check above can tell them apart.
      const direct = await connect(target(b));
      assert.notEqual(await peerOf(direct), a.name);
    });

    test('resolves aliases through resolveJump and follows a chain of two jumps', async () => {
      const resolved: string[] = [];
      const resolveJump = (spec: string): Target => {
        resolved.push(spec);
        const host = fleet.hosts.find((each) => each.name === spec);
        if (!host) throw new Error(`unknown alias ${spec}`);
        return target(host);
      };
      const connection = await connect(target(c, { proxyJump: `${a.name},${b.name}` }), memoryKey, { resolveJump });
      assert.deepEqual(resolved, [a.name, b.name]);
      assert.equal((await connection.exec(['cat', '/etc/hostname'])).stdout.toString(), `${c.name}\n`);
      // c is reached from b's sshd (and b, in turn, from a's: the first hop is a).
      assert.equal(await peerOf(connection), b.name);
    });

    test("the jump host's own key is verified", async () => {
      // Only b is known: the jump host a is not.
      const onlyB = knownHosts('kh-only-b', [b.knownHostsLine]);
      const error = await transportError(connectSsh(target(b, { proxyJump: `root@127.0.0.1:${a.port}`, knownHostsFiles: [onlyB] }), memoryKey, OPTIONS));
      assert.equal(error.kind, 'host-key');
      assert.ok(error.message.includes(`Host key of jump host root@127.0.0.1:${a.port} on the way to ${b.name} is not known`), error.message);
    });

    test('a next hop the jump host cannot reach is reported as such', async () => {
      const port = await fleet.allocatePort();
      const error = await transportError(connectSsh(target(b, { port, proxyJump: `root@127.0.0.1:${a.port}` }), memoryKey, OPTIONS));
      assert.equal(error.kind, 'unreachable');
      assert.match(error.message, new RegExp(`could not reach 127\\.0\\.0\\.1 port ${port}`));
    });
  });

  describe('a connection that dies', { timeout: 60_000 }, () => {
    test('unanswered keepalives reject pending commands instead of hanging', async () => {
      const connection = await connect(target(b), memoryKey, { keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
      const pending = transportError(connection.exec(['sleep', '30']));
      await new Promise((resolve) => setTimeout(resolve, 200));
      // A frozen host: its sshd processes stop answering but keep their sockets open.
      const sshd = fleet.processes(b.name).filter((pid) => processComm(pid) === 'sshd');
      for (const pid of sshd) signal(pid, 'SIGSTOP');
      try {
        const error = await pending;
        assert.equal(error.kind, 'lost');
        assert.match(error.message, /`sleep` was running, but the connection was lost: Keepalive timeout/);
      } finally {
        for (const pid of sshd) signal(pid, 'SIGCONT');
      }
    });

    test('killing sshd rejects a pending exec and an open channel, and later calls fail fast', async () => {
      const connection = await connect(target(c, { knownHostsFiles: [knownHosts('kh-c', [c.knownHostsLine])] }));
      const pending = transportError(connection.exec(['sleep', '60']));
      const channel = await connection.open(['cat']);
      const exited = transportError(channel.exited);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await fleet.killSshd(c.name);
      const error = await pending;
      assert.equal(error.kind, 'lost');
      assert.match(error.message, new RegExp(`^root@127\\.0\\.0\\.1:${c.port}: \`sleep\` was running, but the connection was lost`));
      assert.equal((await exited).kind, 'lost');
      const later = await transportError(connection.exec(['true']));
      assert.equal(later.kind, 'lost');
    });
  });
});
