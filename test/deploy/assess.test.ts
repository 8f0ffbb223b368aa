// The pure assessment of a locked host's report against the store: in sync, moved, each kind of drift, and the refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assess, driftRefusal, type Assessment, type HostChecks } from '../../src/deploy/assess.js';
import type { PermissionDrift, SessionFacts, UnitFile } from '../../src/deploy/protocol.js';
import { hostState, type HostState } from '../../src/deploy/steps.js';
import type { HostSnapshot } from '../../src/tree/types.js';
import { snapshot } from '../helpers/snapshot.js';

const MANIFEST = '{ "systemd": { "units_enabled": ["caddy.service"] }, "symlinks": { "/etc/caddy/Caddyfile": "Caddyfile" } }';
const LINK = '/var/lib/deptool/apps/caddy/current/Caddyfile';
const UNIT_LINK = '/var/lib/deptool/apps/caddy/current/systemd/caddy.service';

function host(content: string): HostSnapshot {
  return snapshot({ 'web/caddy/Caddyfile': content, 'web/caddy/manifest.json': MANIFEST, 'web/caddy/systemd/caddy.service': '[Service]\n' }).get('web')!;
}

const STORE = host('one');
const MOVED = host('two');
const rev = (h: HostSnapshot) => h.apps.get('caddy')!.treeOid.slice(0, 10);

interface FactSpec {
  readonly hostname?: string;
  readonly system?: string;
  readonly failedUnits?: string[];
  /** The host's apps as deptool left them; its record and `current` follow it unless overridden. */
  readonly runs?: HostSnapshot | null;
  readonly state?: string;
  readonly current?: Record<string, string>;
  readonly modified?: string[];
  readonly extra?: string[];
  readonly broken?: { app: string; what: string }[];
  readonly permissions?: PermissionDrift[];
  readonly links?: Record<string, string>;
  readonly unitFiles?: Record<string, UnitFile>;
}

/** A session report: by default, a healthy `web` that runs what the store says. */
function facts(spec: FactSpec = {}): { facts: SessionFacts; links: Map<string, string> } {
  const runs = spec.runs === undefined ? STORE : spec.runs;
  const state: HostState | null = runs === null ? null : hostState(runs);
  const current = spec.current ?? Object.fromEntries(Object.entries(state?.apps ?? {}).map(([app, record]) => [app, record.rev]));
  const links = new Map<string, string>(Object.entries(state?.apps ?? {}).flatMap(([, record]) => Object.entries(record.links)));
  for (const [target, value] of Object.entries(spec.links ?? {})) links.set(target, value);
  return {
    facts: {
      token: '4000',
      agent: '0.2.0 0123456789',
      hostname: spec.hostname ?? 'web',
      system: spec.system ?? 'running',
      failedUnits: spec.failedUnits ?? [],
      lastActivation: null,
      current: new Map(Object.entries(current)),
      previous: new Map(),
      state: spec.state ?? (state === null ? '' : JSON.stringify(state)),
      check: { modified: spec.modified ?? [], extra: spec.extra ?? [], broken: spec.broken ?? [], links, permissions: spec.permissions ?? [] },
      unitFiles: new Map(Object.entries(spec.unitFiles ?? {})),
    },
    links,
  };
}

function run(spec: FactSpec, options: { expected?: HostSnapshot | undefined; checks?: Partial<HostChecks> } = {}): Assessment {
  const { facts: f, links } = facts(spec);
  const checks: HostChecks = { host: 'web', expectedHostname: 'web', allowDegraded: false, newUnits: new Map(), ...options.checks };
  return assess(checks, f, links, 'expected' in options ? options.expected : STORE);
}

test('a host that runs what the store says is in sync', () => {
  assert.deepEqual(run({}), { problems: [], drift: [], moved: null });
});

test('a new host (no record, nothing deployed) is in sync with an empty store record', () => {
  assert.deepEqual(run({ runs: null }, { expected: undefined }), { problems: [], drift: [], moved: null });
});

test('a host whose own record agrees with it but not with the store moved: the store follows it', () => {
  const result = run({ runs: MOVED });
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.drift, []);
  assert.deepEqual(result.moved, hostState(MOVED));
});

test('a host the store knows nothing of moved too', () => {
  assert.deepEqual(run({ runs: MOVED }, { expected: undefined }).moved, hostState(MOVED));
});

test('a host whose apps were all removed by another run moved to nothing', () => {
  assert.deepEqual(run({ runs: null, state: JSON.stringify({ schema: 1, apps: {} }) }).moved, { schema: 1, apps: {} });
});

