// manifest.json's `checks` and host units (`units_restarted`, `units_reloaded`), and
// deptool.json's `confirm_timeout`: parsed into typed values, every mistake located.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigIssue } from '../../src/errors.js';
import { checkTarget } from '../../src/tree/checks.js';
import { parseManifest } from '../../src/tree/manifest.js';
import { parseSettings } from '../../src/tree/settings.js';

const PATH = 'prod/web/site/manifest.json';
const FILES = new Set(['nginx.conf', 'systemd/site.service', 'systemd/worker@.service']);

function issuesOf(text: string): ConfigIssue[] {
  return parseManifest(text, PATH, FILES).issues;
}

function oneIssue(text: string): ConfigIssue {
  const issues = issuesOf(text);
  assert.equal(issues.length, 1, `expected one issue, got:\n${JSON.stringify(issues, null, 2)}`);
  assert.equal(issues[0].path, PATH);
  return issues[0];
}

const at = (issue: ConfigIssue) => `${issue.line}:${issue.column}`;
/** Where `needle` starts in a one-line text (its last occurrence), as line:column. */
const where = (text: string, needle: string) => `1:${text.lastIndexOf(needle) + 1}`;

test('checks of each kind are parsed with their defaults, in the order written', () => {
  const text = JSON.stringify({
    checks: [
      { http: 'http://127.0.0.1:8080/health?full=1', status: 200, contains: 'ok' },
      { tcp: '127.0.0.1:5432', within: 5 },
      { tcp: '[::1]:80' },
      { exec: ['/usr/bin/pg_isready', '-q'], interval: 0.5, timeout: 2 },
      { http: 'http://localhost/' },
    ],
  });
  const { manifest, issues } = parseManifest(text, PATH, FILES);
  assert.deepEqual(issues, []);
  assert.deepEqual(manifest.checks, [
    { kind: 'http', url: 'http://127.0.0.1:8080/health?full=1', status: 200, contains: 'ok', within: 30, interval: 1, timeout: 5 },
    { kind: 'tcp', host: '127.0.0.1', port: 5432, within: 5, interval: 1, timeout: 5 },
    { kind: 'tcp', host: '::1', port: 80, within: 30, interval: 1, timeout: 5 },
    { kind: 'exec', argv: ['/usr/bin/pg_isready', '-q'], within: 30, interval: 0.5, timeout: 2 },
    { kind: 'http', url: 'http://localhost/', status: null, contains: null, within: 30, interval: 1, timeout: 5 },
  ]);
  assert.deepEqual(manifest.checks.map(checkTarget), [
    'http://127.0.0.1:8080/health?full=1',
    'tcp 127.0.0.1:5432',
    'tcp [::1]:80',
    'exec /usr/bin/pg_isready -q',
    'http://localhost/',
  ]);
});

test('a check with no kind, or with two, is located at its object', () => {
  const none = oneIssue('{\n  "checks": [\n    { "within": 3 }\n  ]\n}');
  assert.equal(at(none), '3:5');
  assert.equal(none.message, '`checks[0]` has none of http, tcp and exec');
  const text = '{ "checks": [{ "tcp": "127.0.0.1:1" }, { "http": "http://127.0.0.1/", "exec": ["/bin/true"] }] }';
  const two = oneIssue(text);
  assert.equal(at(two), where(text, '{ "http"'));
  assert.equal(two.message, '`checks[1]` has http and exec: a check is exactly one of them');
});

test('status and contains belong to http checks only', () => {
  const text = '{ "checks": [{ "tcp": "127.0.0.1:1", "status": 200 }] }';
  const issue = oneIssue(text);
  assert.equal(at(issue), where(text, '"status"'));
  assert.equal(issue.message, '`checks[0].status` applies only to http checks');
});

