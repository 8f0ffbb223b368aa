// Secrets on a real host, through the CLI: a 0400 file owned by a user the app's sysusers/
// creates is readable by its service and by nobody else, staging leaves nothing open, and a
// hand-made chmod or chown is refused as drift.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = (command: string) => fx.fleet.exec('web', ['sh', '-c', command]);
const asNobody = (...command: string[]) => fx.fleet.exec('web', ['runuser', '-u', 'nobody', '--', ...command]);

const KEY = '/var/lib/deptool/apps/vault/current/secrets/tls.key';
const CONF = '/var/lib/deptool/apps/vault/current/vault.conf';

/** The app: its service runs as `vaultd` and fails at once unless it can read the key. */
function vault(conf: string, permissions: unknown = { 'secrets/*.key': { mode: '0400', owner: 'vaultd' }, 'vault.conf': { group: 'vaultd', mode: '0640' } }): Record<string, string> {
  return {
    'web/vault/manifest.json': JSON.stringify({ systemd: { units_enabled: ['vault.service'] }, permissions }),
    'web/vault/sysusers/vaultd.conf': 'u vaultd - "deptool e2e service user"\n',
    'web/vault/secrets/tls.key': 'TOP-SECRET-KEY\n',
    'web/vault/vault.conf': conf,
    'web/vault/systemd/vault.service':
      `[Unit]\nDescription=vault\n\n[Service]\nUser=vaultd\nExecStart=/bin/sh -c 'cat ${KEY} ${CONF} >/dev/null && exec sleep infinity'\n\n[Install]\nWantedBy=multi-user.target\n`,
  };
}

async function deploy(): Promise<{ code: number; stdout: string }> {
  const result = await fx.ws.deptool('deploy', '--yes', '--settle', '0.5');
  assert.ok(!(result.stdout + result.stderr).includes('TOP-SECRET'), 'the CLI never prints the secret');
  return { code: result.code, stdout: result.stdout + result.stderr };
}

test('a 0400 secret owned by a sysusers user is readable by its service only, and hand changes are drift', async () => {
  await fx.ws.write(vault('listen 1\n'));
  const first = await deploy();
  assert.equal(first.code, 0, first.stdout);
  assert.equal((await sh('systemctl is-active vault.service')).stdout.trim(), 'active', 'the service user read the key');

  const owner = await fx.fleet.exec('web', ['runuser', '-u', 'vaultd', '--', 'cat', KEY]);
  assert.equal(owner.stdout, 'TOP-SECRET-KEY\n', owner.stderr);
  const denied = await asNobody('cat', KEY);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Permission denied/);
  assert.notEqual((await asNobody('cat', CONF)).code, 0, 'vault.conf is for its group only');
  assert.match((await sh(`ls -l ${KEY}`)).stdout, /^-r-------- 1 vaultd root /);
  assert.match((await sh(`ls -l ${CONF}`)).stdout, /^-rw-r----- 1 root vaultd /);

  // Nothing that held or names the secret on its way is open to others.
  const rev = (await sh('readlink /var/lib/deptool/apps/vault/current')).stdout.trim();
  assert.equal((await sh('stat -c %a /var/lib/deptool/tmp /var/lib/deptool/activations')).stdout, '700\n700\n');
  assert.notEqual((await asNobody('ls', '/var/lib/deptool/tmp')).code, 0);
  assert.notEqual((await asNobody('ls', '/var/lib/deptool/activations')).code, 0);
  assert.notEqual((await asNobody('cat', `/var/lib/deptool/apps/vault/${rev}.sha256`)).code, 0, 'the checksum list hashes the secret');
  const open = await sh("find /var/lib/deptool/tmp /var/lib/deptool/activations -perm -o+r -name '*.key'");
  assert.equal(open.stdout, '', 'no copy of the key anywhere under them is readable, even past the dirs');

  await sh(`chmod 0644 ${KEY}`);
  await fx.ws.write(vault('listen 2\n'));
  const chmodded = await deploy();
  assert.equal(chmodded.code, 1, chmodded.stdout);
  assert.match(chmodded.stdout, /Nothing was changed: 1 host refused the deploy/);
  assert.match(chmodded.stdout, /mode of vault\/secrets\/tls\.key is 0644 on the host, expected 0400/);
  assert.equal((await sh('readlink /var/lib/deptool/apps/vault/current')).stdout.trim(), rev, 'nothing changed on the host');

  await sh(`chmod 0400 ${KEY} && chown root ${KEY}`);
  const chowned = await deploy();
  assert.equal(chowned.code, 1, chowned.stdout);
  assert.match(chowned.stdout, /owner of vault\/secrets\/tls\.key is root on the host, expected vaultd/);

  await sh(`chown vaultd ${KEY}`);
  const repaired = await deploy();
  assert.equal(repaired.code, 0, repaired.stdout);
  assert.notEqual((await sh('readlink /var/lib/deptool/apps/vault/current')).stdout.trim(), rev);
  assert.equal((await asNobody('cat', KEY)).code === 0, false, 'the new revision is just as closed');
  assert.equal((await sh('systemctl is-active vault.service')).stdout.trim(), 'active');
});

test('an owner the host does not have fails the perms step, naming it, and the host is rolled back', async () => {
  await fx.ws.write(vault('listen 1\n'));
  assert.equal((await deploy()).code, 0);
  const before = (await sh('readlink /var/lib/deptool/apps/vault/current')).stdout;
  await fx.ws.write(vault('listen 3\n', { 'secrets/*.key': { mode: '0400', owner: 'ghost' } }));
  const result = await deploy();
  assert.equal(result.code, 3, result.stdout);
  assert.match(result.stdout, /user ghost does not exist on the host; create it, e\.g\. with a line 'u ghost -' in a file of the app's sysusers\/ directory/);
  assert.equal((await sh('readlink /var/lib/deptool/apps/vault/current')).stdout, before);
  assert.equal((await sh('systemctl is-active vault.service')).stdout.trim(), 'active');
});
