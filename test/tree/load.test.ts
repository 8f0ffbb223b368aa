// Loading a cluster directory: what becomes a host, an app and a file, and every rule on the tree.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { loadCluster, loadConfigTree } from '../../src/tree/load.js';
import { configIssues, onlyIssue } from '../helpers/issues.js';
import { git, tempDir, writeTree, type TreeSpec } from '../helpers/write-tree.js';

/** Writes `spec` into a temp dir and loads `prod` from it, with issues relative to that dir. */
async function setup(t: Parameters<typeof tempDir>[0], spec: TreeSpec): Promise<{ dir: string; load: () => ReturnType<typeof loadConfigTree> }> {
  const dir = await tempDir(t);
  await writeTree(dir, spec);
  return { dir, load: () => loadConfigTree('prod', { cwd: dir }) };
}

test('files load with git blob ids, sizes and the executable bit', async (t) => {
  const { dir, load } = await setup(t, {
    'prod/web/caddy/Caddyfile': 'example.com {\n}\n',
    'prod/web/caddy/bin/reload': { content: '#!/bin/sh\n', executable: true },
    'prod/db/postgres/postgresql.conf': 'max_connections = 10\n',
  });
  const tree = await load();
  assert.equal(tree.cluster, 'prod');
  assert.equal(tree.dir, `${dir}/prod`);
  assert.deepEqual([...tree.hosts.keys()], ['db', 'web']);
  const caddy = tree.hosts.get('web')!.apps.get('caddy')!;
  assert.deepEqual([...caddy.files.keys()], ['Caddyfile', 'bin/reload']);
  assert.deepEqual(caddy.files.get('Caddyfile'), {
    oid: git(dir, ['hash-object', 'prod/web/caddy/Caddyfile']),
    executable: false,
    size: 16,
  });
  assert.equal(caddy.files.get('bin/reload')!.executable, true);
  assert.equal(caddy.files.get('bin/reload')!.oid, git(dir, ['hash-object', 'prod/web/caddy/bin/reload']));
  assert.deepEqual(caddy.manifest, { unitsEnabled: [], unitsRestarted: [], unitsReloaded: [], checks: [], symlinks: new Map(), permissions: [], validate: [] });
});

test('a file larger than one read buffer is hashed in chunks to the same blob id as git', async (t) => {
  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'deptool ');
  const { dir, load } = await setup(t, { 'prod/web/app/big.bin': big });
  const file = (await load()).hosts.get('web')!.apps.get('app')!.files.get('big.bin')!;
  assert.equal(file.size, big.length);
  assert.equal(file.oid, git(dir, ['hash-object', 'prod/web/app/big.bin']));
});

test('empty directories are ignored at every level and do not change an app tree id', async (t) => {
  const { dir, load } = await setup(t, {
    'prod/web/caddy/Caddyfile': 'x',
    'prod/web/caddy/empty/deeper': { dir: true },
    'prod/web/empty-app/sub': { dir: true },
    'prod/ghost/app/sub': { dir: true },
  });
  const tree = await load();
  assert.deepEqual([...tree.hosts.keys()], ['ghost', 'web']);
  assert.equal(tree.hosts.get('ghost')!.apps.size, 0);
  assert.deepEqual([...tree.hosts.get('web')!.apps.keys()], ['caddy']);
  const withEmptyDirs = tree.hosts.get('web')!.apps.get('caddy')!.treeOid;
  await writeTree(dir, { 'plain/web/caddy/Caddyfile': 'x' });
  const plain = await loadConfigTree('plain', { cwd: dir });
  assert.equal(plain.hosts.get('web')!.apps.get('caddy')!.treeOid, withEmptyDirs);
});

test('a host dir holding only a plain file is a host with zero apps', async (t) => {
  const { load } = await setup(t, { 'prod/spare/intentionally-left-blank': '' });
  const tree = await load();
  assert.deepEqual([...tree.hosts.keys()], ['spare']);
  assert.equal(tree.hosts.get('spare')!.apps.size, 0);
});

test('an empty host dir, or one with only empty dirs or a .keep, is a host with zero apps (a deploy removes its apps)', async (t) => {
  const { load } = await setup(t, {
    'prod/empty': { dir: true },
    'prod/hollow/app/sub': { dir: true },
    'prod/kept/.keep': '',
    'prod/web/caddy/Caddyfile': 'x',
  });
  const tree = await load();
  assert.deepEqual([...tree.hosts.keys()], ['empty', 'hollow', 'kept', 'web']);
  for (const host of ['empty', 'hollow', 'kept']) assert.equal(tree.hosts.get(host)!.apps.size, 0, host);
});

test('an empty hidden dir in the cluster dir is not a host, and an empty dir still needs a valid host name', async (t) => {
  const { load } = await setup(t, { 'prod/.cache/sub': { dir: true }, 'prod/web/caddy/Caddyfile': 'x' });
  assert.deepEqual([...(await load()).hosts.keys()], ['web']);
  const bad = await setup(t, { 'prod/web 2': { dir: true } });
  const issue = await onlyIssue(bad.load());
  assert.equal(issue.path, 'prod/web 2');
  assert.match(issue.message, /invalid host name "web 2"/);
});

