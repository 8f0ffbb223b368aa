// Conflicts between the apps of one host, and systemd's unit name rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigTree } from '../../src/tree/load.js';
import { isQuadletName, isUnitName, quadletUnit, unitInstance } from '../../src/tree/validate.js';
import { onlyIssue, configIssues } from '../helpers/issues.js';
import { tempDir, writeTree, type TreeSpec } from '../helpers/write-tree.js';

async function load(t: Parameters<typeof tempDir>[0], spec: TreeSpec): ReturnType<typeof loadConfigTree> {
  const dir = await tempDir(t);
  await writeTree(dir, spec);
  return loadConfigTree('prod', { cwd: dir });
}

test('two apps on one host may not provide the same unit file', async (t) => {
  const issue = await onlyIssue(load(t, { 'prod/web/a/systemd/caddy.service': 'x', 'prod/web/b/systemd/caddy.service': 'y' }));
  assert.equal(issue.path, 'prod/web/b/systemd/caddy.service');
  assert.equal(issue.message, 'unit caddy.service is provided by both app "a" (prod/web/a/systemd/caddy.service) and app "b"');
});

test('apps on different hosts may provide the same unit file', async (t) => {
  const tree = await load(t, { 'prod/web/a/systemd/caddy.service': 'x', 'prod/db/b/systemd/caddy.service': 'y' });
  assert.equal(tree.hosts.size, 2);
});

test('two apps on one host may not provide the same drop-in', async (t) => {
  const issue = await onlyIssue(load(t, { 'prod/web/a/systemd/ssh.service.d/x.conf': 'x', 'prod/web/b/systemd/ssh.service.d/x.conf': 'y' }));
  assert.equal(issue.path, 'prod/web/b/systemd/ssh.service.d/x.conf');
  assert.match(issue.message, /drop-in ssh.service.d\/x.conf is provided by both app "a" .* and app "b"/);
});

test('different drop-ins for one unit from two apps are fine', async (t) => {
  const tree = await load(t, { 'prod/web/a/systemd/ssh.service.d/a.conf': 'x', 'prod/web/b/systemd/ssh.service.d/b.conf': 'y' });
  assert.equal(tree.hosts.get('web')!.apps.size, 2);
});

test('two apps on one host may not provide the same sysusers file', async (t) => {
  const issue = await onlyIssue(load(t, { 'prod/web/a/sysusers/app.conf': 'x', 'prod/web/b/sysusers/app.conf': 'y' }));
  assert.equal(issue.path, 'prod/web/b/sysusers/app.conf');
  assert.match(issue.message, /sysusers file app.conf is provided by both app "a" \(prod\/web\/a\/sysusers\/app.conf\) and app "b"/);
});

test('two apps on one host may not claim the same symlink target', async (t) => {
  const issue = await onlyIssue(
    load(t, {
      'prod/web/a/manifest.json': '{ "symlinks": { "/etc/x": "f" } }',
      'prod/web/a/f': 'x',
      'prod/web/b/manifest.json': '{\n  "symlinks": {\n    "/etc/x": "g"\n  }\n}',
      'prod/web/b/g': 'y',
    }),
  );
  assert.deepEqual([issue.path, issue.line, issue.column], ['prod/web/b/manifest.json', 3, 5]);
  assert.equal(issue.message, 'symlink target /etc/x is claimed by both app "a" (prod/web/a/manifest.json) and app "b"');
});

test('a symlink target inside another app’s symlink target is an error', async (t) => {
  const issue = await onlyIssue(
    load(t, {
      'prod/web/a/manifest.json': '{ "symlinks": { "/etc/app": "conf" } }',
      'prod/web/a/conf/x': 'x',
      'prod/web/b/manifest.json': '{ "symlinks": { "/etc/app/extra.conf": "f" } }',
      'prod/web/b/f': 'y',
    }),
  );
  assert.deepEqual([issue.path, issue.line, issue.column], ['prod/web/b/manifest.json', 1, 17]);
  assert.equal(issue.message, 'symlink target /etc/app/extra.conf of app "b" is inside symlink target /etc/app of app "a" (prod/web/a/manifest.json)');
});

test('a symlink target inside another target of the same app is an error', async (t) => {
  const issues = await configIssues(
    load(t, { 'prod/web/a/manifest.json': '{ "symlinks": { "/etc/app/x/y": "f", "/etc/app": "f" } }', 'prod/web/a/f': 'x' }),
  );
  assert.equal(issues.length, 1);
  assert.match(issues[0].message, /symlink target \/etc\/app\/x\/y of app "a" is inside symlink target \/etc\/app of the same app/);
});

