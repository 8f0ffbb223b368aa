// deptool.json: typed host settings, every unknown key or wrong type located, hosts that exist.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigIssue } from '../../src/errors.js';
import { EMPTY_SETTINGS, loadSettings, parseSettings } from '../../src/tree/settings.js';
import { tempDir, writeTree } from '../helpers/write-tree.js';

const PATH = 'prod/deptool.json';
const HOSTS = new Set(['web', 'db']);

function issueOf(text: string): ConfigIssue {
  const { issues } = parseSettings(text, PATH, HOSTS, 'prod');
  assert.equal(issues.length, 1, `expected one issue, got:\n${JSON.stringify(issues, null, 2)}`);
  assert.equal(issues[0].path, PATH);
  return issues[0];
}

test('defaults and per-host settings are parsed into typed values', () => {
  const text = JSON.stringify({
    defaults: { user: 'deploy', port: 2222, proxy_jump: 'bastion', transport: 'ssh' },
    hosts: { web: { address: 'web.example.com', hostname: 'web1', port: 22 }, db: { transport: 'local' } },
  });
  const { settings, issues } = parseSettings(text, PATH, HOSTS, 'prod');
  assert.deepEqual(issues, []);
  assert.deepEqual(settings.defaults, { user: 'deploy', port: 2222, proxyJump: 'bastion', transport: 'ssh' });
  assert.deepEqual(settings.hosts.get('web'), { address: 'web.example.com', hostname: 'web1', port: 22 });
  assert.deepEqual(settings.hosts.get('db'), { transport: 'local' });
});

test('an unknown top-level key suggests the closest known key', () => {
  const issue = issueOf('{\n  "host": {}\n}');
  assert.deepEqual([issue.line, issue.column], [2, 3]);
  assert.equal(issue.message, 'unknown key "host" at the top level');
  assert.match(issue.hint!, /Did you mean "hosts"\?/);
});

test('an unknown host setting suggests the closest known key', () => {
  const issue = issueOf('{ "hosts": { "web": { "adress": "10.0.0.1" } } }');
  assert.deepEqual([issue.line, issue.column], [1, 23]);
  assert.equal(issue.message, 'unknown key "adress" in `hosts.web`');
  assert.match(issue.hint!, /Did you mean "address"\?/);
});

test('an unknown default is an error too', () => {
  assert.equal(issueOf('{ "defaults": { "timeout": 5 } }').message, 'unknown key "timeout" in `defaults`');
});

test('address and hostname cannot be cluster defaults', () => {
  const issue = issueOf('{ "defaults": { "hostname": "web" } }');
  assert.equal(issue.message, '`hostname` is not allowed in `defaults`');
  assert.match(issue.hint!, /hosts\.<host>\.hostname/);
});

test('a port must be an integer from 1 to 65535', () => {
  for (const port of ['"22"', '0', '65536', '22.5']) {
    const issue = issueOf(`{ "defaults": { "port": ${port} } }`);
    assert.deepEqual([issue.line, issue.column], [1, 25]);
    assert.match(issue.message, /^`defaults.port` must be an integer from 1 to 65535, not /);
  }
});

test('transport must be ssh or local', () => {
  assert.equal(issueOf('{ "hosts": { "db": { "transport": "rsh" } } }').message, '`hosts.db.transport` must be one of "ssh", "local", not the string "rsh"');
});

test('a user with a space is rejected', () => {
  assert.match(issueOf('{ "defaults": { "user": "deploy user" } }').message, /user must be a single non-empty word/);
});

test('an address that could pass for an ssh option is rejected', () => {
  assert.match(issueOf('{ "hosts": { "web": { "address": "-oProxyCommand=x" } } }').message, /address may not start with "-"/);
});

test('an address with a user in it points to the user setting', () => {
  const issue = issueOf('{ "hosts": { "web": { "address": "root@web" } } }');
  assert.match(issue.message, /address may not contain "@"/);
  assert.match(issue.hint!, /`user`/);
});

test('a host without a directory is an error with a suggestion', () => {
  const issue = issueOf('{ "hosts": {\n  "wbe": {} } }');
  assert.deepEqual([issue.line, issue.column], [2, 3]);
  assert.equal(issue.message, 'host "wbe" has no directory in prod');
  assert.match(issue.hint!, /Did you mean "web"\?/);
});

