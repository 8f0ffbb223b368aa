// Offline parts of the SSH transport: ProxyJump specs, connection names, ping statistics,
// what is checked before any connection (names, credentials, passphrases).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { TransportError, type Connection, type ExecResult } from '../../src/transport/connection.js';
import { ping, summarize } from '../../src/transport/ping.js';
import { connectSsh, describeTarget, parseJumpSpec } from '../../src/transport/ssh.js';
import type { Target } from '../../src/transport/targets.js';
import { tempDir } from '../helpers/write-tree.js';

const TARGET: Target = {
  host: 'web',
  transport: 'ssh',
  alias: 'web',
  hostName: 'web.internal',
  port: 22,
  user: 'deploy',
  identityFiles: ['/home/ann/.ssh/id_ed25519'],
  knownHostsFiles: ['/home/ann/.ssh/known_hosts'],
  proxyJump: 'bastion',
  expectedHostname: 'web',
};

describe('parseJumpSpec', () => {
  const parts = (spec: string) => {
    const jump = parseJumpSpec(spec, TARGET);
    return [jump.user, jump.hostName, jump.port];
  };

  test('reads [user@]host[:port], with the final target supplying the user', () => {
    assert.deepEqual(parts('bastion'), ['deploy', 'bastion', 22]);
    assert.deepEqual(parts('ops@bastion.example.com'), ['ops', 'bastion.example.com', 22]);
    assert.deepEqual(parts('ops@10.0.0.1:2222'), ['ops', '10.0.0.1', 2222]);
    assert.deepEqual(parts('[fd00::1]:2222'), ['deploy', 'fd00::1', 2222]);
    assert.deepEqual(parts('ssh://ops@gw:2200'), ['ops', 'gw', 2200]);
  });

  test('uses the final target files and never jumps further', () => {
    const jump = parseJumpSpec('gw', TARGET);
    assert.deepEqual([jump.identityFiles, jump.knownHostsFiles, jump.proxyJump], [TARGET.identityFiles, TARGET.knownHostsFiles, null]);
  });

  test('refuses what is not a host', () => {
    for (const spec of ['', 'a b', 'host:99999', 'host:0', 'user@', '@host', 'host:port']) {
      assert.throws(() => parseJumpSpec(spec, TARGET), (error: unknown) => error instanceof TransportError && /is not \[user@\]host\[:port\]/.test(error.message), spec);
    }
  });
});

test('a connection is named user@host:port, with IPv6 addresses in brackets', () => {
  assert.equal(describeTarget(TARGET), 'deploy@web.internal:22');
  assert.equal(describeTarget({ ...TARGET, hostName: 'fd00::1', port: 2201 }), 'deploy@[fd00::1]:2201');
});

describe('ping', () => {
  test('min, median and nearest-rank p95 of the samples', () => {
    assert.deepEqual(summarize([5, 1, 3]), { count: 3, minMs: 1, medianMs: 3, p95Ms: 5, samplesMs: [5, 1, 3] });
    assert.equal(summarize([4, 1, 3, 2]).medianMs, 2.5);
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(summarize(hundred).p95Ms, 95);
  });

  test('runs `true` count times and times each round trip', async () => {
    const commands: string[][] = [];
    let clock = 0;
    const connection: Connection = {
      description: 'fake',
      exec: (argv) => {
        commands.push([...argv]);
        clock += commands.length * 10;
        return Promise.resolve<ExecResult>({ code: 0, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
      },
      open: () => Promise.reject(new Error('unused')),
      forward: () => Promise.reject(new Error('unused')),
      close: () => Promise.resolve(),
    };
    const stats = await ping(connection, 3, () => clock);
    assert.deepEqual(commands, [['true'], ['true'], ['true']]);
    assert.deepEqual(stats.samplesMs, [10, 20, 30]);
    assert.equal(stats.medianMs, 20);
  });
});

describe('before connecting', () => {
  const OPTIONS = { connectTimeoutMs: 5_000, keepaliveIntervalMs: 1_000, keepaliveCountMax: 3 };

  async function rejection(promise: Promise<unknown>): Promise<TransportError> {
    const error = await promise.then(
      () => assert.fail('expected a rejection'),
      (error: unknown) => error,
    );
    assert.ok(error instanceof TransportError, String(error));
    return error;
  }

  /** A port on 127.0.0.1 where nothing listens. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  test('a name that does not resolve is reported as such, not as missing credentials', async () => {
    const error = await rejection(connectSsh({ ...TARGET, hostName: 'web1.nowhere.invalid', proxyJump: null, identityFiles: [] }, {}, OPTIONS));
    assert.equal(error.kind, 'unreachable');
    assert.match(error.message, /^Cannot resolve the host name web1\.nowhere\.invalid for web \(deploy@web1\.nowhere\.invalid:22\) \((ENOTFOUND|EAI_AGAIN)\)/);
  });

  test('an encrypted key is asked for once per connection, and a wrong passphrase is named', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'id_ed25519');
    await writeFile(file, ssh2.utils.generateKeyPairSync('ed25519', { passphrase: 'right', cipher: 'aes256-ctr', rounds: 4 }).private, { mode: 0o600 });
    const asked: string[] = [];
    const target = { ...TARGET, hostName: '127.0.0.1', port: await closedPort(), proxyJump: null, identityFiles: [file] };
    const wrong = await rejection(connectSsh(target, {
        askPassphrase: (key) => {
          asked.push(key);
          return Promise.resolve('wrong');
        },
      }, OPTIONS));
    assert.deepEqual(asked, [file]);
    assert.equal(wrong.kind, 'auth');
    assert.ok(wrong.message.includes(`  - ${file}: skipped: the passphrase given for it is wrong`), wrong.message);
    // The right one gets past the credentials to the connection, which is refused here.
    const right = await rejection(connectSsh(target, { askPassphrase: () => Promise.resolve('right') }, OPTIONS));
    assert.match(right.message, /^Connection refused by web/);
    const none = await rejection(connectSsh(target, { askPassphrase: () => Promise.resolve(undefined) }, OPTIONS));
    assert.ok(none.message.includes(`  - ${file}: skipped: encrypted, and no passphrase was given`), none.message);
  });

  test('an encrypted key with no way to ask is skipped with the advice to use ssh-agent', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'id_ed25519');
    await writeFile(file, ssh2.utils.generateKeyPairSync('ed25519', { passphrase: 'right', cipher: 'aes256-ctr', rounds: 4 }).private, { mode: 0o600 });
    const error = await rejection(connectSsh({ ...TARGET, hostName: '127.0.0.1', proxyJump: null, identityFiles: [file] }, {}, OPTIONS));
    assert.ok(error.message.includes(`  - ${file}: skipped: encrypted with a passphrase, and there is no terminal to ask for it; add it to ssh-agent (ssh-add) and run again`), error.message);
  });
});
