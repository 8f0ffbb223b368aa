// Reading ~/.ssh/config with its Includes, and looking up the values of one alias.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { parseSshConfig, readSshConfig } from '../../src/transport/ssh-config.js';
import { tempDir, writeTree } from '../helpers/write-tree.js';

function lookup(text: string, alias: string) {
  const { config, issues } = parseSshConfig(text, '~/.ssh/config');
  assert.deepEqual(issues, []);
  return config.lookup(alias);
}

test('a missing ssh config reads as empty', async (t) => {
  const home = await tempDir(t);
  assert.equal(await readSshConfig(`${home}/.ssh/config`, home), '');
});

test('relative Include paths are globbed in ~/.ssh, sorted, and hidden files are skipped', async (t) => {
  const home = await tempDir(t);
  await writeTree(home, {
    '.ssh/config': 'Include conf.d/*.conf\n',
    '.ssh/conf.d/20-db.conf': 'Host db\n  Port 2020\n',
    '.ssh/conf.d/10-web.conf': 'Host web\n  Port 1010\n',
    '.ssh/conf.d/.hidden.conf': 'Host web\n  Port 9999\n',
  });
  const text = await readSshConfig(`${home}/.ssh/config`, home);
  assert.equal(lookup(text, 'web').port, '1010');
  assert.equal(lookup(text, 'db').port, '2020');
});

test('directives after a top-level Include apply to every host again', async (t) => {
  const home = await tempDir(t);
  await writeTree(home, {
    '.ssh/config': 'Include ~/.ssh/extra\nUser everyone\n',
    '.ssh/extra': 'Host web\n  Port 1010\n',
  });
  const text = await readSshConfig(`${home}/.ssh/config`, home);
  assert.equal(lookup(text, 'db').user, 'everyone');
  assert.equal(lookup(text, 'web').user, 'everyone');
});

test('an Include inside a Host block keeps the block going after it', async (t) => {
  const home = await tempDir(t);
  await writeTree(home, {
    '.ssh/config': 'Host web\n  Include inner\n  User webuser\n',
    '.ssh/inner': 'Port 1010\n',
  });
  const text = await readSshConfig(`${home}/.ssh/config`, home);
  assert.deepEqual([lookup(text, 'web').port, lookup(text, 'web').user], ['1010', 'webuser']);
  assert.equal(lookup(text, 'db').user, undefined);
});

test('a missing Include file is ignored, as OpenSSH does', async (t) => {
  const home = await tempDir(t);
  await writeTree(home, { '.ssh/config': 'Include nowhere/*.conf missing\nPort 2222\n' });
  assert.equal(lookup(await readSshConfig(`${home}/.ssh/config`, home), 'web').port, '2222');
});

test('IdentityFile values accumulate over every matching block', () => {
  const found = lookup('Host web\n  IdentityFile ~/.ssh/a\nHost *\n  IdentityFile ~/.ssh/b\n', 'web');
  assert.deepEqual(found.identityFiles, ['~/.ssh/a', '~/.ssh/b']);
});

test('keywords are case-insensitive', () => {
  const found = lookup('host web\n  hostname 10.0.0.1\n  PORT 2222\n', 'web');
  assert.deepEqual([found.hostName, found.port], ['10.0.0.1', '2222']);
});

test('a single UserKnownHostsFile value is still a list', () => {
  assert.deepEqual(lookup('UserKnownHostsFile /etc/kh\n', 'web').userKnownHostsFiles, ['/etc/kh']);
});

test('an ssh config that cannot be read is a configuration error naming it', async (t) => {
  const home = await tempDir(t);
  await writeTree(home, { '.ssh/config/oops': 'x' });
  await assert.rejects(readSshConfig(`${home}/.ssh/config`, home), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.issues[0]?.path, `${home}/.ssh/config`);
    assert.match(error.issues[0]?.message ?? '', /cannot be read/);
    return true;
  });
});

test('ProxyCommand is kept as written, with its quotes, for sh -c', () => {
  assert.equal(lookup('ProxyCommand ssh -W "%h:%p" jump\n', 'web').proxyCommand, 'ssh -W "%h:%p" jump');
});

test('CertificateFile values accumulate like IdentityFile', () => {
  assert.deepEqual(lookup('Host web\n  CertificateFile a-cert.pub\nHost *\n  CertificateFile b-cert.pub\n', 'web').certificateFiles, ['a-cert.pub', 'b-cert.pub']);
});

test('Host patterns take wildcards and negations, case-insensitively', () => {
  const text = 'Host *.example.com !db.example.com\n  Port 2000\n';
  assert.equal(lookup(text, 'WEB.example.com').port, '2000');
  assert.equal(lookup(text, 'db.example.com').port, undefined);
  assert.equal(lookup('Host web?\n  Port 2000\n', 'web1').port, '2000');
  assert.equal(lookup('Host web?\n  Port 2000\n', 'web12').port, undefined);
});

test('a Match criterion without its argument is an error naming the file', () => {
  const { issues } = parseSshConfig('Match host\n  Port 2000\n', '~/.ssh/config');
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, '~/.ssh/config');
  assert.match(issues[0].message, /cannot be parsed: Missing value for match criteria host/);
});
