// Resolving hosts to ssh targets: deptool.json over ~/.ssh/config over defaults over built-ins.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { EMPTY_SETTINGS, type ClusterSettings, type HostSettings } from '../../src/tree/settings.js';
import type { ConfigTree } from '../../src/tree/types.js';
import { jumpResolver, resolveTargets, type ResolveOptions, type Target } from '../../src/transport/targets.js';

const HOME = '/home/ann';

function tree(...hosts: string[]): ConfigTree {
  return { cluster: 'prod', dir: '/work/prod', hosts: new Map(hosts.map((name) => [name, { name, apps: new Map() }])) };
}

function settings(defaults: HostSettings, hosts: Record<string, HostSettings> = {}): ClusterSettings {
  return { defaults, hosts: new Map(Object.entries(hosts)), sensitivePaths: [], confirmTimeout: null };
}

function resolve(sshConfigText: string, clusterSettings: ClusterSettings = EMPTY_SETTINGS, host = 'web', extra: Partial<ResolveOptions> = {}): Target {
  const targets = resolveTargets(tree(host), clusterSettings, { sshConfigText, localUser: 'ann', home: HOME, localHostname: 'laptop.lan', env: {}, ...extra });
  return targets.get(host)!;
}

test('without any configuration a host is reached by its dir name on port 22 as the local user', () => {
  assert.deepEqual(resolve(''), {
    host: 'web',
    transport: 'ssh',
    alias: 'web',
    hostName: 'web',
    port: 22,
    user: 'ann',
    identityFiles: ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk'].map((name) => `${HOME}/.ssh/${name}`),
    knownHostsFiles: [`${HOME}/.ssh/known_hosts`, `${HOME}/.ssh/known_hosts2`],
    proxyJump: null,
    expectedHostname: 'web',
  });
});

test('ssh config supplies HostName, Port, User, IdentityFile, UserKnownHostsFile and ProxyJump', () => {
  const target = resolve(
    ['Host web', '  HostName %h.example.com', '  Port 2222', '  User deploy', '  IdentityFile ~/.ssh/%r@%h', '  IdentityFile %d/keys/%u-%p', '  UserKnownHostsFile ~/.ssh/kh %d/kh2', '  ProxyJump jump@%h:22'].join('\n'),
  );
  assert.equal(target.hostName, 'web.example.com');
  assert.equal(target.port, 2222);
  assert.equal(target.user, 'deploy');
  assert.deepEqual(target.identityFiles, [`${HOME}/.ssh/deploy@web.example.com`, `${HOME}/keys/ann-2222`]);
  assert.deepEqual(target.knownHostsFiles, [`${HOME}/.ssh/kh`, `${HOME}/kh2`]);
  assert.equal(target.proxyJump, 'jump@web.example.com:22');
});

test('the first matching value wins, as in OpenSSH', () => {
  const target = resolve(['Host web', '  Port 2000', 'Host *', '  Port 3000', '  User everyone'].join('\n'));
  assert.equal(target.port, 2000);
  assert.equal(target.user, 'everyone');
});

test('deptool.json per-host settings beat ssh config, which beats deptool.json defaults', () => {
  const ssh = ['Host *', '  Port 2000', '  ProxyJump sshjump'].join('\n');
  const clusterSettings = settings({ port: 3000, user: 'ops', proxyJump: 'defaultjump' }, { web: { port: 4000 } });
  const target = resolve(ssh, clusterSettings);
  assert.equal(target.port, 4000);
  assert.equal(target.proxyJump, 'sshjump');
  assert.equal(target.user, 'ops');
  assert.equal(resolve('', settings({ port: 3000 })).port, 3000);
});

test('the deptool.json address is the alias ssh config patterns match', () => {
  const target = resolve('Host *.internal\n  User robot\n', settings({}, { web: { address: 'web1.internal', hostname: 'web1' } }));
  assert.equal(target.alias, 'web1.internal');
  assert.equal(target.hostName, 'web1.internal');
  assert.equal(target.user, 'robot');
  assert.equal(target.expectedHostname, 'web1');
});