test('plain files in the cluster dir are neither hosts nor apps', async (t) => {
  const { load } = await setup(t, { 'prod/README.md': '# prod', 'prod/deptool.json': '{}', 'prod/web/caddy/Caddyfile': 'x' });
  assert.deepEqual([...(await load()).hosts.keys()], ['web']);
});

test('manifest.json is parsed and also deployed as a file of the app', async (t) => {
  const { load } = await setup(t, {
    'prod/web/caddy/manifest.json': '{ "systemd": { "units_enabled": ["caddy.service"] }, "symlinks": { "/etc/tmpfiles.d/caddy.conf": "tmpfiles.conf" } }',
    'prod/web/caddy/systemd/caddy.service': '[Service]\n',
    'prod/web/caddy/tmpfiles.conf': 'd /run/caddy\n',
  });
  const app = (await load()).hosts.get('web')!.apps.get('caddy')!;
  assert.deepEqual(app.manifest.unitsEnabled, ['caddy.service']);
  assert.deepEqual([...app.manifest.symlinks], [['/etc/tmpfiles.d/caddy.conf', 'tmpfiles.conf']]);
  assert.ok(app.files.has('manifest.json'));
});

test('systemd templates, drop-ins for units of other apps and escaped unit names are accepted', async (t) => {
  const { load } = await setup(t, {
    'prod/web/app/systemd/worker@.service': '[Service]\n',
    'prod/web/app/systemd/ssh.service.d/override.conf': '[Service]\n',
    'prod/web/app/systemd/mnt-data\\x2dset.mount': '[Mount]\n',
    'prod/web/app/sysusers/app.conf': 'u app - -\n',
  });
  const app = (await load()).hosts.get('web')!.apps.get('app')!;
  assert.equal(app.files.size, 4);
});

test('paths in issues are relative to the cwd option', async (t) => {
  const { dir } = await setup(t, { 'prod/web/caddy/link': { symlink: 'elsewhere' } });
  const issue = await onlyIssue(loadConfigTree(`${dir}/prod`, { cwd: `${dir}/prod/web` }));
  assert.equal(issue.path, 'caddy/link');
});

test('a missing cluster dir is reported as such', async (t) => {
  const dir = await tempDir(t);
  const issue = await onlyIssue(loadConfigTree('nope', { cwd: dir }));
  assert.equal(issue.path, 'nope');
  assert.match(issue.message, /cluster directory does not exist/);
});

test('a symlink inside an app is an error naming its path', async (t) => {
  const { load } = await setup(t, { 'prod/web/caddy/Caddyfile': 'x', 'prod/web/caddy/conf/link': { symlink: '../Caddyfile' } });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/caddy/conf/link');
  assert.match(issue.message, /is a symlink; deptool deploys regular files only/);
  assert.match(issue.hint!, /manifest\.json `symlinks`/);
});

test('a symlink in the cluster dir or a host dir is an error too', async (t) => {
  const { load } = await setup(t, {
    'prod/web/caddy/Caddyfile': 'x',
    'prod/alias': { symlink: 'web' },
    'prod/web/shared': { symlink: 'caddy' },
  });
  const issues = await configIssues(load());
  assert.deepEqual(issues.map((i) => i.path), ['prod/alias', 'prod/web/shared']);
  assert.ok(issues.every((i) => i.message.includes('is a symlink')));
});

test('a FIFO inside an app is an error naming its path', async (t) => {
  const { load } = await setup(t, { 'prod/web/caddy/Caddyfile': 'x', 'prod/web/caddy/pipe': { fifo: true } });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/caddy/pipe');
  assert.match(issue.message, /is a named pipe \(FIFO\)/);
});

test('a hidden directory is never a host', async (t) => {
  const { load } = await setup(t, { 'prod/.cache/app/file': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/.cache');
  assert.match(issue.message, /hidden directory: a host name may not start with "\."/);
});

test('a host name with a space is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web server/app/file': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web server');
  assert.match(issue.message, /invalid host name "web server": only letters, digits/);
});

test('a host name starting with a dash is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/-oProxy/app/file': 'x' });
  assert.match((await onlyIssue(load())).message, /may not start with "-"/);
});

test('an app name with a character outside the allowed set is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/caddy+php/file': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/caddy+php');
  assert.match(issue.message, /invalid app name "caddy\+php"/);
});

test('a hidden directory is never an app', async (t) => {
  const { load } = await setup(t, { 'prod/web/.git/config': 'x' });
  assert.match((await onlyIssue(load())).message, /hidden directory: an app name may not start with "\."/);
});

test('a file name with a control character is rejected and shown escaped', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/bad\nname': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/bad\\x0aname');
  assert.match(issue.message, /control character/);
});

