// Offline parts of the SSH transport: ProxyJump specs, connection names, ping statistics.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TransportError, type Connection, type ExecResult } from '../../src/transport/connection.js';
import { ping, summarize } from '../../src/transport/ping.js';
import { describeTarget, parseJumpSpec } from '../../src/transport/ssh.js';
import type { Target } from '../../src/transport/targets.js';

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
