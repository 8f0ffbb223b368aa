// What the driver sends for apps with permissions: the `perms` step after sysusers, the list in the stage tar, and the drift lines it reads back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extract } from 'tar-stream';
import { parseCheck } from '../../src/deploy/protocol.js';
import { activationArchive, activationSteps, hostState } from '../../src/deploy/steps.js';
import { makePlan } from '../../src/plan/plan.js';
import { snapshot } from '../helpers/snapshot.js';

const deployed = snapshot({ 'web/gone/conf': 'x', 'web/plain/conf': 'one' });
const FILES: Record<string, string> = {
  'web/caddy/manifest.json': JSON.stringify({ systemd: { units_enabled: ['caddy.service'] }, permissions: { 'secrets/*': { mode: '0400', owner: 'caddy' } } }),
  'web/caddy/secrets/a.key': 'KEY',
  'web/caddy/sysusers/caddy.conf': 'u caddy -\n',
  'web/caddy/systemd/caddy.service': '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n',
  'web/plain/conf': 'two',
};
const desired = snapshot(FILES);
const plan = makePlan({ cluster: 'prod', base: null, deployed, desired }).hosts[0];
const rev = (app: string) => desired.get('web')!.apps.get(app)!.treeOid.slice(0, 10);

test('a flipped revision with permissions gets a perms step right after sysusers; others get none', () => {
  const steps = activationSteps(plan, deployed.get('web'), desired.get('web')!, { settleMs: 0 });
  const at = steps.indexOf('sysusers');
  assert.notEqual(at, -1, steps.join('\n'));
  assert.equal(steps[at + 1], `perms\tcaddy\t${rev('caddy')}`);
  assert.deepEqual(steps.filter((step) => step.startsWith('perms')), [`perms\tcaddy\t${rev('caddy')}`]);
});

test('the stage tar holds the permissions list of a revision whose app has permissions, and only then', async () => {
  const apps = desired.get('web')!.apps;
  const archive = await activationArchive(['state'], hostState(desired.get('web')), [apps.get('caddy')!, apps.get('plain')!], (app, path) => Promise.resolve(Buffer.from(FILES[`web/${app}/${path}`])));
  const entries = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    const reader = extract();
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        entries.set(header.name, Buffer.concat(chunks).toString('utf8'));
        next();
      });
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
    reader.end(archive);
  });
  assert.equal(entries.get(`revisions/caddy/${rev('caddy')}.perms`), '0400 caddy - secrets/a.key\n');
  assert.equal(entries.has(`revisions/plain/${rev('plain')}.perms`), false);
});

test('mode, owner and group drift lines are read with paths that hold spaces', () => {
  const check = parseCheck(['mode caddy 0644 0400 secrets/a key', 'owner caddy root caddy secrets/a key', 'group caddy 0 caddy x', 'modified caddy conf']);
  assert.deepEqual(check.permissions, [
    { what: 'mode', file: 'caddy/secrets/a key', actual: '0644', expected: '0400' },
    { what: 'owner', file: 'caddy/secrets/a key', actual: 'root', expected: 'caddy' },
    { what: 'group', file: 'caddy/x', actual: '0', expected: 'caddy' },
  ]);
  assert.deepEqual(check.modified, ['caddy/conf']);
});
