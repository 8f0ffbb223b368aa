// manifest.json: strict JSON, known keys and types, units that exist, and safe symlinks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigIssue } from '../../src/errors.js';
import { parseManifest } from '../../src/tree/manifest.js';

const PATH = 'prod/web/caddy/manifest.json';
const FILES = new Set(['Caddyfile', 'tmpfiles.conf', 'conf/site.conf', 'systemd/caddy.service', 'systemd/worker@.service', 'systemd/caddy.service.d/override.conf']);

function issueOf(text: string, files: ReadonlySet<string> = FILES): ConfigIssue {
  const { issues } = parseManifest(text, PATH, files);
  assert.equal(issues.length, 1, `expected one issue, got:\n${JSON.stringify(issues, null, 2)}`);
  assert.equal(issues[0].path, PATH);
  return issues[0];
}

function at(issue: ConfigIssue): string {
  return `${issue.line}:${issue.column}`;
}

test('a valid manifest yields enabled units in order and symlinks by target', () => {
  const text = JSON.stringify({
    systemd: { units_enabled: ['worker@a.service', 'caddy.service'] },
    symlinks: { '/etc/tmpfiles.d/caddy.conf': 'tmpfiles.conf', '/etc/caddy': 'conf' },
  });
  const { manifest, issues } = parseManifest(text, PATH, FILES);
  assert.deepEqual(issues, []);
  assert.deepEqual(manifest.unitsEnabled, ['worker@a.service', 'caddy.service']);
  assert.deepEqual([...manifest.symlinks], [['/etc/tmpfiles.d/caddy.conf', 'tmpfiles.conf'], ['/etc/caddy', 'conf']]);
});

test('an empty object is an empty manifest, and a byte order mark is tolerated', () => {
  assert.deepEqual(parseManifest('{}', PATH, FILES).issues, []);
  assert.deepEqual(parseManifest('\uFEFF{ "systemd": {} }', PATH, FILES).issues, []);
});

test('a missing comma is invalid JSON reported where the parser stops', () => {
  const issue = issueOf('{\n  "systemd": {}\n  "symlinks": {}\n}');
  assert.equal(at(issue), '3:3');
  assert.match(issue.message, /invalid JSON: expected "," between entries/);
});

test('a trailing comma is named as such', () => {
  const issue = issueOf('{\n  "systemd": {},\n}');
  assert.equal(at(issue), '3:1');
  assert.equal(issue.message, 'invalid JSON: trailing comma');
});

test('comments are not allowed', () => {
  const issue = issueOf('{\n  // units\n  "systemd": {}\n}');
  assert.equal(at(issue), '2:3');
  assert.match(issue.message, /comments are not allowed/);
});

test('an empty file is invalid JSON', () => {
  assert.match(issueOf('').message, /the file ends where a value is expected/);
});

test('the top level must be an object', () => {
  const issue = issueOf('\n["caddy.service"]');
  assert.equal(at(issue), '2:1');
  assert.equal(issue.message, 'the top level must be an object, not an array');
});

test('an unknown top-level key suggests the closest known key', () => {
  const issue = issueOf('{\n  "symlink": {}\n}');
  assert.equal(at(issue), '2:3');
  assert.equal(issue.message, 'unknown key "symlink" at the top level');
  assert.match(issue.hint!, /Did you mean "symlinks"\?/);
});

test('an unknown key in systemd suggests units_enabled', () => {
  const issue = issueOf('{ "systemd": { "unitsEnabled": [] } }');
  assert.equal(at(issue), '1:16');
  assert.equal(issue.message, 'unknown key "unitsEnabled" in `systemd`');
  assert.match(issue.hint!, /Did you mean "units_enabled"\?/);
});

test('a duplicate key is an error at its second occurrence', () => {
  const issue = issueOf('{\n  "symlinks": {},\n  "symlinks": {}\n}');
  assert.equal(at(issue), '3:3');
  assert.match(issue.message, /duplicate key "symlinks" \(first at line 2, column 3\)/);
});

test('systemd must be an object', () => {
  const issue = issueOf('{ "systemd": ["caddy.service"] }');
  assert.equal(at(issue), '1:14');
  assert.equal(issue.message, '`systemd` must be an object, not an array');
});

test('units_enabled must be an array', () => {
  const issue = issueOf('{ "systemd": { "units_enabled": "caddy.service" } }');
  assert.equal(at(issue), '1:33');
  assert.equal(issue.message, '`systemd.units_enabled` must be an array, not the string "caddy.service"');
});

test('units_enabled entries must be strings', () => {
  const issue = issueOf('{ "systemd": { "units_enabled": ["caddy.service", 7] } }');
  assert.equal(at(issue), '1:51');
  assert.equal(issue.message, '`systemd.units_enabled[1]` must be a string, not the number 7');
});

test('symlinks must map to strings', () => {
  const issue = issueOf('{ "symlinks": { "/etc/caddy": true } }');
  assert.equal(at(issue), '1:31');
  assert.equal(issue.message, '`symlinks["/etc/caddy"]` must be a string, not true');
});