test('targets sharing only a name prefix do not nest', async (t) => {
  const tree = await load(t, { 'prod/web/a/manifest.json': '{ "symlinks": { "/etc/app": "f", "/etc/app.d": "f" } }', 'prod/web/a/f': 'x' });
  assert.equal(tree.hosts.get('web')!.apps.get('a')!.manifest.symlinks.size, 2);
});

test('unit names follow systemd: prefix, optional instance, known type', () => {
  for (const name of ['caddy.service', 'foo@.service', 'foo@bar.baz.timer', 'mnt-a\\x2db.mount', 'dev-sda.device', 'a:b_c.socket']) {
    assert.ok(isUnitName(name), name);
  }
  for (const name of ['caddy', 'caddy.conf', '@foo.service', 'a b.service', 'foo@bar@.service.d', `${'a'.repeat(250)}.service`]) {
    assert.ok(!isUnitName(name), name);
  }
});

test('an instance name splits into its template and instance', () => {
  assert.deepEqual(unitInstance('backup@daily.service'), { template: 'backup@.service', instance: 'daily' });
  assert.equal(unitInstance('backup@.service'), null);
  assert.equal(unitInstance('caddy.service'), null);
});

test('a unit file whose name starts with "-" is refused: systemd names its own units so', async (t) => {
  const issue = await onlyIssue(load(t, { 'prod/web/a/systemd/-.slice': '[Slice]\n' }));
  assert.equal(issue.path, 'prod/web/a/systemd/-.slice');
  assert.match(issue.message, /unit names starting with "-" belong to systemd itself/);
  assert.match(issue.hint ?? '', /ship a drop-in \(systemd\/<unit>\.d\/override\.conf\)/);
  const dropIn = await onlyIssue(load(t, { 'prod/web/a/systemd/-.mount.d/x.conf': '[Mount]\n' }));
  assert.equal(dropIn.path, 'prod/web/a/systemd/-.mount.d');
});

test('quadlet files are named <name>.<type> for the types Podman reads, and name the unit they generate', () => {
  for (const name of ['web.container', 'data.volume', 'net.network', 'app.kube', 'base.image', 'img.build', 'all.pod', 'web@.container', 'web@blue.container']) assert.ok(isQuadletName(name), name);
  for (const name of ['web', 'web.service', 'web.containers', '.container', '-x.container', 'a b.container', 'web.container.d']) assert.ok(!isQuadletName(name), name);
  assert.deepEqual(
    ['web.container', 'app.kube', 'all.pod', 'data.volume', 'net.network', 'base.image', 'img.build'].map(quadletUnit),
    ['web.service', 'app.service', 'all-pod.service', 'data-volume.service', 'net-network.service', 'base-image.service', 'img-build.service'],
  );
});

test('quadlets/ holds quadlet files only: a bad name, a directory or a file named quadlets is an error naming the path', async (t) => {
  const issues = await configIssues(
    load(t, {
      'prod/web/a/quadlets/web.containr': 'x',
      'prod/web/a/quadlets/web.container.d/override.conf': 'x',
      'prod/web/a/quadlets/web.container.d/more.conf': 'x',
      'prod/web/b/quadlets': 'x',
    }),
  );
  assert.deepEqual(
    issues.map((i) => [i.path, i.message]),
    [
      ['prod/web/a/quadlets/web.container.d', 'quadlets/ may not contain directories'],
      ['prod/web/a/quadlets/web.containr', '"web.containr" is not a Podman quadlet file name'],
      ['prod/web/b/quadlets', 'quadlets is a file, but quadlets/ is the directory of Podman quadlet files'],
    ],
  );
  assert.match(issues[1].hint!, /type one of container, kube, pod, volume, network, image, build/);
});

test('two apps on one host may not provide the same quadlet', async (t) => {
  const issue = await onlyIssue(load(t, { 'prod/web/a/quadlets/web.container': 'x', 'prod/web/b/quadlets/web.container': 'y' }));
  assert.equal(issue.path, 'prod/web/b/quadlets/web.container');
  assert.equal(issue.message, 'quadlet web.container is provided by both app "a" (prod/web/a/quadlets/web.container) and app "b"');
});
