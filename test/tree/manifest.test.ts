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

test('symlink targets in /etc/containers/systemd point to quadlets/, at the key\'s line and column', () => {
  const issue = issueOf('{\n  "symlinks": {\n    "/etc/containers/systemd/web.container": "Caddyfile"\n  }\n}\n');
  assert.equal(at(issue), '3:5');
  assert.match(issue.message, /is inside \/etc\/containers\/systemd/);
  assert.match(issue.hint!, /app's quadlets\/ directory/);
});

test('a unit generated from a quadlet cannot be enabled: the hint says how to start and restart it', () => {
  const files = new Set([...FILES, 'quadlets/web.container', 'quadlets/data.volume']);
  const issue = issueOf('{ "systemd": { "units_enabled": ["web.service"] } }', files);
  assert.equal(at(issue), '1:34');
  assert.equal(issue.message, '"web.service" in `systemd.units_enabled` is generated from quadlets/web.container, and units Podman\'s quadlet generator makes cannot be enabled');
  assert.match(issue.hint!, /\[Install\] section in quadlets\/web\.container .* list it in `systemd\.units_restarted`/);
  assert.match(issueOf('{ "systemd": { "units_enabled": ["data-volume.service"] } }', files).message, /generated from quadlets\/data\.volume/);
  // It may be restarted as a unit the app does not ship.
  assert.deepEqual(parseManifest('{ "systemd": { "units_restarted": ["web.service"] } }', PATH, files).issues, []);
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

// --- permissions ---

const SECRET_FILES = new Set([...FILES, 'secrets/a.key', 'secrets/b.key', 'secrets/.env', 'secrets/sub/c.pem', 'data file.txt']);

test('permissions are kept in the order written, with 3-digit modes as 4 digits', () => {
  const text = '{ "permissions": { "secrets/*.key": { "mode": "0400", "owner": "caddy" }, "Caddyfile": { "group": "caddy", "mode": "640" }, "secrets/**": { "owner": "1000", "group": "www-data" } } }';
  const { manifest, issues } = parseManifest(text, PATH, SECRET_FILES);
  assert.deepEqual(issues, []);
  assert.deepEqual(manifest.permissions, [
    { glob: 'secrets/*.key', mode: '0400', owner: 'caddy' },
    { glob: 'Caddyfile', group: 'caddy', mode: '0640' },
    { glob: 'secrets/**', owner: '1000', group: 'www-data' },
  ]);
});

test('a permissions glob that matches no file is located at its key, with a suggestion', () => {
  const issue = issueOf('{\n  "permissions": {\n    "secret/a.key": { "mode": "0400" }\n  }\n}', SECRET_FILES);
  assert.equal(at(issue), '3:5');
  assert.equal(issue.message, 'permissions glob "secret/a.key" matches no file of the app');
  assert.equal(issue.hint, 'Did you mean "secrets/a.key"?');
  const none = issueOf('{ "permissions": { "*.pem": { "mode": "0400" } } }', SECRET_FILES);
  assert.equal(at(none), '1:20');
  assert.match(none.hint!, /"\*\*\/\*\.key" for any depth/);
});

test('a permissions glob naming a directory says globs match files', () => {
  const issue = issueOf('{ "permissions": { "secrets": { "mode": "0400" } } }', SECRET_FILES);
  assert.equal(at(issue), '1:20');
  assert.equal(issue.message, 'permissions glob "secrets" is a directory, and globs match files');
  assert.equal(issue.hint, 'Write "secrets/*" for its files, or "secrets/**" for everything below it.');
});

test('an invalid permissions glob is located at its key', () => {
  const issue = issueOf('{ "permissions": {\n  "secrets/[ab.key": { "mode": "0400" } } }', SECRET_FILES);
  assert.equal(at(issue), '2:3');
  assert.match(issue.message, /^permissions glob "secrets\/\[ab\.key" is not a valid glob: Missing closing: "\]"/);
});

test('permissions globs must be relative, inside the app, normalised and not negated', () => {
  const cases: [string, RegExp][] = [
    ['/secrets/a.key', /is an absolute path$/],
    ['../web/x', /points outside the app$/],
    ['secrets//a.key', /is not normalised$/],
    ['./Caddyfile', /is not normalised$/],
    ['!secrets/*', /is negated$/],
    ['', /is empty$/],
  ];
  for (const [glob, message] of cases) {
    const issue = issueOf(`{ "permissions": { ${JSON.stringify(glob)}: { "mode": "0400" } } }`, SECRET_FILES);
    assert.equal(at(issue), '1:20', glob);
    assert.match(issue.message, message, glob);
  }
  assert.equal(issueOf('{ "permissions": { "secrets//a.key": { "mode": "0400" } } }', SECRET_FILES).hint, 'Write it as "secrets/a.key".');
});

test('a mode must be a string of 3 or 4 octal digits, located at the value', () => {
  for (const mode of ['0800', '64', '00640', 'rw-r-----', '']) {
    const issue = issueOf(`{ "permissions": { "Caddyfile": { "mode": ${JSON.stringify(mode)} } } }`, SECRET_FILES);
    assert.equal(at(issue), '1:43', mode);
    assert.equal(issue.message, `mode ${JSON.stringify(mode)} is not 3 or 4 octal digits`);
  }
  const number = issueOf('{ "permissions": { "Caddyfile": { "mode": 640 } } }', SECRET_FILES);
  assert.equal(at(number), '1:43');
  assert.equal(number.message, '`permissions.Caddyfile.mode` must be a string, not the number 640');
});

test('a mode with the setuid, setgid or sticky bit is refused, naming the bits', () => {
  const issue = issueOf('{ "permissions": { "Caddyfile": { "mode": "6755" } } }', SECRET_FILES);
  assert.equal(at(issue), '1:43');
  assert.equal(issue.message, 'mode "6755" sets the setuid and setgid bit');
  assert.equal(issue.hint, 'deptool does not set these bits; write "0755".');
  assert.equal(issueOf('{ "permissions": { "Caddyfile": { "mode": "1644" } } }', SECRET_FILES).message, 'mode "1644" sets the sticky bit');
});

test('owner and group must be valid user and group names or ids', () => {
  const good = parseManifest('{ "permissions": { "Caddyfile": { "owner": "_svc-1", "group": "machine$" }, "secrets/*": { "owner": "0", "group": "4294967294" } } }', PATH, SECRET_FILES);
  assert.deepEqual(good.issues, []);
  const cases: [string, string, string][] = [
    ['owner', 'Caddy', 'owner "Caddy" is not a valid user name or id'],
    ['group', '1caddy', 'group "1caddy" is not a valid group name or id'],
    ['owner', 'a'.repeat(33), `owner "${'a'.repeat(33)}" is not a valid user name or id`],
    ['owner', '4294967295', 'owner "4294967295" is not a valid user name or id'],
    ['group', 'cad dy', 'group "cad dy" is not a valid group name or id'],
    ['owner', '', 'owner "" is not a valid user name or id'],
  ];
  for (const [key, value, message] of cases) {
    const issue = issueOf(`{ "permissions": {\n  "Caddyfile": { "${key}": ${JSON.stringify(value)} } } }`, SECRET_FILES);
    assert.equal(at(issue), `2:${22 + key.length}`, value);
    assert.equal(issue.message, message);
  }
  assert.equal(issueOf('{ "permissions": { "Caddyfile": { "owner": "Caddy" } } }', SECRET_FILES).hint, 'Did you mean "caddy"? User names are lowercase.');
});

test('a permissions entry must set something, and knows only mode, owner and group', () => {
  const empty = issueOf('{ "permissions": {\n  "Caddyfile": {} } }', SECRET_FILES);
  assert.equal(at(empty), '2:16');
  assert.equal(empty.message, '`permissions.Caddyfile` sets nothing');
  const unknown = issueOf('{ "permissions": {\n  "Caddyfile": { "mod": "0400" } } }', SECRET_FILES);
  assert.equal(at(unknown), '2:18');
  assert.equal(unknown.message, 'unknown key "mod" in `permissions.Caddyfile`');
  assert.match(unknown.hint!, /Did you mean "mode"\? Allowed keys: mode, owner, group\./);
  const notObject = issueOf('{ "permissions": { "Caddyfile": "0400" } }', SECRET_FILES);
  assert.equal(notObject.message, '`permissions.Caddyfile` must be an object, not the string "0400"');
  const duplicate = issueOf('{ "permissions": {\n  "Caddyfile": { "mode": "0400" },\n  "Caddyfile": { "owner": "caddy" } } }', SECRET_FILES);
  assert.equal(at(duplicate), '3:3');
  assert.match(duplicate.message, /^duplicate key "Caddyfile" in `permissions` \(first at line 2, column 3\)$/);
});

test('every permissions problem is reported at once', () => {
  const { issues } = parseManifest('{ "permissions": {\n "nope": { "mode": "9" },\n "Caddyfile": { "owner": "X" } } }', PATH, SECRET_FILES);
  assert.deepEqual(issues.map((issue) => `${at(issue)} ${issue.message}`), [
    '2:2 permissions glob "nope" matches no file of the app',
    '2:20 mode "9" is not 3 or 4 octal digits',
    '3:26 owner "X" is not a valid user name or id',
  ]);
});

test('validate commands are kept in order, argv as written, {rev} untouched', () => {
  const validate = [
    ['/usr/sbin/nginx', '-t', '-c', '{rev}/nginx.conf'],
    ['/bin/sh', '{rev}/check.sh', 'with space', '--opt={rev}'],
  ];
  const { manifest, issues } = parseManifest(JSON.stringify({ validate }), PATH, FILES);
  assert.deepEqual(issues, []);
  assert.deepEqual(manifest.validate, validate);
  assert.deepEqual(parseManifest('{}', PATH, FILES).manifest.validate, []);
});

test('validate must be a list of argv arrays of strings', () => {
  const notList = issueOf('{\n  "validate": "/usr/sbin/nginx -t"\n}');
  assert.equal(at(notList), '2:15');
  assert.equal(notList.message, '`validate` must be an array, not the string "/usr/sbin/nginx -t"');
  const notArgv = issueOf('{ "validate": [\n  "/usr/sbin/nginx -t" ] }');
  assert.equal(at(notArgv), '2:3');
  assert.equal(notArgv.message, '`validate[0]` must be an array, not the string "/usr/sbin/nginx -t"');
  const number = issueOf('{ "validate": [["/usr/bin/test", 1]] }');
  assert.equal(at(number), '1:34');
  assert.equal(number.message, '`validate[0][1]` must be a string, not the number 1');
  const empty = issueOf('{ "validate": [\n  ["/bin/true"],\n  [] ] }');
  assert.equal(at(empty), '3:3');
  assert.equal(empty.message, '`validate[1]` is an empty command');
  assert.match(empty.hint!, /absolute path and its arguments/);
});

test('a validate program must be a normalised absolute path: there is no shell and no PATH search', () => {
  const relative = issueOf('{ "validate": [["nginx", "-t"]] }');
  assert.equal(at(relative), '1:17');
  assert.equal(relative.message, '`validate[0][0]` "nginx" is not an absolute path');
  assert.match(relative.hint!, /\["\/bin\/sh", "\{rev\}\/check\.sh"\]/);
  assert.equal(issueOf('{ "validate": [["{rev}/check.sh"]] }').message, '`validate[0][0]` "{rev}/check.sh" is not an absolute path');
  const unnormalised = issueOf('{ "validate": [["/usr/sbin/../sbin/nginx"]] }');
  assert.equal(unnormalised.message, '`validate[0][0]` "/usr/sbin/../sbin/nginx" is not normalised');
  assert.equal(unnormalised.hint, 'Write it as "/usr/sbin/nginx".');
  assert.deepEqual(parseManifest('{ "validate": [["/usr/bin/env", "relative/is/fine/after/the/program"]] }', PATH, FILES).issues, []);
});

test('a validate argument may not be empty or hold a control character, each reported where it is', () => {
  const { issues, manifest } = parseManifest('{ "validate": [\n  ["/usr/bin/grep", "", "x"],\n  ["/usr/bin/grep", "a\\tb"],\n  ["/bin/echo", "line\\nbreak"],\n  ["/bin/true"] ] }', PATH, FILES);
  assert.deepEqual(issues.map((issue) => `${at(issue)} ${issue.message}`), [
    '2:21 `validate[0][1]` is an empty argument',
    '3:21 `validate[1][1]` contains a control character (a tab, a newline, ...)',
    '4:17 `validate[2][1]` contains a control character (a tab, a newline, ...)',
  ]);
  assert.match(issues[1].hint!, /tab-separated/);
  assert.deepEqual(manifest.validate, [['/bin/true']], 'only the valid commands are kept');
});