test('a host setting of the wrong type is located at the value', () => {
  const issue = issueOf('{ "hosts": { "web": "10.0.0.1" } }');
  assert.deepEqual([issue.line, issue.column], [1, 21]);
  assert.equal(issue.message, '`hosts.web` must be an object, not the string "10.0.0.1"');
});

test('invalid JSON in deptool.json is located', () => {
  const issue = issueOf('{ "hosts": { } ');
  assert.equal(issue.line, 1);
  assert.match(issue.message, /invalid JSON/);
});

test('a cluster without deptool.json has empty settings', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await loadSettings(dir, HOSTS, dir), { settings: EMPTY_SETTINGS, issues: [] });
});

test('loadSettings reads the file and names it relative to cwd', async (t) => {
  const dir = await tempDir(t);
  await writeTree(dir, { 'prod/deptool.json': '{ "defaults": { "port": "x" } }' });
  const { issues } = await loadSettings(`${dir}/prod`, HOSTS, dir);
  assert.deepEqual(issues.map((i) => `${i.path}:${i.line}:${i.column}`), ['prod/deptool.json:1:25']);
});

test('a deptool.json that is a directory is reported', async (t) => {
  const dir = await tempDir(t);
  await writeTree(dir, { 'prod/deptool.json/x': 'y' });
  const { issues } = await loadSettings(`${dir}/prod`, HOSTS, dir);
  assert.match(issues[0]?.message ?? '', /is a directory, not a file/);
});

test('sensitive_paths is a list of globs over host/app/path', () => {
  const { settings, issues } = parseSettings('{ "sensitive_paths": ["*/*/secrets/**", "web/api/.env"] }', PATH, HOSTS, 'prod');
  assert.deepEqual(issues, []);
  assert.deepEqual(settings.sensitivePaths, ['*/*/secrets/**', 'web/api/.env']);
  assert.deepEqual(EMPTY_SETTINGS.sensitivePaths, []);
});

test('a sensitive path that is not a valid relative glob is located', () => {
  const invalid = issueOf('{ "sensitive_paths": [\n  "web/{api"\n] }');
  assert.deepEqual([invalid.line, invalid.column], [2, 3]);
  assert.match(invalid.message, /^sensitive path "web\/\{api" is not a valid glob: Missing closing: "\}"/);
  const absolute = issueOf('{ "sensitive_paths": ["/etc/x"] }');
  assert.deepEqual([absolute.line, absolute.column], [1, 23]);
  assert.equal(absolute.message, 'sensitive path "/etc/x" is an absolute path');
  const notList = issueOf('{ "sensitive_paths": "*/*/.env" }');
  assert.equal(notList.message, '`sensitive_paths` must be an array, not the string "*/*/.env"');
  const empty = issueOf('{ "sensitive_paths": [""] }');
  assert.equal(empty.message, 'sensitive path "" is empty');
});

test('connect_timeout is a whole number of seconds from 1 to 3600; absent, it is null', () => {
  assert.equal(parseSettings('{ "connect_timeout": 40 }', PATH, HOSTS, 'prod').settings.connectTimeout, 40);
  assert.equal(parseSettings('{}', PATH, HOSTS, 'prod').settings.connectTimeout, null);
  for (const bad of ['0', '2.5', '"15"', '3601']) {
    const { issues } = parseSettings(`{\n  "connect_timeout": ${bad}\n}`, PATH, HOSTS, 'prod');
    assert.equal(issues.length, 1, bad);
    assert.equal(`${issues[0].path}:${issues[0].line}:${issues[0].column}`, `${PATH}:2:22`);
    assert.match(issues[0].message, /`connect_timeout` must be an integer from 1 to 3600/);
  }
});

test('connect_timeout is cluster-wide: under a host it is an unknown key', () => {
  const { issues } = parseSettings('{ "hosts": { "web": { "connect_timeout": 5 } } }', PATH, HOSTS, 'prod');
  assert.equal(issues.length, 1);
  assert.match(issues[0].message, /connect_timeout/);
});
