// The CLI's connector against real sshd hosts with OpenSSH options from ~/.ssh/config:
// ProxyCommand, ConnectTimeout and its precedence, IdentityAgent, key passphrases, names that do not resolve.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { connector } from '../../src/cli/connect.js';
import type { Io } from '../../src/cli/io.js';
import type { Connection } from '../../src/transport/connection.js';
import { EMPTY_SETTINGS, type ClusterSettings } from '../../src/tree/settings.js';
import type { ConfigTree } from '../../src/tree/types.js';
import { bootFleet, type Fleet, type FleetHost } from './fleet/fleet.js';
import { run, signal } from './fleet/system.js';
import { transportError } from '../helpers/rejects.js';

/** An Io whose stderr is collected; `stdin` stands for the terminal when given. */
function fakeIo(home: string, env: NodeJS.ProcessEnv = {}, stdin?: PassThrough & { isTTY?: boolean }) {
  let stderr = '';
  const io: Io = {
    stdout: new PassThrough(),
    stderr: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        stderr += chunk.toString();
        callback();
      },
    }),
    stdin: stdin ?? new PassThrough(),
    env: { HOME: home, PATH: process.env.PATH, ...env },
    cwd: home,
  };
  return { io, stderr: () => stderr };
}

/** A stdin that passes for a terminal: raw mode is recorded, input is written by the test. */
function fakeTerminal(): PassThrough & { isTTY: boolean; raw: boolean[]; setRawMode(raw: boolean): void } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; raw: boolean[]; setRawMode(raw: boolean): void };
  stream.isTTY = true;
  stream.raw = [];
  stream.setRawMode = (raw: boolean) => void stream.raw.push(raw);
  return stream;
}

function cluster(hosts: readonly string[], settings: ClusterSettings = EMPTY_SETTINGS): { tree: ConfigTree; settings: ClusterSettings } {
  return { tree: { cluster: 'prod', dir: '/nonexistent/prod', hosts: new Map(hosts.map((name) => [name, { name, apps: new Map() }])) }, settings };
}

