// The permissions a file gets from its app's rules, and the list the agent applies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest } from '../../src/tree/manifest.js';
import { filePermissions, permissionsList, readableByOthers } from '../../src/tree/permissions.js';
import { snapshot } from '../helpers/snapshot.js';

const FILES = new Set(['Caddyfile', 'secrets/a.key', 'secrets/.env', 'secrets/sub/c.key', 'key dir/my key.pem']);

function manifest(permissions: unknown) {
  const parsed = parseManifest(JSON.stringify({ permissions }), 'manifest.json', FILES);
  assert.deepEqual(parsed.issues, []);
  return parsed.manifest;
}

test('matching rules merge in the order written, a later one overriding key by key', () => {
  const m = manifest({
    'secrets/**': { mode: '0440', owner: 'root', group: 'caddy' },
    'secrets/*.key': { mode: '0400', owner: 'caddy' },
    'secrets/a.key': { group: 'wheel' },
  });
  assert.deepEqual(filePermissions(m, 'secrets/a.key'), { mode: '0400', owner: 'caddy', group: 'wheel' });
  assert.deepEqual(filePermissions(m, 'secrets/sub/c.key'), { mode: '0440', owner: 'root', group: 'caddy' });
  assert.deepEqual(filePermissions(m, 'Caddyfile'), {});
});

test('globs match whole app-relative paths, dotfiles included', () => {
  const m = manifest({ 'secrets/*': { mode: '0400' }, '*': { mode: '0600' }, '**/*.pem': { mode: '0640' } });
  assert.deepEqual(filePermissions(m, 'secrets/.env'), { mode: '0400' });
  assert.deepEqual(filePermissions(m, 'secrets/sub/c.key'), {});
  assert.deepEqual(filePermissions(m, 'Caddyfile'), { mode: '0600' });
  assert.deepEqual(filePermissions(m, 'key dir/my key.pem'), { mode: '0640' });
});

test('only a mode without o+r makes a file unreadable by others', () => {
  assert.equal(readableByOthers({}), true);
  assert.equal(readableByOthers({ owner: 'caddy' }), true);
  assert.equal(readableByOthers({ mode: '0644' }), true);
  assert.equal(readableByOthers({ mode: '0640' }), false);
  assert.equal(readableByOthers({ mode: '0403' }), false);
});

test('the permissions list has a line per file a rule sets something for, by path, paths last', () => {
  const cluster = snapshot({
    'web/caddy/Caddyfile': 'x',
    'web/caddy/key dir/my key.pem': 'k',
    'web/caddy/secrets/a.key': 'a',
    'web/caddy/secrets/.env': 'e',
    'web/caddy/manifest.json': JSON.stringify({ permissions: { 'secrets/*': { mode: '0400', owner: 'caddy' }, '**/*.pem': { group: '33' }, 'secrets/.env': { mode: '0440' } } }),
    'web/plain/conf': 'c',
  });
  const apps = cluster.get('web')!.apps;
  assert.equal(permissionsList(apps.get('caddy')!), '- - 33 key dir/my key.pem\n0440 caddy - secrets/.env\n0400 caddy - secrets/a.key\n');
  assert.equal(permissionsList(apps.get('plain')!), null);
});