test('bad check values are errors with their position and what to do', () => {
  const cases: [string, string, RegExp][] = [
    ['{ "checks": [{ "http": "https://127.0.0.1/" }] }', '"https', /is not http:\/\//],
    ['{ "checks": [{ "http": "not a url" }] }', '"not', /is not a URL/],
    ['{ "checks": [{ "tcp": "127.0.0.1" }] }', '"127', /is not host:port/],
    ['{ "checks": [{ "tcp": "127.0.0.1:70000" }] }', '"127', /is not host:port/],
    ['{ "checks": [{ "exec": [] }] }', '[]', /`checks\[0\]\.exec` is empty/],
    ['{ "checks": [{ "exec": ["/bin/echo", ""] }] }', '""', /an argument of `exec` is empty/],
    ['{ "checks": [{ "exec": ["pg_isready", "-q"] }] }', '"pg_', /`checks\[0\]\.exec\[0\]` "pg_isready" is not an absolute path/],
    ['{ "checks": [{ "exec": "/bin/true" }] }', '"/bin', /`checks\[0\]\.exec` must be an array/],
    ['{ "checks": [{ "tcp": "127.0.0.1:1", "within": 0 }] }', '0 }', /`checks\[0\]\.within` must be a number from 0\.1 to 3600/],
    ['{ "checks": [{ "tcp": "127.0.0.1:1", "interval": "1" }] }', '"1"', /`checks\[0\]\.interval` must be a number/],
    ['{ "checks": [{ "http": "http://127.0.0.1/", "status": 99 }] }', '99', /`checks\[0\]\.status` must be an integer from 100 to 599/],
    ['{ "checks": [{ "http": "http://127.0.0.1/", "contains": "" }] }', '""', /`contains` is empty/],
    ['{ "checks": [{ "tcp": "127.0.0.1:1", "retries": 3 }] }', '"retries"', /unknown key "retries" in `checks\[0\]`/],
    ['{ "checks": {} }', '{}', /`checks` must be an array/],
  ];
  for (const [text, needle, message] of cases) {
    const issue = oneIssue(text);
    assert.equal(at(issue), where(text, needle), text);
    assert.match(issue.message, message, text);
    assert.ok(issue.hint, `a hint for ${text}`);
  }
});

test('host units are kept in the order written, restarted and reloaded apart', () => {
  const text = JSON.stringify({ systemd: { units_enabled: ['site.service'], units_restarted: ['ssh.service', 'getty@tty1.service'], units_reloaded: ['nginx.service'] } });
  const { manifest, issues } = parseManifest(text, PATH, FILES);
  assert.deepEqual(issues, []);
  assert.deepEqual(manifest.unitsRestarted, ['ssh.service', 'getty@tty1.service']);
  assert.deepEqual(manifest.unitsReloaded, ['nginx.service']);
});

test('a host unit must be a unit of the host, not of the app, and listed once', () => {
  const cases: [string, string, RegExp][] = [
    ['{ "systemd": { "units_restarted": ["nginx"] } }', '"nginx"', /"nginx" is not a systemd unit name/],
    ['{ "systemd": { "units_restarted": ["worker@.service"] } }', '"worker', /is a template, which cannot be restarted/],
    ['{ "systemd": { "units_reloaded": ["site.service"] } }', '"site', /"site\.service" is a unit of this app/],
    ['{ "systemd": { "units_reloaded": ["worker@a.service"] } }', '"worker', /"worker@a\.service" is a unit of this app/],
    ['{ "systemd": { "units_restarted": ["a.service", "a.service"] } }', '"a.service"', /a\.service is listed twice \(`systemd\.units_restarted` at line 1, column 36\)/],
    ['{ "systemd": { "units_restarted": ["a.service"], "units_reloaded": ["a.service"] } }', '"a.service"', /listed twice/],
    ['{ "systemd": { "units_restarted": [1] } }', '1]', /must be a string/],
  ];
  for (const [text, needle, message] of cases) {
    const issue = oneIssue(text);
    assert.equal(at(issue), where(text, needle), text);
    assert.match(issue.message, message, text);
  }
  const enabled = oneIssue('{ "systemd": { "units_enabled": ["site.service"], "units_restarted": ["site.service"] } }');
  assert.match(enabled.message, /"site\.service" is a unit of this app/);
  assert.match(enabled.hint!, /units_enabled/);
});

test('a unit restarted and reloaded at once says to keep it in one list', () => {
  const issue = oneIssue('{ "systemd": { "units_restarted": ["a.service"], "units_reloaded": ["a.service"] } }');
  assert.match(issue.hint!, /either restarted or reloaded/);
});

test('confirm_timeout is a whole number of seconds from 0 to 3600; absent, it is null', () => {
  const hosts = new Set(['web']);
  assert.equal(parseSettings('{ "confirm_timeout": 0 }', 'prod/deptool.json', hosts, 'prod').settings.confirmTimeout, 0);
  assert.equal(parseSettings('{ "confirm_timeout": 45 }', 'prod/deptool.json', hosts, 'prod').settings.confirmTimeout, 45);
  assert.equal(parseSettings('{}', 'prod/deptool.json', hosts, 'prod').settings.confirmTimeout, null);
  for (const bad of ['-1', '1.5', '"30"', '3601']) {
    const { issues } = parseSettings(`{\n  "confirm_timeout": ${bad}\n}`, 'prod/deptool.json', hosts, 'prod');
    assert.equal(issues.length, 1, bad);
    assert.equal(`${issues[0].line}:${issues[0].column}`, '2:22');
    assert.match(issues[0].message, /`confirm_timeout` must be an integer from 0 to 3600/);
  }
});
