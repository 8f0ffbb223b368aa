// known_hosts parsing and host lookup, checked against OpenSSH's own tools (ssh-keygen -F, -H, -lf).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  checkHostKey,
  entriesFor,
  fingerprint,
  hostKeyAlgorithms,
  hostsMatch,
  keyTypeOf,
  knownHostsName,
  loadKnownHosts,
  parseKnownHosts,
  type KnownHosts,
} from '../../src/transport/known-hosts.js';

const hasKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;

describe('known_hosts', { skip: hasKeygen ? false : 'ssh-keygen is missing' }, () => {
  let dir: string;
  /** `type base64` of freshly generated public keys. */
  const keys: Record<string, string> = {};
  const blob = (name: string) => Buffer.from(keys[name].split(' ')[1], 'base64');

  function keygen(name: string, type: string, bits?: number): void {
    const file = join(dir, name);
    const args = ['-q', '-t', type, '-N', '', '-C', name, '-f', file, ...(bits ? ['-b', String(bits)] : [])];
    const result = spawnSync('ssh-keygen', args);
    assert.equal(result.status, 0, result.stderr?.toString());
    keys[name] = readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  }

  function known(text: string): KnownHosts {
    const { entries, skipped } = parseKnownHosts(text, 'kh');
    return { files: ['kh'], entries, skipped };
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'deptool-kh-'));
    keygen('ed1', 'ed25519');
    keygen('ed2', 'ed25519');
    keygen('ec1', 'ecdsa', 256);
    keygen('rsa1', 'rsa', 2048);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('host names: the bare host for port 22, [host]:port otherwise', () => {
    assert.equal(knownHostsName('web.example.com', 22), 'web.example.com');
    assert.equal(knownHostsName('127.0.0.1', 2201), '[127.0.0.1]:2201');
  });

  test('patterns, wildcards, negation and ports match exactly as ssh-keygen -F finds them', () => {
    const text = [
      `*.example.com,!bad.example.com ${keys.ed1}`,
      `host? ${keys.ed2}`,
      `[10.0.0.1]:2222 ${keys.ec1}`,
      `db1,db2 ${keys.rsa1}`,
      `[*.internal]:* ${keys.ed1}`,
      `!only.negated ${keys.ed2}`,
      `10.0.0.* ${keys.ec1}`,
    ].join('\n');
    const file = join(dir, 'patterns');
    writeFileSync(file, `${text}\n`);
    const names = [
      'a.example.com',
      'deep.a.example.com',
      'example.com',
      'bad.example.com',
      'host1',
      'host12',
      'host',
      '[10.0.0.1]:2222',
      '10.0.0.1',
      '[10.0.0.1]:22',
      'db1',
      'db2',
      'db3',
      '[api.internal]:8022',
      'api.internal',
      'only.negated',
      'other',
      '10.0.0.77',
      '[10.0.0.77]:2222',
    ];
    const { entries } = parseKnownHosts(text, file);
    for (const name of names) {
      const openssh = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
      const expected = [...openssh.stdout.matchAll(/^# Host .* found: line (\d+)/gm)].map((match) => Number(match[1]));
      const ours = entries.filter((entry) => hostsMatch(entry.hosts, name)).map((entry) => entry.line);
      assert.deepEqual(ours, expected, `lines matching ${name}`);
    }
  });

  test('plain patterns compare case-insensitively', () => {
    assert.equal(hostsMatch('Web.Example.COM', 'web.example.com'), true);
    assert.equal(hostsMatch('*.example.com', 'WEB.EXAMPLE.COM'), true);
  });

  test('hashed entries written by ssh-keygen -H match their host and port and nothing else', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `web.example.com ${keys.ed1}\n[127.0.0.1]:2201 ${keys.ed2}\n`);
    const hashed = spawnSync('ssh-keygen', ['-H', '-f', file]);
    assert.equal(hashed.status, 0, hashed.stderr.toString());
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /m);
    assert.doesNotMatch(text, /web\.example\.com|127\.0\.0\.1/);
    const kh = known(text);
    assert.equal(kh.skipped.length, 0);
    assert.deepEqual(entriesFor(kh, 'web.example.com', 22).map((entry) => entry.key), [blob('ed1')]);
    assert.deepEqual(entriesFor(kh, '127.0.0.1', 2201).map((entry) => entry.key), [blob('ed2')]);
    assert.deepEqual(entriesFor(kh, '127.0.0.1', 22), []);
    assert.deepEqual(entriesFor(kh, 'web.example.co', 22), []);
  });

  test('markers, comments, blank lines and damaged lines', () => {
    const [edType, edBase64] = keys.ed1.split(' ');
    const kh = known(
      [
        '# a comment',
        '',
        `   web ${keys.ed1} trailing comment words`,
        `@revoked web ${keys.ed2}`,
        `@cert-authority *.example.com ${keys.ec1}`,
        `@bogus web ${keys.ed1}`,
        `web ${edType}`,
        `web ${edType} not*base64`,
        `web ssh-rsa ${edBase64}`,
        `web ${edType} ${Buffer.from('junk').toString('base64')}`,
        `|1|short|hash ${keys.ed1}`,
        `web\t${keys.ec1}\r`,
      ].join('\n'),
    );
    assert.deepEqual(
      kh.entries.map((entry) => [entry.line, entry.marker, entry.keyType]),
      [
        [3, null, 'ssh-ed25519'],
        [4, 'revoked', 'ssh-ed25519'],
        [5, 'cert-authority', 'ecdsa-sha2-nistp256'],
        [12, null, 'ecdsa-sha2-nistp256'],
      ],
    );
    assert.deepEqual(
      kh.skipped.map((line) => [line.line, line.reason]),
      [
        [6, 'unknown marker @bogus'],
        [7, 'expected a host list, a key type and a base64 key'],
        [8, 'the key is not base64'],
        [9, 'the key type field says ssh-rsa but the key is ssh-ed25519'],
        [10, 'the key is not an SSH public key blob'],
        [11, 'malformed hashed host name'],
      ],
    );
    // @cert-authority lines are never used for a host's keys.
    assert.deepEqual(
      entriesFor(kh, 'a.example.com', 22).map((entry) => entry.line),
      [],
    );
  });

  test('a known key is accepted, a new key of a known type is a change, another type is flagged, none is unknown', () => {
    const kh = known(`web ${keys.ed1}\nweb ${keys.rsa1}\nother ${keys.ec1}\n`);
    const web = entriesFor(kh, 'web', 22);
    assert.equal(checkHostKey(web, blob('ed1')).verdict, 'known');
    assert.equal(checkHostKey(web, blob('rsa1')).verdict, 'known');
    const changed = checkHostKey(web, blob('ed2'));
    assert.equal(changed.verdict, 'changed');
    assert.deepEqual(changed.verdict === 'changed' && changed.expected.map((entry) => entry.line), [1]);
    assert.equal(checkHostKey(web, blob('ec1')).verdict, 'other-type');
    assert.equal(checkHostKey(entriesFor(kh, 'nowhere', 22), blob('ed1')).verdict, 'unknown');
  });

  test('a revoked key is refused, even when another line lists it as good', () => {
    const kh = known(`web ${keys.ed1}\n@revoked * ${keys.ed1}\n`);
    assert.equal(checkHostKey(entriesFor(kh, 'web', 22), blob('ed1')).verdict, 'revoked');
    // A host with only a revoked line has no good key: that is not "unknown" either.
    const onlyRevoked = known(`@revoked web ${keys.ed2}\n`);
    assert.equal(checkHostKey(entriesFor(onlyRevoked, 'web', 22), blob('ed2')).verdict, 'revoked');
    assert.equal(checkHostKey(entriesFor(onlyRevoked, 'web', 22), blob('ed1')).verdict, 'unknown');
  });

  test('host key algorithms offer the known key types first', () => {
    const kh = known(`web ${keys.rsa1}\nedonly ${keys.ed1}\necweb ${keys.ec1}\n@revoked rev ${keys.ed1}\n`);
    assert.deepEqual(hostKeyAlgorithms(entriesFor(kh, 'web', 22)).slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    assert.deepEqual(hostKeyAlgorithms(entriesFor(kh, 'edonly', 22))[0], 'ssh-ed25519');
    assert.deepEqual(hostKeyAlgorithms(entriesFor(kh, 'ecweb', 22))[0], 'ecdsa-sha2-nistp256');
    // Only good entries count; a revoked key type is not "known".
    assert.deepEqual(hostKeyAlgorithms(entriesFor(kh, 'rev', 22)), hostKeyAlgorithms([]));
    const all = hostKeyAlgorithms(entriesFor(kh, 'web', 22));
    assert.equal(new Set(all).size, all.length);
    assert.deepEqual([...all].sort(), [...hostKeyAlgorithms([])].sort());
  });

  test('fingerprints and key types equal what ssh-keygen -lf prints', () => {
    for (const name of ['ed1', 'ec1', 'rsa1']) {
      const openssh = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, `${name}.pub`)], { encoding: 'utf8' });
      const printed = openssh.stdout.split(' ')[1];
      assert.match(printed ?? '', /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.equal(fingerprint(blob(name)), printed);
      assert.equal(keyTypeOf(blob(name)), keys[name].split(' ')[0]);
    }
  });

  test('missing files read as empty; every existing file counts', async () => {
    const first = join(dir, 'kh-a');
    writeFileSync(first, `web ${keys.ed1}\n`);
    const kh = await loadKnownHosts([join(dir, 'missing'), first, join(dir, 'missing-dir', 'kh')]);
    assert.deepEqual(
      kh.entries.map((entry) => [entry.file, entry.line]),
      [[first, 1]],
    );
  });
});
