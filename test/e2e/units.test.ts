// Enabled units across deploys, gc and real reboots: their enablement links follow the
// current revision, a changed [Install] section is applied, and a rollback restores
// exactly the old links.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from './fleet/system.js';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = async (command: string) => {
  const result = await fx.fleet.exec('web', ['sh', '-c', command]);
  assert.equal(result.code, 0, `${command}: ${result.stderr}`);
  return result.stdout;
};

const APP = '/var/lib/deptool/apps/site';
const UNITS = ['site.service', 'worker@1.service', 'api.service'];

interface Version {
  readonly body: string;
  /** site.service's [Install] line. */
  readonly install?: string;
  readonly execStart?: string;
  /** Adds extra.service, enabled. */
  readonly extra?: boolean;
  /** The enabled units instead of UNITS (and extra.service). */
  readonly units?: readonly string[];
}

/**
 * One app with three enabled units: site.service serves HTTP from `current`;
 * worker@1.service is an instance of a template that never changes; api.service has an
 * Alias= (systemctl enable does not replace an alias link that points elsewhere).
 */
function files(version: Version): Record<string, string> {
  const serve = `/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1 --directory ${APP}/current`;
  const units = version.units ?? [...UNITS, ...(version.extra ? ['extra.service'] : [])];
  const tree: Record<string, string> = {
    'web/site/index.html': version.body,
    'web/site/manifest.json': JSON.stringify({ systemd: { units_enabled: units } }),
    'web/site/systemd/site.service': `[Unit]\nDescription=site\n[Service]\nExecStart=${version.execStart ?? serve}\n[Install]\n${version.install ?? 'WantedBy=multi-user.target'}\n`,
    'web/site/systemd/worker@.service': '[Unit]\nDescription=worker %i\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
    'web/site/systemd/api.service': '[Unit]\nDescription=api\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\nAlias=api-alias.service\n',
  };
  if (version.extra) tree['web/site/systemd/extra.service'] = '[Unit]\nDescription=extra\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n';
  return tree;
}

async function deploy(version: Version, expectedCode = 0): Promise<string> {
  await fx.ws.write(files(version));
  const result = await fx.ws.deptool('deploy', '--yes', '--settle', '0.5');
  assert.equal(result.code, expectedCode, result.stdout + result.stderr);
  return result.stdout;
}

async function served(expected: string): Promise<string | undefined> {
  const get = `import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:${fx.port}/index.html').read().decode(),end='')`;
  let last: string | undefined;
  try {
    return await waitFor(
      async () => {
        last = (await fx.fleet.exec('web', ['python3', '-c', get])).stdout;
        return last === expected ? last : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, onTimeout: () => new Error('not served') },
    );
  } catch {
    return last;
  }
}

/** Every symlink under /etc/systemd/system, `path -> value`, sorted. */
const links = () => sh("find /etc/systemd/system -type l -printf '%p -> %l\\n' | sort");
/** Symlinks under /etc/systemd/system whose target does not exist. */
const dangling = () => sh("find /etc/systemd/system -xtype l -printf '%p -> %l\\n' | sort");
const current = async () => `${APP}/${(await sh(`readlink ${APP}/current`)).trim()}`;

async function reboot(): Promise<void> {
  await fx.fleet.stopHost('web');
  await fx.fleet.startHost('web');
}

/** After a reboot: each unit is enabled and active (the boot started it) and site serves `body`. */
async function upAfterBoot(units: readonly string[], body: string): Promise<void> {
  assert.equal(await sh(`systemctl is-enabled ${units.join(' ')}`), units.map(() => 'enabled\n').join(''));
  assert.equal(await served(body), body);
  assert.equal((await fx.fleet.exec('web', ['systemctl', 'is-active', ...units])).stdout, units.map(() => 'active\n').join(''));
}

