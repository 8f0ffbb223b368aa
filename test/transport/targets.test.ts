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
  return { ...EMPTY_SETTINGS, defaults, hosts: new Map(Object.entries(hosts)) };
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

test('Match exec blocks apply only where commands may run; otherwise a warning says so', () => {
  const target = resolve('Match exec "true"\n  Port 2000\n');
  assert.equal(target.port, 22);
  assert.deepEqual(target.warnings, ['~/.ssh/config: Match exec "true": commands are only run when deptool connects, so the block was not applied (for host web)']);
});

test('Match exec runs its command with tokens expanded, and applies when it exits 0', () => {
  const ran: string[] = [];
  const exec = (command: string) => {
    ran.push(command);
    return command.includes('web.example.com');
  };
  const text = ['Host web', '  HostName web.example.com', '  User deploy', 'Match exec "probe %h %p %r %n %%"', '  Port 2000', 'Match exec "other %h"', '  Port 3000'].join('\n');
  const target = resolve(text, EMPTY_SETTINGS, 'web', { exec });
  assert.deepEqual(ran, ['probe web.example.com 22 deploy web %', 'other web.example.com']);
  assert.equal(target.port, 2000);
  assert.equal(target.warnings, undefined);
});

test('Match exec is not run once an earlier criterion failed, as in OpenSSH', () => {
  const ran: string[] = [];
  const target = resolve('Match host db exec "probe"\n  Port 2000\n', EMPTY_SETTINGS, 'web', { exec: (command) => ran.push(command) > 0 });
  assert.deepEqual(ran, []);
  assert.equal(target.port, 22);
});

test('Match host tests the HostName so far, originalhost the alias, and ! negates', () => {
  const text = ['Host web', '  HostName 10.1.2.3', 'Match host 10.1.*', '  Port 2000', 'Match originalhost web', '  User fromalias', 'Match !host 10.1.*', '  IdentityFile ~/.ssh/never'].join('\n');
  const target = resolve(text);
  assert.equal(target.port, 2000);
  assert.equal(target.user, 'fromalias');
  assert.ok(!target.identityFiles.includes(`${HOME}/.ssh/never`));
  assert.equal(resolve('Match !host db,cache\n  Port 2100\n').port, 2100);
  assert.equal(resolve('Match host db,!web\n  Port 2100\n').port, 22);
});

test('Match user sees deptool.json\'s user first, then User so far, then the local user', () => {
  const text = 'Match user ops\n  Port 2000\nMatch user ann\n  Port 3000\n';
  assert.equal(resolve(text).port, 3000);
  assert.equal(resolve(text, settings({}, { web: { user: 'ops' } })).port, 2000);
  assert.equal(resolve(`Host web\n  User ops\n${text}`).port, 2000);
  // User names are compared case-sensitively.
  assert.equal(resolve('Match user ANN\n  Port 2000\n').port, 22);
  assert.equal(resolve('Match localuser ann\n  Port 2500\n').port, 2500);
});

test('Match final applies in a second pass, where Host patterns see the host name', () => {
  const text = ['Host web', '  HostName web.example.com', 'Match final host *.example.com', '  Port 2000', 'Host *.example.com', '  User final', 'Match canonical', '  IdentityFile ~/.ssh/canonical'].join('\n');
  const target = resolve(text);
  assert.equal(target.port, 2000);
  assert.equal(target.user, 'final');
  assert.ok(target.identityFiles.includes(`${HOME}/.ssh/canonical`));
  assert.equal(resolve('Match canonical\n  Port 2000\n').port, 22);
});

test('a Match criterion deptool does not know never applies, with a warning naming it and the host', () => {
  const target = resolve('Match localnetwork 10.0.0.0/8\n  Port 2000\nMatch all\n  User everyone\n');
  assert.equal(target.port, 22);
  assert.equal(target.user, 'everyone');
  assert.deepEqual(target.warnings, ['~/.ssh/config: Match localnetwork 10.0.0.0/8: deptool does not support this criterion, so the block never applies (for host web)']);
});

test('ConnectTimeout is read per host in OpenSSH\'s time format', () => {
  const text = 'Host web\n  ConnectTimeout 1m30s\nHost db\n  ConnectTimeout 7\n';
  assert.equal(resolve(text).connectTimeout, 90);
  assert.equal(resolve(text, EMPTY_SETTINGS, 'db').connectTimeout, 7);
  assert.equal(resolve('').connectTimeout, undefined);
});

