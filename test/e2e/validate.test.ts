// Validation before activation and the dry run, on a real host through the CLI: a validate
// command that fails refuses the host with its output and nothing changed; a dry run goes
// through the whole activation in a scratch root on the host, and changes nothing outside it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreView } from './inspect.js';
import { fleetFixture } from './workspace.js';

const fx = fleetFixture({ count: 1, hostnames: ['web'] });

const sh = async (command: string) => (await fx.fleet.exec('web', ['sh', '-c', command])).stdout;

const serve = () => `/usr/bin/python3 -m http.server ${fx.port} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
const UNIT = () => `[Unit]\nDescription=Example site\n\n[Service]\nExecStart=${serve()}\n\n[Install]\nWantedBy=multi-user.target\n`;
const VALIDATE = ['/usr/bin/python3', '-m', 'json.tool', '{rev}/config.json'];

/** The site app: `config.json` linked to /etc/site.json and checked by `python3 -m json.tool` before each activation. */
function site(content: string, config: string, symlinks: Record<string, string> = {}): Record<string, string> {
  return {
    'web/site/index.html': content,
    'web/site/config.json': config,
    'web/site/manifest.json': JSON.stringify({
      systemd: { units_enabled: ['site.service'] },
      symlinks: { '/etc/site.json': 'config.json', ...symlinks },
      validate: [VALIDATE],
    }),
    'web/site/systemd/site.service': UNIT(),
  };
}

async function get(): Promise<string> {
  const result = await fx.fleet.exec('web', ['python3', '-c', `import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:${fx.port}/index.html').read().decode(),end='')`]);
  return result.stdout;
}

/**
 * What a refused deploy or a dry run must leave as it was: every path under apps/ (revision dirs,
 * lists, current and previous), state.json, what /var/lib/deptool holds, the link, the running
 * service, and the store's tip. `activations` adds the activation log (a dry run adds none).
 */
async function hostAndStore(activations: 'with activations' | 'without activations'): Promise<string> {
  const order = activations === 'with activations' ? 'cat activations/order;' : '';
  const host = await sh(
    `cd /var/lib/deptool && find apps -printf '%p %y %l\\n' | LC_ALL=C sort; cat state.json; ls -A; ${order} readlink /etc/site.json; systemctl show -p MainPID --value site.service`,
  );
  return `${host}store ${new StoreView(fx.ws.store).tip()}\n`;
}

async function deploy(...args: string[]) {
  return fx.ws.deptool('deploy', '--yes', '--settle', '0.3', ...args);
}

test('a validate command that fails refuses the host with its output and nothing changes; once it passes, the deploy goes through', async () => {
  await fx.ws.write(site('one\n', '{ "port": 1 }\n'));
  const first = await deploy();
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(await get(), 'one\n');
  const before = await hostAndStore('without activations');

  await fx.ws.write(site('two\n', '{ "port": 2,, }\n'));
  const refused = await deploy();
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /^ {2}web: refused$/m);
  assert.match(refused.stdout, /^validate site: \/usr\/bin\/python3 -m json\.tool \{rev\}\/config\.json failed; its last lines of output:\n {4}Expecting property name enclosed in double quotes: line 1 column 13 \(char 12\)$/m);
  assert.match(refused.stdout, /Nothing was changed: 1 host refused the deploy:\n {2}web: refused: validate site: \/usr\/bin\/python3 -m json\.tool \{rev\}\/config\.json exited with status 1\n/);
  assert.equal(await hostAndStore('without activations'), before, 'the revision dirs, links, state.json, the service and the store are as they were');
  assert.equal(await get(), 'one\n');
  assert.match((await fx.ws.deptool('plan')).stdout, /~ config\.json/, 'the store still says the old config is deployed');

  await fx.ws.write(site('two\n', '{ "port": 2 }\n'));
  const passed = await deploy();
  assert.equal(passed.code, 0, passed.stdout + passed.stderr);
  assert.equal(await get(), 'two\n');
  assert.equal(await sh('cat /etc/site.json'), '{ "port": 2 }\n');
});

