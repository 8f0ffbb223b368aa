// The activation steps the driver sends a host: what each plan becomes, and in which order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VALIDATE_SECONDS, activationSteps, describeStep, hostState } from '../../src/deploy/steps.js';
import type { DriftItem } from '../../src/deploy/assess.js';
import { withOverwrites } from '../../src/deploy/overwrite.js';
import { makePlan, revOf } from '../../src/plan/plan.js';
import type { ClusterSnapshot } from '../../src/tree/types.js';
import { snapshot, type FileSpec } from '../helpers/snapshot.js';

/** The steps for host `web`, each as its fields. */
function steps(deployed: ClusterSnapshot, desired: ClusterSnapshot): string[][] {
  const plan = makePlan({ cluster: 'prod', base: null, deployed, desired });
  assert.equal(plan.hosts.length, 1, 'the host has changes');
  return activationSteps(plan.hosts[0], deployed.get('web'), desired.get('web')!, { settleMs: 500 }).map((step) => step.split('\t'));
}

const rev = (state: ClusterSnapshot, app: string) => revOf(state.get('web')!.apps.get(app))!;
const unit = (wantedBy = 'WantedBy=multi-user.target') => `[Service]\nExecStart=/bin/true\n[Install]\n${wantedBy}\n`;
const manifest = (...units: string[]) => JSON.stringify({ systemd: { units_enabled: units } });

function site(content: string, extra: Record<string, FileSpec> = {}): Record<string, FileSpec> {
  return { 'web/site/index.html': content, 'web/site/manifest.json': manifest('site.service'), 'web/site/systemd/site.service': unit(), ...extra };
}

test('an enabled unit of an app whose other files changed is enabled again (keep) after the flip, before its restart', () => {
  const before = snapshot(site('v1\n'));
  const after = snapshot(site('v2\n'));
  assert.deepEqual(steps(before, after), [
    ['flip', 'site', rev(after, 'site')],
    ['reenable', 'keep', 'site.service'],
    ['restart', 'site.service'],
    ['verify', '500', 'site.service'],
    ['status', 'site.service'],
    ['state'],
  ]);
});

test('a changed unit file is reset (its [Install] may have changed), between the links and the daemon-reload', () => {
  const before = snapshot(site('v1\n'));
  const after = snapshot(site('v1\n', { 'web/site/systemd/site.service': unit('RequiredBy=multi-user.target') }));
  assert.deepEqual(steps(before, after), [
    ['flip', 'site', rev(after, 'site')],
    ['reenable', 'reset', 'site.service'],
    ['daemon-reload'],
    ['restart', 'site.service'],
    ['verify', '500', 'site.service'],
    ['status', 'site.service'],
    ['state'],
  ]);
});

test('a new drop-in resets its unit after the drop-in is linked; units of other apps are batched by mode', () => {
  const before = snapshot({ ...site('v1\n'), 'web/api/systemd/api.service': unit(), 'web/api/manifest.json': manifest('api.service'), 'web/api/a': '1' });
  const after = snapshot({
    ...site('v1\n', { 'web/site/systemd/site.service.d/env.conf': '[Service]\nEnvironment=A=1\n' }),
    'web/api/systemd/api.service': unit(),
    'web/api/manifest.json': manifest('api.service'),
    'web/api/a': '2',
  });
  assert.deepEqual(steps(before, after), [
    ['flip', 'api', rev(after, 'api')],
    ['flip', 'site', rev(after, 'site')],
    ['link', '/etc/systemd/system/site.service.d/env.conf', '/var/lib/deptool/apps/site/current/systemd/site.service.d/env.conf', 'no-adopt'],
    ['reenable', 'reset', 'site.service'],
    ['reenable', 'keep', 'api.service'],
    ['daemon-reload'],
    ['restart', 'api.service'],
    ['restart', 'site.service'],
    ['verify', '500', 'api.service', 'site.service'],
    ['status', 'api.service', 'site.service'],
    ['state'],
  ]);
});

test('instances of a template are always reset: systemd keeps their own link on the old revision', () => {
  const files = (content: string) => ({
    'web/work/systemd/work@.service': unit(),
    'web/work/systemd/other.service': unit(),
    'web/work/manifest.json': manifest('work@1.service', 'work@2.service', 'other.service'),
    'web/work/job': content,
  });
  assert.deepEqual(
    steps(snapshot(files('a')), snapshot(files('b'))).filter((step) => step[0] === 'reenable'),
    [
      ['reenable', 'reset', 'work@1.service', 'work@2.service'],
      ['reenable', 'keep', 'other.service'],
    ],
  );
});