test('an enabled unit must be a unit file of the app, with a suggestion for a typo', () => {
  const issue = issueOf('{ "systemd": { "units_enabled": ["cady.service"] } }');
  assert.equal(at(issue), '1:34');
  assert.match(issue.message, /"cady.service" in `systemd.units_enabled` is not a unit file in the app's systemd\/ directory/);
  assert.equal(issue.hint, 'Did you mean "caddy.service"?');
});

test('a drop-in cannot be enabled as a unit', () => {
  assert.match(issueOf('{ "systemd": { "units_enabled": ["caddy.service.d/override.conf"] } }').message, /is not a unit file/);
});

test('an instance needs its template in the app', () => {
  const issue = issueOf('{ "systemd": { "units_enabled": ["backup@daily.service"] } }');
  assert.match(issue.message, /is an instance of backup@\.service, which is not in the app's systemd\/ directory/);
  assert.match(issue.hint!, /Add systemd\/backup@\.service/);
});

test('an enabled unit listed twice is an error', () => {
  const issue = issueOf('{ "systemd": { "units_enabled": ["caddy.service",\n "caddy.service"] } }');
  assert.equal(at(issue), '2:2');
  assert.match(issue.message, /caddy.service is listed twice/);
});

test('a relative symlink target is rejected', () => {
  const issue = issueOf('{ "symlinks": { "etc/caddy": "conf" } }');
  assert.equal(at(issue), '1:17');
  assert.match(issue.message, /symlink target "etc\/caddy" is not an absolute path/);
});

test('symlink targets must be normalised', () => {
  for (const [target, normal] of [['/etc//caddy', '/etc/caddy'], ['/etc/./caddy', '/etc/caddy'], ['/etc/x/../caddy', '/etc/caddy'], ['/etc/caddy/', '/etc/caddy']]) {
    const issue = issueOf(JSON.stringify({ symlinks: { [target]: 'conf' } }));
    assert.match(issue.message, /is not normalised/);
    assert.equal(issue.hint, `Write it as ${JSON.stringify(normal)}.`);
  }
});

test('the root directory cannot be a symlink target', () => {
  assert.match(issueOf('{ "symlinks": { "/": "conf" } }').message, /is the root directory/);
});

test('symlink targets may not be in or at /var/lib/deptool', () => {
  assert.match(issueOf('{ "symlinks": { "/var/lib/deptool/apps/x": "conf" } }').message, /is inside \/var\/lib\/deptool/);
  assert.match(issueOf('{ "symlinks": { "/var/lib/deptool": "conf" } }').message, /is inside \/var\/lib\/deptool/);
});

test('symlink targets in /etc/systemd/system point to systemd/', () => {
  const issue = issueOf('{ "symlinks": { "/etc/systemd/system/caddy.service": "Caddyfile" } }');
  assert.match(issue.message, /is inside \/etc\/systemd\/system/);
  assert.match(issue.hint!, /app's systemd\/ directory/);
});

test('symlink targets in /etc/sysusers.d point to sysusers/', () => {
  assert.match(issueOf('{ "symlinks": { "/etc/sysusers.d/caddy.conf": "Caddyfile" } }').hint!, /app's sysusers\/ directory/);
});

test('a target next to a reserved dir with a common prefix is fine', () => {
  assert.deepEqual(parseManifest('{ "symlinks": { "/etc/systemd/system.conf": "Caddyfile", "/var/lib/deptool2": "conf" } }', PATH, FILES).issues, []);
});

test('an absolute symlink source is rejected', () => {
  const issue = issueOf('{ "symlinks": { "/etc/caddy": "/srv/conf" } }');
  assert.equal(at(issue), '1:31');
  assert.match(issue.message, /symlink source "\/srv\/conf" is an absolute path/);
});

test('a symlink source may not escape the app', () => {
  assert.match(issueOf('{ "symlinks": { "/etc/caddy": "conf/../../other" } }').message, /points outside the app/);
});

test('a symlink source must be normalised', () => {
  const issue = issueOf('{ "symlinks": { "/etc/caddy": "./conf" } }');
  assert.match(issue.message, /is not normalised/);
  assert.equal(issue.hint, 'Write it as "conf".');
});

test('a symlink source must exist in the app, with a suggestion for a typo', () => {
  const issue = issueOf('{ "symlinks": { "/etc/caddy/Caddyfile": "Cadyfile" } }');
  assert.match(issue.message, /symlink source "Cadyfile" does not exist in the app/);
  assert.equal(issue.hint, 'Did you mean "Caddyfile"?');
});

test('a symlink source cannot be the app directory itself', () => {
  assert.match(issueOf('{ "symlinks": { "/etc/caddy": "" } }').message, /is the app directory itself/);
});

test('target key positions are returned for later conflict reports', () => {
  const { targetPositions } = parseManifest('{\n  "symlinks": {\n    "/etc/caddy": "conf"\n  }\n}', PATH, FILES);
  assert.deepEqual(targetPositions.get('/etc/caddy'), { line: 3, column: 5 });
});

test('the store side parses with its own display path', () => {
  const { issues } = parseManifest('{ "x": 1 }', 'store:web/caddy/manifest.json', FILES);
  assert.equal(issues[0]?.path, 'store:web/caddy/manifest.json');
});