test('a file name with a backslash outside systemd/ is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/conf/a\\b': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/conf/a\\b');
  assert.match(issue.message, /backslash/);
});

test('a file name that is not valid UTF-8 is rejected', async (t) => {
  const { dir, load } = await setup(t, { 'prod/web/app/ok': 'x' });
  await writeFile(Buffer.concat([Buffer.from(`${dir}/prod/web/app/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
  const issue = await onlyIssue(load());
  assert.match(issue.path, /^prod\/web\/app\/bad-/);
  assert.match(issue.message, /not valid UTF-8/);
});

test('a manifest.json that is not valid UTF-8 is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/manifest.json': Buffer.from([0x7b, 0xff, 0x7d]) });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/manifest.json');
  assert.match(issue.message, /not valid UTF-8/);
});

test('manifest problems are reported with the manifest path and line:column', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/manifest.json': '{\n  "systemd": {\n    "units_enabled": ["nope.service"]\n  }\n}\n' });
  const issue = await onlyIssue(load());
  assert.deepEqual([issue.path, issue.line, issue.column], ['prod/web/app/manifest.json', 3, 23]);
});

test('a file in systemd/ that is not a unit file is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/systemd/README': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/systemd/README');
  assert.match(issue.message, /"README" is not a systemd unit file name/);
  assert.match(issue.hint!, /service, socket, timer/);
});

test('a unit file with an unknown type is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/systemd/caddy.servce': 'x' });
  assert.match((await onlyIssue(load())).message, /not a systemd unit file name/);
});

test('a directory in systemd/ that is not <unit>.d is reported once', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/systemd/conf/a.conf': 'x', 'prod/web/app/systemd/conf/b.conf': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/systemd/conf');
  assert.match(issue.message, /not a drop-in directory/);
});

test('a drop-in file that does not end in .conf is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/systemd/caddy.service.d/override.txt': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/systemd/caddy.service.d/override.txt');
  assert.match(issue.message, /does not end in \.conf/);
});

test('a subdirectory inside a drop-in directory is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/systemd/caddy.service.d/more/x.conf': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/systemd/caddy.service.d/more');
  assert.match(issue.message, /may not contain subdirectories/);
});

test('a plain file named systemd at the app root is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/systemd': 'x' });
  assert.match((await onlyIssue(load())).message, /systemd is a file/);
});

test('a sysusers file that does not end in .conf is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/sysusers/app.txt': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/sysusers/app.txt');
  assert.match(issue.message, /does not end in \.conf/);
});

test('a directory inside sysusers/ is rejected', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/sysusers/sub/app.conf': 'x' });
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/web/app/sysusers/sub');
  assert.match(issue.message, /may not contain directories/);
});

test('every problem in the tree is reported at once', async (t) => {
  const { load } = await setup(t, {
    'prod/web/app/link': { symlink: 'x' },
    'prod/web/app/systemd/README': 'x',
    'prod/web/app/manifest.json': '[]',
    'prod/db/.hidden/file': 'x',
  });
  const issues = await configIssues(load());
  assert.deepEqual(issues.map((i) => i.path), [
    'prod/db/.hidden',
    'prod/web/app/link',
    'prod/web/app/manifest.json',
    'prod/web/app/systemd/README',
  ]);
});

test('loadCluster returns the settings of deptool.json along with the tree', async (t) => {
  const { dir } = await setup(t, { 'prod/web/app/file': 'x', 'prod/deptool.json': '{ "hosts": { "web": { "port": 2222 } } }' });
  const { tree, settings } = await loadCluster('prod', { cwd: dir });
  assert.deepEqual([...tree.hosts.keys()], ['web']);
  assert.deepEqual(settings.hosts.get('web'), { port: 2222 });
});

test('deptool.json problems join the same error as tree problems', async (t) => {
  const { load } = await setup(t, { 'prod/web/app/link': { symlink: 'x' }, 'prod/deptool.json': '{ "hosts": { "db": {} } }' });
  const issues = await configIssues(load());
  assert.deepEqual(issues.map((i) => i.path), ['prod/deptool.json', 'prod/web/app/link']);
});

test('a host dir whose name is not valid UTF-8 is rejected without being read', async (t) => {
  const { dir, load } = await setup(t, { 'prod/web/app/file': 'x' });
  await mkdir(Buffer.concat([Buffer.from(`${dir}/prod/h`), Buffer.from([0xff])]));
  const issue = await onlyIssue(load());
  assert.equal(issue.path, 'prod/h\uFFFD');
  assert.match(issue.message, /invalid host name/);
});

test('a cluster dir with an invalid name is rejected', async (t) => {
  const { dir } = await setup(t, { 'my cluster/web/app/file': 'x' });
  const issue = await onlyIssue(loadConfigTree('my cluster', { cwd: dir }));
  assert.equal(issue.path, 'my cluster');
  assert.match(issue.message, /invalid cluster name "my cluster"/);
});