test('units newly enabled or disabled, and removed apps, are not re-enabled', () => {
  const before = snapshot({
    'web/site/index.html': 'v1\n',
    'web/site/manifest.json': manifest('old.service'),
    'web/site/systemd/old.service': unit(),
    'web/site/systemd/new.service': unit(),
    'web/gone/systemd/gone.service': unit(),
    'web/gone/manifest.json': manifest('gone.service'),
  });
  const after = snapshot({
    'web/site/index.html': 'v2\n',
    'web/site/manifest.json': manifest('new.service'),
    'web/site/systemd/old.service': unit(),
    'web/site/systemd/new.service': unit(),
  });
  const result = steps(before, after);
  assert.deepEqual(result.filter((step) => step[0] === 'reenable'), []);
  assert.deepEqual(
    result.map((step) => step[0]),
    ['disable', 'disable', 'flip', 'unlink', 'daemon-reload', 'enable', 'verify', 'status', 'remove-app', 'state'],
  );
});

test('the validate commands of each new revision come first, before a unit is stopped; {rev} goes to the host as written', () => {
  const validate = [['/usr/sbin/nginx', '-t', '-c', '{rev}/nginx.conf'], ['/bin/sh', '{rev}/check.sh', 'two words']];
  const withValidate = (content: string) => ({ 'web/site/index.html': content, 'web/site/manifest.json': JSON.stringify({ systemd: { units_enabled: ['site.service'] }, validate }), 'web/site/systemd/site.service': unit() });
  const before = snapshot({ ...withValidate('v1\n'), 'web/old/manifest.json': manifest('old.service'), 'web/old/systemd/old.service': unit() });
  const after = snapshot(withValidate('v2\n'));
  const sent = steps(before, after);
  const site = rev(after, 'site');
  assert.deepEqual(sent.slice(0, 4), [
    ['validate', 'site', site, String(VALIDATE_SECONDS), '/usr/sbin/nginx', '-t', '-c', '{rev}/nginx.conf'],
    ['validate', 'site', site, String(VALIDATE_SECONDS), '/bin/sh', '{rev}/check.sh', 'two words'],
    ['disable', 'old.service'],
    ['flip', 'site', site],
  ]);
  assert.equal(sent.filter((step) => step[0] === 'validate').length, 2, 'a removed app is not validated');
});

test('an app without validate commands, or whose revision does not change, sends no validate step', () => {
  const before = snapshot(site('v1\n'));
  assert.ok(!steps(before, snapshot(site('v2\n'))).some((step) => step[0] === 'validate'));
  const validated = (content: string, unitText: string) => ({
    'web/site/index.html': 'same\n',
    'web/site/manifest.json': JSON.stringify({ systemd: { units_enabled: ['site.service'] }, validate: [['/bin/true']] }),
    'web/site/systemd/site.service': unitText,
    'web/other/a': content,
  });
  const unchanged = steps(snapshot(validated('1', unit())), snapshot(validated('2', unit())));
  assert.ok(!unchanged.some((step) => step[0] === 'validate' && step[1] === 'site'), JSON.stringify(unchanged));
});

test('a step is described for the operator as it reads in a dry run', () => {
  assert.equal(describeStep('validate\tsite\t0123456789\t60\t/usr/sbin/nginx\t-t\t-c\t{rev}/nginx.conf'), 'validate site: /usr/sbin/nginx -t -c {rev}/nginx.conf');
  // An argument with spaces or quotes reads as one: quoted as a shell would need it.
  assert.equal(describeStep("validate\tsite\t0123456789\t60\t/bin/sh\t-c\ttest -s {rev}/it's"), "validate site: /bin/sh -c 'test -s {rev}/it'\\''s'");
  assert.equal(describeStep('flip\tsite\t0123456789'), 'flip site to 0123456789');
  assert.equal(describeStep('link\t/etc/site.conf\t/var/lib/deptool/apps/site/current/site.conf\tadopt'), 'link /etc/site.conf -> /var/lib/deptool/apps/site/current/site.conf');
  assert.equal(describeStep('link\t/etc/site.conf\t/var/lib/deptool/apps/site/current/site.conf\treplace'), 'link /etc/site.conf -> /var/lib/deptool/apps/site/current/site.conf, replacing what is there');
  assert.equal(describeStep('verify\t1000\ta.service\tb.service'), 'verify a.service b.service');
  assert.equal(describeStep('reenable\tkeep\ta.service'), 'reenable a.service');
  assert.equal(describeStep('restart\ta.service'), 'restart a.service');
  assert.equal(describeStep('state'), 'write state.json');
});