describe('OpenSSH options through the CLI connector on the fleet', { timeout: 300_000 }, () => {
  let fleet: Fleet;
  let a: FleetHost;
  let b: FleetHost;
  const open: Connection[] = [];
  let homes = 0;

  before(async () => {
    fleet = await bootFleet({ count: 2, prefix: 'opt' });
    [a, b] = fleet.hosts as [FleetHost, FleetHost];
  });

  after(async () => {
    await Promise.allSettled(open.map((connection) => connection.close()));
    await fleet?.stop();
  });

  /** A home dir whose ~/.ssh/config is `config`; it holds no key of its own. */
  function home(config: string): string {
    const dir = join(fleet.dir, `home${++homes}`);
    mkdirSync(join(dir, '.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, '.ssh', 'config'), config);
    return dir;
  }

  /** ssh config lines that reach `host` directly, with the fleet's known_hosts. */
  function entry(alias: string, host: FleetHost, ...extra: string[]): string {
    return [`Host ${alias}`, `  HostName ${host.address}`, `  Port ${host.port}`, '  User root', `  UserKnownHostsFile ${fleet.knownHostsFile}`, ...extra.map((line) => `  ${line}`), ''].join('\n');
  }

  async function connectVia(io: Io, host: string, settings: ClusterSettings = EMPTY_SETTINGS, connectTimeout?: string): Promise<Connection> {
    const connect = await connector(io, cluster([host], settings), { hosts: [host], ...(connectTimeout === undefined ? {} : { connectTimeout }) });
    const connection = await connect.connect(connect.targets.get(host)!);
    open.push(connection);
    return connection;
  }


  /** The host whose sshd opened the TCP connection `connection` runs over. */
  async function peerOf(connection: Connection): Promise<string> {
    const env = await connection.exec(['sh', '-c', 'echo $SSH_CONNECTION']);
    const clientPort = env.stdout.toString().split(' ')[1];
    const sockets = await run('ss', ['-tnpH', 'state', 'established', 'sport', '=', `:${clientPort}`]);
    const pids = [...sockets.stdout.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]));
    const host = fleet.hosts.find((each) => pids.length > 0 && pids.every((pid) => fleet.processes(each.name).includes(pid)));
    return host?.name ?? `pids ${pids.join(', ') || 'none'} (${sockets.stdout.trim()})`;
  }

  describe('ProxyCommand', { timeout: 60_000 }, () => {
    test('reaches a host through `ssh -W %h:%p` to another fleet host, whose sshd makes the connection', async () => {
      const dir = home(entry('web', b, `IdentityFile ${fleet.identityFile}`, `ProxyCommand ssh -F ${fleet.sshConfigFile} -W %h:%p ${a.name}`));
      const { io, stderr } = fakeIo(dir);
      const connection = await connectVia(io, 'web');
      assert.equal((await connection.exec(['cat', '/etc/hostname'])).stdout.toString(), `${b.name}\n`);
      assert.equal(await peerOf(connection), a.name);
      assert.equal(stderr(), '');
      await connection.close();
      // The command ends with the connection: a's sshd no longer forwards for it.
      const forwards = await fleet.exec(a, ['sh', '-c', `ss -tnH state established dport = :${b.port} | wc -l`]);
      assert.equal(forwards.stdout.trim(), '0');
    });

    test('a command that fails is reported with its exit status and what it said', async () => {
      const dir = home(entry('web', b, `IdentityFile ${fleet.identityFile}`, `ProxyCommand sh -c 'echo "no route to %h" >&2; exit 3'`));
      const error = await transportError(connectVia(fakeIo(dir).io, 'web'));
      assert.equal(error.kind, 'unreachable');
      assert.match(error.message, /^ProxyCommand `sh -c 'echo "no route to 127\.0\.0\.1" >&2; exit 3'` for web \(root@127\.0\.0\.1:\d+\) exited with status 3 before SSH was ready\./);
      assert.match(error.message, /It said: no route to 127\.0\.0\.1/);
    });
  });

  describe('ConnectTimeout against a listener that accepts and never answers', { timeout: 60_000 }, () => {
    let silent: Server;
    let port: number;
    const sockets: Socket[] = [];
    before(async () => {
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as { port: number }).port;
    });
    after(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });

    const silentEntry = (...extra: string[]) => [`Host silent`, `  HostName 127.0.0.1`, `  Port ${port}`, '  User root', `  IdentityFile ${fleet.identityFile}`, `  UserKnownHostsFile ${fleet.knownHostsFile}`, ...extra.map((line) => `  ${line}`), ''].join('\n');
    const withTimeout = (seconds: number) => ({ ...EMPTY_SETTINGS, connectTimeout: seconds });

    test('ssh config ConnectTimeout sets the limit, and the message says so and how to raise it', async () => {
      const before = sockets.length;
      const error = await transportError(connectVia(fakeIo(home(silentEntry('ConnectTimeout 1'))).io, 'silent', withTimeout(3)));
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /^Timed out after 1 s connecting to silent \(root@127\.0\.0\.1:\d+\)\./);
      assert.ok(error.message.endsWith('The limit was set by ConnectTimeout 1 in ~/.ssh/config (for silent); raise it there, or pass --connect-timeout SECONDS.'), error.message);
      // The TCP connection was made: it is SSH that never came.
      assert.equal(sockets.length, before + 1);
    });

    test('--connect-timeout beats ssh config', async () => {
      const error = await transportError(connectVia(fakeIo(home(silentEntry('ConnectTimeout 3'))).io, 'silent', withTimeout(3), '1'));
      assert.match(error.message, /^Timed out after 1 s connecting to silent/);
      assert.ok(error.message.endsWith('The limit was set by --connect-timeout 1; give a larger value for a slow link.'), error.message);
    });

    test("deptool.json's connect_timeout applies where ssh config has none", async () => {
      const error = await transportError(connectVia(fakeIo(home(silentEntry())).io, 'silent', withTimeout(1)));
      assert.match(error.message, /^Timed out after 1 s connecting to silent/);
      assert.ok(error.message.endsWith('The limit was set by "connect_timeout": 1 in deptool.json; raise it there, or pass --connect-timeout SECONDS.'), error.message);
    });

    test('a --connect-timeout that is not a number of seconds is a usage error', async () => {
      const io = fakeIo(home(silentEntry())).io;
      for (const bad of ['0', '1.5', 'ten', '3601']) {
        await assert.rejects(connector(io, cluster(['silent']), { hosts: ['silent'], connectTimeout: bad }), new RegExp(`--connect-timeout takes a whole number of seconds from 1 to 3600, not '${bad.replace('.', '\\.')}'`));
      }
    });
  });

  describe('credentials', { timeout: 60_000 }, () => {
    let encrypted: string;
    const passphrase = 'correct horse battery';

    before(async () => {
      encrypted = join(fleet.dir, 'encrypted_key');
      const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'encrypted', '-f', encrypted]);
      assert.equal(keygen.code, 0, keygen.stderr);
      for (const host of [a, b]) appendFileSync(join(host.root, 'root/.ssh/authorized_keys'), readFileSync(`${encrypted}.pub`));
    });

    test('an encrypted key is asked for once on the terminal, without echo, and serves every host', async () => {
      const dir = home([entry('one', a, `IdentityFile ${encrypted}`), entry('two', b, `IdentityFile ${encrypted}`)].join('\n'));
      const terminal = fakeTerminal();
      const { io, stderr } = fakeIo(dir, {}, terminal);
      const prompt = `Enter passphrase for key '${encrypted}': `;
      const answer = setInterval(() => {
        if (stderr().includes(prompt) && terminal.raw.length === 1) terminal.write(`${passphrase}\r`);
      }, 20);
      try {
        const connect = await connector(io, cluster(['one', 'two']), { hosts: ['one', 'two'] });
        const connections = await Promise.all(['one', 'two'].map((host) => connect.connect(connect.targets.get(host)!)));
        open.push(...connections);
        const names = await Promise.all(connections.map(async (connection) => (await connection.exec(['cat', '/etc/hostname'])).stdout.toString()));
        assert.deepEqual(names, [`${a.name}\n`, `${b.name}\n`]);
      } finally {
        clearInterval(answer);
      }
      assert.equal(stderr(), `${prompt}\n`);
      assert.deepEqual(terminal.raw, [true, false]);
      assert.ok(!stderr().includes(passphrase));
    });

    test('without a terminal, an encrypted key is refused with the advice to add it to ssh-agent', async () => {
      const dir = home(entry('one', a, `IdentityFile ${encrypted}`));
      const error = await transportError(connectVia(fakeIo(dir).io, 'one'));
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /^No usable SSH credentials for one/);
      assert.ok(error.message.includes(`  - ${encrypted}: skipped: encrypted with a passphrase, and there is no terminal to ask for it; add it to ssh-agent (ssh-add) and run again`), error.message);
    });

    test('IdentityAgent names the agent to use, and none turns SSH_AUTH_SOCK off', async () => {
      const socket = join(fleet.dir, 'identity-agent.sock');
      const agent = await run('ssh-agent', ['-s', '-a', socket]);
      assert.equal(agent.code, 0, agent.stderr);
      const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
      try {
        const added = spawnSync('ssh-add', [fleet.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
        assert.equal(added.status, 0, added.stderr);
        const viaConfig = await connectVia(fakeIo(home(entry('one', a, `IdentityAgent ${socket}`))).io, 'one');
        assert.equal((await viaConfig.exec(['id', '-un'])).stdout.toString(), 'root\n');
        const error = await transportError(connectVia(fakeIo(home(entry('one', a, 'IdentityAgent none'))).io, 'one'));
        assert.match(error.message, /^No usable SSH credentials for one/);
        assert.ok(!error.message.includes('ssh-agent at'), error.message);
        // Without IdentityAgent, SSH_AUTH_SOCK is the agent.
        const fromEnv = await connectVia(fakeIo(home(entry('one', a)), { SSH_AUTH_SOCK: socket }).io, 'one');
        assert.equal((await fromEnv.exec(['true'])).code, 0);
      } finally {
        signal(pid, 'SIGTERM');
      }
    });

    test('an unresolvable name is reported as such before any credential problem', async () => {
      const dir = home('Host web\n  HostName web1.nowhere.invalid\n');
      const error = await transportError(connectVia(fakeIo(dir).io, 'web'));
      assert.equal(error.kind, 'unreachable');
      assert.match(error.message, /^Cannot resolve the host name web1\.nowhere\.invalid for web \(\S+@web1\.nowhere\.invalid:22\) \((ENOTFOUND|EAI_AGAIN)\)/);
    });
  });

  test('options deptool cannot honour are warned about on stderr, naming the option and the host', async () => {
    const dir = home(entry('one', a, `IdentityFile ${fleet.identityFile}`, `CertificateFile ${fleet.identityFile}-cert.pub`, 'Match localnetwork 10.0.0.0/8'));
    const { io, stderr } = fakeIo(dir);
    const connection = await connectVia(io, 'one');
    assert.equal((await connection.exec(['true'])).code, 0);
    assert.match(stderr(), /^warning: ~\/\.ssh\/config: CertificateFile \S+-cert\.pub: not supported, .* \(for host one\)\n/m);
    assert.match(stderr(), /^warning: ~\/\.ssh\/config: Match localnetwork 10\.0\.0\.0\/8: deptool does not support this criterion, so the block never applies \(for host one\)\n/m);
  });

  test('a jump host reached through ProxyJump gets its own warnings', async () => {
    const config = [entry('two', b, `IdentityFile ${fleet.identityFile}`, 'ProxyJump gate'), entry('gate', a, `IdentityFile ${fleet.identityFile}`, 'HostKeyAlias gatekey')].join('\n');
    const { io, stderr } = fakeIo(home(config));
    const connection = await connectVia(io, 'two');
    assert.equal((await connection.exec(['cat', '/etc/hostname'])).stdout.toString(), `${b.name}\n`);
    assert.equal(stderr(), 'warning: ~/.ssh/config: HostKeyAlias gatekey: not supported; host keys are looked up under the host name and port (for host gate)\n');
  });
});