const DRIFT: { name: string; spec: FactSpec; drift: Assessment['drift']; says: string }[] = [
  { name: 'a state.json that is not valid', spec: { state: '{"schema": 1, "apps"' }, drift: [{ kind: 'state-invalid' }], says: '/var/lib/deptool/state.json is not valid; it was changed outside deptool' },
  { name: 'a state.json of another schema', spec: { state: '{"schema": 2, "apps": {}}' }, drift: [{ kind: 'state-invalid' }], says: '/var/lib/deptool/state.json is not valid; it was changed outside deptool' },
  { name: 'a missing state.json while apps are deployed', spec: { state: '' }, drift: [{ kind: 'state-missing' }], says: '/var/lib/deptool/state.json is missing although apps are deployed' },
  {
    name: 'a current link that is not the recorded revision',
    spec: { current: { caddy: rev(MOVED) } },
    drift: [{ kind: 'current', app: 'caddy', onHost: rev(MOVED), recorded: rev(STORE) }],
    says: `app 'caddy' is at revision ${rev(MOVED)}, the host's record says ${rev(STORE)}`,
  },
  {
    name: 'a recorded app without a current link',
    spec: { current: {} },
    drift: [{ kind: 'current', app: 'caddy', onHost: null, recorded: rev(STORE) }],
    says: `app 'caddy' is recorded at revision ${rev(STORE)} but has no current revision`,
  },
  {
    name: 'an app the record does not have',
    spec: { current: { caddy: rev(STORE), extra: 'abcdef0123' } },
    drift: [{ kind: 'current', app: 'extra', onHost: 'abcdef0123', recorded: null }],
    says: "app 'extra' is at revision abcdef0123, which the host's record does not have",
  },
  { name: 'a modified file', spec: { modified: ['caddy/Caddyfile'] }, drift: [{ kind: 'file', app: 'caddy', path: 'Caddyfile', change: 'modified' }], says: 'caddy/Caddyfile was changed on the host' },
  { name: 'an added file', spec: { extra: ['caddy/conf.d/x y.conf'] }, drift: [{ kind: 'file', app: 'caddy', path: 'conf.d/x y.conf', change: 'added' }], says: 'caddy/conf.d/x y.conf was added on the host' },
  {
    name: 'a revision that is gone',
    spec: { broken: [{ app: 'caddy', what: "revision abc of app 'caddy' is missing on the host" }] },
    drift: [{ kind: 'revision', app: 'caddy', what: "revision abc of app 'caddy' is missing on the host" }],
    says: "revision abc of app 'caddy' is missing on the host",
  },
  {
    name: 'a mode changed by hand',
    spec: { permissions: [{ what: 'mode', file: 'caddy/key', actual: '0644', expected: '0400' }] },
    drift: [{ kind: 'permission', app: 'caddy', path: 'key', what: 'mode', actual: '0644', expected: '0400' }],
    says: 'mode of caddy/key is 0644 on the host, expected 0400',
  },
  { name: 'a removed link', spec: { links: { '/etc/caddy/Caddyfile': '-' } }, drift: [{ kind: 'link', target: '/etc/caddy/Caddyfile', expected: LINK, found: '-' }], says: 'link /etc/caddy/Caddyfile is missing' },
  {
    name: 'a link replaced by a file',
    spec: { links: { '/etc/systemd/system/caddy.service': '!' } },
    drift: [{ kind: 'link', target: '/etc/systemd/system/caddy.service', expected: UNIT_LINK, found: '!' }],
    says: '/etc/systemd/system/caddy.service is no longer a link',
  },
  {
    name: 'a link pointed elsewhere',
    spec: { links: { '/etc/caddy/Caddyfile': '/srv/Caddyfile' } },
    drift: [{ kind: 'link', target: '/etc/caddy/Caddyfile', expected: LINK, found: '/srv/Caddyfile' }],
    says: 'link /etc/caddy/Caddyfile points to /srv/Caddyfile, not ' + LINK,
  },
];

for (const { name, spec, drift, says } of DRIFT) {
  test(`drift: ${name}`, () => {
    const result = run(spec);
    assert.deepEqual(result.drift, drift);
    assert.equal(result.moved, null, 'a host with drift never counts as moved');
    assert.deepEqual(result.problems, []);
    assert.equal(
      driftRefusal('web', result.drift),
      `the host was changed outside deptool (drift): ${says}. Run 'deptool sync --limit web' to accept the host as it is, or 'deptool deploy --overwrite-drift --limit web' to replace the edits.`,
    );
  });
}

test('without a usable record, the links are checked against the store', () => {
  const result = run({ state: '', links: { '/etc/caddy/Caddyfile': '-' } });
  assert.deepEqual(result.drift, [{ kind: 'state-missing' }, { kind: 'link', target: '/etc/caddy/Caddyfile', expected: LINK, found: '-' }]);
});

test('a unit the host has outside deptool is refused with the drop-in to ship instead; its own or a new one is not', () => {
  const newUnits = new Map([
    ['ssh.service', 'base'],
    ['caddy.service', 'caddy'],
    ['new.service', 'caddy'],
    ['unasked.service', 'caddy'],
  ]);
  const result = run(
    { unitFiles: { 'ssh.service': { foreign: '/lib/systemd/system/ssh.service' }, 'caddy.service': 'deptool', 'new.service': 'none' } },
    { checks: { newUnits } },
  );
  assert.deepEqual(result.problems, [
    "app 'base' ships systemd/ssh.service, but the host already has its own ssh.service (/lib/systemd/system/ssh.service); deptool manages only units it made and will not replace it. " +
      'To change the host\'s unit, ship a drop-in instead: base/systemd/ssh.service.d/override.conf.',
  ]);
  assert.deepEqual(result.drift, []);
});

test('the wrong machine and a degraded system are problems, reported together and beside drift', () => {
  const result = run({ hostname: 'db1', system: 'degraded', failedUnits: ['a.service', 'b.mount'], modified: ['caddy/Caddyfile'] });
  assert.deepEqual(result.problems, [
    `/etc/hostname says 'db1', expected 'web': is this the right machine? If it is, set "hostname" for it in deptool.json.`,
    'system is degraded (failed: a.service, b.mount); fix it or pass --allow-degraded',
  ]);
  assert.equal(result.drift.length, 1);
});

test('a degraded system passes with allowDegraded, and a sandbox reports its system as skipped', () => {
  assert.deepEqual(run({ system: 'degraded' }, { checks: { allowDegraded: true } }).problems, []);
  assert.deepEqual(run({ system: 'skipped' }).problems, []);
  assert.deepEqual(run({ system: 'starting' }).problems, ['system is starting; fix it or pass --allow-degraded']);
});