test('quadlets are linked into /etc/containers/systemd through current before a daemon-reload, which also follows a changed or removed quadlet', () => {
  const container = '[Container]\nImage=docker.io/library/nginx\n';
  const quadletManifest = JSON.stringify({ systemd: { units_restarted: ['web.service'] } });
  const before = snapshot({ 'web/site/index.html': 'v1\n' });
  const added = snapshot({ 'web/site/index.html': 'v1\n', 'web/site/quadlets/web.container': container, 'web/site/manifest.json': quadletManifest });
  assert.deepEqual(steps(before, added), [
    ['flip', 'site', rev(added, 'site')],
    ['link', '/etc/containers/systemd/web.container', '/var/lib/deptool/apps/site/current/quadlets/web.container', 'no-adopt'],
    ['daemon-reload'],
    ['restart', 'web.service'],
    ['verify', '500', 'web.service'],
    ['status', 'web.service'],
    ['state'],
  ]);
  const changed = snapshot({ 'web/site/index.html': 'v1\n', 'web/site/quadlets/web.container': `${container}PublishPort=8080:80\n`, 'web/site/manifest.json': quadletManifest });
  assert.deepEqual(steps(added, changed).map((s) => s[0]), ['flip', 'daemon-reload', 'restart', 'verify', 'status', 'state']);
  const removed = snapshot({ 'web/site/index.html': 'v2\n' });
  assert.deepEqual(steps(changed, removed).slice(0, 3), [['flip', 'site', rev(removed, 'site')], ['unlink', '/etc/containers/systemd/web.container'], ['daemon-reload']]);
  // A change outside quadlets/ needs no reload: the links point through current.
  const other = snapshot({ 'web/site/index.html': 'v3\n', 'web/site/quadlets/web.container': `${container}PublishPort=8080:80\n`, 'web/site/manifest.json': quadletManifest });
  assert.deepEqual(steps(changed, other).map((s) => s[0]), ['flip', 'restart', 'verify', 'status', 'state']);
});

test('a host keeps its quadlet links in state.json, so the drift check and sync read them back', () => {
  const desired = snapshot({ 'web/site/quadlets/web.container': '[Container]\n', 'web/site/systemd/site.service': unit() });
  assert.deepEqual(hostState(desired.get('web')).apps.site.links, {
    '/etc/containers/systemd/web.container': '/var/lib/deptool/apps/site/current/quadlets/web.container',
    '/etc/systemd/system/site.service': '/var/lib/deptool/apps/site/current/systemd/site.service',
  });
});

test('removing every app of a host (an empty host dir) stops and unlinks its units, then removes the apps', () => {
  const before = snapshot({ ...site('v1\n'), 'web/other/f': '1' });
  const plan = makePlan({ cluster: 'prod', base: null, deployed: before, desired: snapshot({}, ['web']) });
  const lines = activationSteps(plan.hosts[0], before.get('web'), { name: 'web', apps: new Map() }, { settleMs: 500 }).map((step) => step.split('\t'));
  assert.deepEqual(lines, [
    ['disable', 'site.service'],
    ['unlink', '/etc/systemd/system/site.service'],
    ['daemon-reload'],
    ['remove-app', 'other'],
    ['remove-app', 'site'],
    ['state'],
  ]);
});

test('--overwrite-drift puts back a quadlet edited by hand, or its re-pointed link, and reloads for the generator', () => {
  const state = snapshot({ 'web/site/quadlets/web.container': '[Container]\n', 'web/site/index.html': 'v1\n' });
  const clean = makePlan({ cluster: 'prod', base: null, deployed: state, desired: state });
  const stepsFor = (drift: DriftItem[]) => {
    const plan = withOverwrites(clean, new Map([['web', drift]]), state, state);
    return activationSteps(plan.hosts[0], state.get('web'), state.get('web')!, { settleMs: 500 }).map((step) => step.split('\t'));
  };
  assert.deepEqual(stepsFor([{ kind: 'file', app: 'site', path: 'quadlets/web.container', change: 'modified' }]), [['flip', 'site', rev(state, 'site')], ['daemon-reload'], ['state']]);
  const link = '/var/lib/deptool/apps/site/current/quadlets/web.container';
  assert.deepEqual(stepsFor([{ kind: 'link', target: '/etc/containers/systemd/web.container', expected: link, found: '/tmp/x' }]), [
    ['link', '/etc/containers/systemd/web.container', link, 'replace'],
    ['daemon-reload'],
    ['state'],
  ]);
});
