// Which setting chooses a host's connect timeout, and what its timeout message says to raise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectTimeoutFor, sshOptionsFor } from '../../src/deploy/connector.js';
import type { Target } from '../../src/transport/targets.js';

const TARGET: Target = {
  host: 'web',
  transport: 'ssh',
  alias: 'web',
  hostName: 'web.internal',
  port: 22,
  user: 'deploy',
  identityFiles: [],
  knownHostsFiles: [],
  proxyJump: null,
  expectedHostname: 'web',
};
const CLI = { flagName: '--connect-timeout', sshConfigPath: '~/.ssh/config' } as const;

test('the flag beats ssh config, which beats deptool.json, which beats 15 s', () => {
  const configured = { ...TARGET, connectTimeout: 20 };
  assert.equal(connectTimeoutFor(configured, { ...CLI, flag: 5, settings: 30 }).seconds, 5);
  assert.equal(connectTimeoutFor(configured, { ...CLI, settings: 30 }).seconds, 20);
  assert.equal(connectTimeoutFor(TARGET, { ...CLI, settings: 30 }).seconds, 30);
  assert.equal(connectTimeoutFor(TARGET, { ...CLI, settings: null }).seconds, 15);
});

test('the message names the setting that chose the limit and how to raise it', () => {
  assert.equal(connectTimeoutFor(TARGET, { ...CLI, flag: 5 }).hint, 'The limit was set by --connect-timeout 5; give a larger value for a slow link.');
  assert.equal(
    connectTimeoutFor({ ...TARGET, connectTimeout: 20 }, CLI).hint,
    'The limit was set by ConnectTimeout 20 in ~/.ssh/config (for web); raise it there, or pass --connect-timeout SECONDS.',
  );
  assert.equal(connectTimeoutFor(TARGET, { ...CLI, settings: 30 }).hint, 'The limit was set by "connect_timeout": 30 in deptool.json; raise it there, or pass --connect-timeout SECONDS.');
  assert.equal(
    connectTimeoutFor(TARGET, CLI).hint,
    'The limit is the default of 15 s; raise it with --connect-timeout SECONDS, "connect_timeout" in deptool.json or ConnectTimeout in ~/.ssh/config.',
  );
});

test('without a command line (the Action) no flag is suggested', () => {
  const action = { sshConfigPath: 'the ssh-config input' };
  assert.equal(connectTimeoutFor(TARGET, action).hint, 'The limit is the default of 15 s; raise it with "connect_timeout" in deptool.json or ConnectTimeout in the ssh-config input.');
  assert.equal(connectTimeoutFor({ ...TARGET, connectTimeout: 9 }, action).hint, 'The limit was set by ConnectTimeout 9 in the ssh-config input (for web); raise it there.');
});

test('the connect options carry the limit in milliseconds with its hint, and the keepalive', () => {
  const options = sshOptionsFor(TARGET, { ...CLI, settings: 30 });
  assert.deepEqual(options, {
    connectTimeoutMs: 30_000,
    connectTimeoutHint: 'The limit was set by "connect_timeout": 30 in deptool.json; raise it there, or pass --connect-timeout SECONDS.',
    keepaliveIntervalMs: 5_000,
    keepaliveCountMax: 3,
  });
});