test('ProxyJump none and UserKnownHostsFile none turn them off', () => {
  const target = resolve('Host web\n  ProxyJump none\n  UserKnownHostsFile none\n', settings({ proxyJump: 'bastion' }));
  assert.equal(target.proxyJump, null);
  assert.deepEqual(target.knownHostsFiles, []);
});

test('%% is a literal percent sign and ${VAR} reads the environment', () => {
  const target = resolve('Host web\n  IdentityFile ${KEYS}/100%%-%n\n', EMPTY_SETTINGS, 'web', { env: { KEYS: '/keys' } });
  assert.deepEqual(target.identityFiles, ['/keys/100%-web']);
});

test('%C hashes the local host, remote host, port, user and jump like OpenSSH', () => {
  const target = resolve('Host web\n  IdentityFile /k/%C\n');
  const expected = createHash('sha1').update('laptop.lanweb22ann').digest('hex');
  assert.deepEqual(target.identityFiles, [`/k/${expected}`]);
});

test('a host with the local transport does not consult ssh config', () => {
  const target = resolve('Host *\n  Port 2000\n  User nobody\n', settings({}, { web: { transport: 'local' } }));
  assert.equal(target.transport, 'local');
  assert.equal(target.port, 22);
  assert.equal(target.user, 'ann');
  assert.deepEqual(target.identityFiles, []);
});

test('an invalid Port in ssh config is a configuration error naming the file', () => {
  assert.throws(
    () => resolve('Host web\n  Port ssh\n', EMPTY_SETTINGS, 'web', { sshConfigPath: '/home/ann/.ssh/config' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.issues[0]?.path, '/home/ann/.ssh/config');
      assert.match(error.issues[0]?.message ?? '', /Port "ssh" \(for host web\) is not a port number/);
      return true;
    },
  );
});

test('a token OpenSSH does not expand in a key is a configuration error', () => {
  assert.throws(() => resolve('Host web\n  HostName %r.example.com\n'), /HostName "%r.example.com" \(for host web\) uses the token %r, which OpenSSH does not expand in HostName/);
});

test('an unset environment variable is a configuration error', () => {
  assert.throws(() => resolve('Host web\n  IdentityFile ${NOPE}/key\n'), /uses the environment variable NOPE, which is not set/);
});

test('ssh config that cannot be parsed is a configuration error', () => {
  assert.throws(() => resolve('Host web\n  IdentityFile "unterminated\n'), /~\/\.ssh\/config: cannot be parsed/);
});

test('Match exec blocks are never run and so never apply', () => {
  assert.equal(resolve('Match exec "true"\n  Port 2000\n').port, 22);
});

test('a ProxyJump alias is resolved through ssh config, the element’s own user and port winning', () => {
  const config = 'Host bastion\n  HostName 203.0.113.7\n  Port 2222\n  User jump\n  IdentityFile ~/.ssh/bastion_key\n';
  const resolveJump = jumpResolver({ sshConfigText: config, localUser: 'ann', home: HOME, localHostname: 'laptop.lan', env: {} });
  const plain = resolveJump('bastion');
  assert.equal(plain.hostName, '203.0.113.7');
  assert.equal(plain.port, 2222);
  assert.equal(plain.user, 'jump');
  assert.deepEqual(plain.identityFiles, [`${HOME}/.ssh/bastion_key`]);
  const overridden = resolveJump('root@bastion:22');
  assert.equal(overridden.user, 'root');
  assert.equal(overridden.port, 22);
  assert.equal(overridden.hostName, '203.0.113.7');
  assert.equal(resolveJump('other.example.com').hostName, 'other.example.com');
  assert.throws(() => resolveJump('not a host'), ConfigError);
});