test('after several deploys and gc, a reboot brings every enabled unit up on the latest revision', async () => {
  for (const n of [1, 2, 3, 4]) {
    await deploy({ body: `v${n}\n` });
    assert.equal(await served(`v${n}\n`), `v${n}\n`);
  }
  const rev = await current();
  const all = await links();
  assert.match(all, new RegExp(`^/etc/systemd/system/multi-user.target.wants/site.service -> ${rev}/systemd/site.service$`, 'm'));
  assert.match(all, new RegExp(`^/etc/systemd/system/multi-user.target.wants/worker@1.service -> ${rev}/systemd/worker@.service$`, 'm'));
  // The instance's own link is the file systemd loads for it.
  assert.match(all, new RegExp(`^/etc/systemd/system/worker@1.service -> ${rev}/systemd/worker@.service$`, 'm'));
  assert.match(all, new RegExp(`^/etc/systemd/system/api-alias.service -> ${rev}/systemd/api.service$`, 'm'));
  assert.equal((await sh(`ls ${APP} | grep -c sha256`)).trim(), '2', 'gc removed the first revisions');
  assert.equal(await dangling(), '');

  await reboot();
  await upAfterBoot(UNITS, 'v4\n');
  // For a linked unit the alias link is the file systemd loads under that name, so it must not dangle either.
  assert.equal(await sh('systemctl show -p LoadState --value api-alias.service'), 'loaded\n');
  assert.equal(await dangling(), '');
});

test('a changed [Install] section is applied: the old link goes, the new one stays across a reboot', async () => {
  await deploy({ body: 'wanted\n' });
  assert.equal(await sh('ls /etc/systemd/system/multi-user.target.requires 2>/dev/null || true'), '');
  await deploy({ body: 'required\n', install: 'RequiredBy=multi-user.target' });
  assert.equal((await fx.fleet.exec('web', ['test', '-L', '/etc/systemd/system/multi-user.target.wants/site.service'])).code, 1);
  assert.equal(await sh('readlink /etc/systemd/system/multi-user.target.requires/site.service'), `${await current()}/systemd/site.service\n`);
  assert.equal(await sh('systemctl show -p RequiredBy -p WantedBy --value site.service'), 'multi-user.target\n\n', 'systemd itself sees the change');
  assert.equal(await dangling(), '');

  await reboot();
  await upAfterBoot(UNITS, 'required\n');
  assert.equal(await sh('systemctl show -p RequiredBy --value site.service'), 'multi-user.target\n');
});

test('a deploy that changes [Install] and then fails verification is rolled back to exactly the old links', async () => {
  await deploy({ body: 'good\n', install: 'RequiredBy=multi-user.target' });
  const before = await links();
  const output = await deploy({ body: 'bad\n', install: 'WantedBy=multi-user.target\nAlias=site-alias.service', execStart: "/bin/sh -c 'sleep 0.2; exit 1'" }, 3);
  assert.match(output, /web: rolled back/);
  assert.equal(await links(), before);
  assert.equal(await served('good\n'), 'good\n');
  assert.equal(await sh('systemctl show -p RequiredBy -p WantedBy --value site.service'), 'multi-user.target\n\n');
  assert.equal(await sh(`systemctl is-active ${UNITS.join(' ')}`), UNITS.map(() => 'active\n').join(''));
});

test('a unit file that loses its [Install] section is refused with the remedy, and the old links are back', async () => {
  await deploy({ body: 'installed\n' });
  const before = await links();
  const output = await deploy({ body: 'no install\n', install: '' }, 3);
  assert.match(output, /site\.service has no \[Install\] section \(or it is not enabled: linked\); add one, e\.g\. WantedBy=multi-user\.target, or remove it from units_enabled/);
  assert.equal(await links(), before);
  assert.equal(await served('installed\n'), 'installed\n');
});

test('a unit added with a failing change is removed by the rollback, and added for good by the next deploy', async () => {
  await deploy({ body: 'base\n' });
  const before = await links();
  await deploy({ body: 'broken\n', extra: true, execStart: '/usr/bin/does-not-exist' }, 3);
  assert.equal(await links(), before);
  assert.equal(await sh('systemctl show -p LoadState --value extra.service'), 'not-found\n');
  assert.equal(await served('base\n'), 'base\n');

  await deploy({ body: 'extra\n', extra: true });
  assert.equal(await sh('systemctl is-active extra.service; systemctl is-enabled extra.service'), 'active\nenabled\n');
  await reboot();
  await upAfterBoot([...UNITS, 'extra.service'], 'extra\n');
});

test('an instance no longer enabled leaves none of its links behind', async () => {
  await deploy({ body: 'with worker\n' });
  await deploy({ body: 'without worker\n', units: ['site.service', 'api.service'] });
  assert.equal(await sh('find /etc/systemd/system -name worker@1.service'), '', 'neither the instance link nor its .wants link');
  assert.equal((await fx.fleet.exec('web', ['systemctl', 'is-active', 'worker@1.service'])).stdout, 'inactive\n');
  await deploy({ body: 'gc\n', units: ['site.service', 'api.service'] });
  assert.equal(await dangling(), '');
});