test('a dry run reports an adoption conflict with a file on the host, without touching it, the apps dir or the store, and leaves no scratch root', async () => {
  await fx.ws.write(site('three\n', '{ "port": 3 }\n'));
  assert.equal((await deploy()).code, 0);
  await sh("printf 'mine\\n' > /etc/site-extra.json; chmod 0600 /etc/site-extra.json");
  const target = await sh('stat -c "%i %a %s %Y" /etc/site-extra.json; cat /etc/site-extra.json');
  const before = await hostAndStore('with activations');

  await fx.ws.write(site('four\n', '{ "port": 4 }\n', { '/etc/site-extra.json': 'config.json' }));
  const dry = await deploy('--dry-run');
  assert.equal(dry.code, 1, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /^dry run against a scratch root on the host \(\/var\/lib\/deptool\/dryrun\/[\w-]+, removed afterwards; systemctl not run\):\n {4}ok {7}validate site: /m);
  assert.match(dry.stdout, /^ {4}failed {3}link \/etc\/site-extra\.json -> \/var\/lib\/deptool\/apps\/site\/current\/config\.json$/m);
  assert.match(dry.stdout, /^ {4}not run {2}restart site\.service$/m);
  assert.match(dry.stdout, /Dry run: the deploy would not go through on 1 host; nothing was changed:\n {2}web: refused: \/etc\/site-extra\.json exists with different content; move it away, or make it identical to adopt it\n/);
  assert.equal(await sh('stat -c "%i %a %s %Y" /etc/site-extra.json; cat /etc/site-extra.json'), target, 'the host\'s file is untouched');
  assert.equal(await hostAndStore('with activations'), before, 'no revision, link, record, activation or scratch root is left on the host, and the store is as it was');
  assert.equal(await get(), 'three\n');

  // The deploy itself meets the same conflict, and rolls back.
  const real = await deploy();
  assert.equal(real.code, 3, real.stdout + real.stderr);
  assert.match(real.stdout, /\/etc\/site-extra\.json exists with different content/);
  await sh('rm /etc/site-extra.json');
});

test('a dry run of a good change runs the validate command and lists every step, and changes nothing; one of a bad config is refused with its output', async () => {
  await fx.ws.write(site('five\n', '{ "port": 5 }\n'));
  assert.equal((await deploy()).code, 0);
  const before = await hostAndStore('with activations');

  await fx.ws.write(site('six\n', '{ "port": 6 }\n'));
  const dry = await deploy('--dry-run');
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  const rev = new RegExp(`flip site to ([0-9a-f]{10})`).exec(dry.stdout)?.[1];
  assert.ok(rev, dry.stdout);
  assert.match(
    dry.stdout,
    new RegExp(
      [
        '^ {4}ok {7}validate site: /usr/bin/python3 -m json\\.tool \\{rev\\}/config\\.json',
        ` {4}ok {7}flip site to ${rev}`,
        ' {4}skipped  reenable site\\.service',
        ' {4}skipped  restart site\\.service',
        ' {4}skipped  verify site\\.service',
        ' {4}skipped  status site\\.service',
        ' {4}ok {7}write state\\.json$',
      ].join('\n'),
      'm',
    ),
  );
  assert.match(dry.stdout, /Dry run: every check and activation step went through on 1 host; nothing was changed\./);
  assert.equal(await hostAndStore('with activations'), before);
  assert.equal(await get(), 'five\n');

  await fx.ws.write(site('six\n', '{ "port": }\n'));
  const bad = await deploy('--dry-run');
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /^ {4}failed {3}validate site: /m);
  assert.match(bad.stdout, /its last lines of output:\n {4}Expecting value: line 1 column 11 \(char 10\)$/m);
  assert.match(bad.stdout, /web: refused: validate site: \/usr\/bin\/python3 -m json\.tool \{rev\}\/config\.json exited with status 1/);
  assert.equal(await hostAndStore('with activations'), before);

  await fx.ws.write(site('six\n', '{ "port": 6 }\n'));
  const real = await deploy();
  assert.equal(real.code, 0, real.stdout + real.stderr);
  assert.equal(await get(), 'six\n');
});

test('a rollback dry run goes through the same activation in a scratch root, with the revision the host still has', async () => {
  await fx.ws.write(site('seven\n', '{ "port": 7 }\n'));
  assert.equal((await deploy()).code, 0);
  const previous = (await sh('readlink /var/lib/deptool/apps/site/previous')).trim();
  const before = await hostAndStore('with activations');
  const dry = await fx.ws.deptool('rollback', '--host', 'web', '--yes', '--dry-run');
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.doesNotMatch(dry.stdout, /uploading/);
  assert.match(dry.stdout, new RegExp(`^ {4}ok {7}validate site: .*\\n {4}ok {7}flip site to ${previous}$`, 'm'));
  assert.equal(await hostAndStore('with activations'), before);
  assert.equal(await get(), 'seven\n');
});