test('a ConnectTimeout deptool cannot use is a configuration error naming the file and the host', () => {
  for (const bad of ['0', 'soon', '-3']) {
    assert.throws(() => resolve(`Host web\n  ConnectTimeout ${bad}\n`), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.issues[0]?.path, '~/.ssh/config');
      assert.match(error.issues[0]?.message ?? '', /^ConnectTimeout ".*" \(for host web\) is not a time deptool can use/);
      return true;
    });
  }
});

test('ProxyCommand expands %h %p %r %n and %%', () => {
  const target = resolve('Host web\n  HostName 10.0.0.5\n  User deploy\n  Port 2200\n  ProxyCommand ssh -W %h:%p -l %r gw -o Tag=%n-100%%\n');
  assert.equal(target.proxyCommand, 'ssh -W 10.0.0.5:2200 -l deploy gw -o Tag=web-100%');
  assert.equal(target.proxyJump, null);
});

test('a token ProxyCommand does not take is a configuration error', () => {
  assert.throws(() => resolve('ProxyCommand nc %d 22\n'), /ProxyCommand "nc %d 22" \(for host web\) uses the token %d, which OpenSSH does not expand in ProxyCommand/);
});

test('of ProxyCommand and ProxyJump the first one given wins, and deptool.json\'s proxy_jump beats both', () => {
  const commandFirst = resolve('Host web\n  ProxyCommand connect-web\nHost *\n  ProxyJump gw\n');
  assert.deepEqual([commandFirst.proxyCommand, commandFirst.proxyJump], ['connect-web', null]);
  const jumpFirst = resolve('Host web\n  ProxyJump gw\nHost *\n  ProxyCommand connect-web\n');
  assert.deepEqual([jumpFirst.proxyCommand, jumpFirst.proxyJump], [undefined, 'gw']);
  const own = resolve('Host web\n  ProxyCommand connect-web\n', settings({}, { web: { proxyJump: 'bastion' } }));
  assert.deepEqual([own.proxyCommand, own.proxyJump], [undefined, 'bastion']);
  // ssh config's ProxyCommand is more specific than deptool.json's cluster-wide proxy_jump.
  const defaults = resolve('Host web\n  ProxyCommand connect-web\n', settings({ proxyJump: 'bastion' }));
  assert.deepEqual([defaults.proxyCommand, defaults.proxyJump], ['connect-web', null]);
  assert.equal(resolve('ProxyCommand none\n').proxyCommand, undefined);
});

test('IdentityAgent is a socket path with tokens, none, SSH_AUTH_SOCK or $VAR', () => {
  assert.equal(resolve('IdentityAgent ~/.agent/%r.sock\n').identityAgent, `${HOME}/.agent/ann.sock`);
  assert.equal(resolve('IdentityAgent none\n').identityAgent, null);
  assert.equal(resolve('IdentityAgent SSH_AUTH_SOCK\n').identityAgent, undefined);
  assert.equal(resolve('IdentityAgent $OTHER_SOCK\n', EMPTY_SETTINGS, 'web', { env: { OTHER_SOCK: '/run/other.sock' } }).identityAgent, '/run/other.sock');
  assert.throws(() => resolve('IdentityAgent $MISSING_SOCK\n'), /IdentityAgent "\$MISSING_SOCK" \(for host web\) names the environment variable MISSING_SOCK, which is not set/);
  assert.equal(resolve('').identityAgent, undefined);
});

test('CertificateFile and other options deptool cannot honour are warnings naming the option and the host', () => {
  const target = resolve('Host web\n  CertificateFile ~/.ssh/id_ed25519-cert.pub\n  IdentitiesOnly yes\n  HostKeyAlias webkey\n  CanonicalizeHostname no\n');
  assert.deepEqual(target.warnings, [
    '~/.ssh/config: HostKeyAlias webkey: not supported; host keys are looked up under the host name and port (for host web)',
    '~/.ssh/config: IdentitiesOnly yes: not supported; every key of the agent is offered as well (for host web)',
    "~/.ssh/config: CertificateFile ~/.ssh/id_ed25519-cert.pub: not supported, as deptool's SSH library (ssh2) cannot authenticate with OpenSSH certificates; only plain keys are offered (for host web)",
  ]);
  assert.equal(resolve('Host db\n  CertificateFile x\n').warnings, undefined);
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
