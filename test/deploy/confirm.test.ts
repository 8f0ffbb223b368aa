// The driver's verdict against fake hosts: confirmation over a new connection, health checks run
// over it (a failing one rolls the host back with its result), a deploy that breaks logins, the
// verdict surviving dropped connections, and confirmation turned off.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { MANIFEST, UNIT, World, caddy } from './world.js';

const CONFIRM = 30;

/** web1 runs caddy `one`; the tree changes it to `two`, with `checks` in its manifest when given. */
async function oneHost(t: TestContext, checks?: unknown[]): Promise<World> {
  const world = await World.create(t, ['web1']);
  await world.tree(caddy('web1', 'one'));
  await world.deploy();
  const manifest = checks ? JSON.stringify({ ...(JSON.parse(MANIFEST) as object), checks }) : MANIFEST;
  await world.tree({ 'web1/caddy/Caddyfile': 'two', 'web1/caddy/manifest.json': manifest, 'web1/caddy/systemd/caddy.service': UNIT });
  return world;
}

async function server(t: TestContext, status: number, body: string): Promise<number> {
  const http: Server = createServer((_req, res) => res.writeHead(status).end(body));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    http.closeAllConnections();
    http.close();
  });
  return (http.address() as AddressInfo).port;
}

test('with confirmation on, a host is confirmed over one new connection once its units restarted, and is deployed', async (t) => {
  const world = await oneHost(t);
  const web1 = world.host('web1');
  const connections = web1.connections;
  const { result, phases } = await world.deploy({ confirmTimeout: CONFIRM });
  assert.deepEqual(result.outcomes.map((o) => [o.host, o.status]), [['web1', 'deployed']]);
  assert.equal(result.outcomes[0].activation!.confirmed, true);
  assert.equal(web1.confirmations, 1);
  assert.equal(web1.connections - connections, 2, 'the session, and one new connection to confirm');
  const steps = web1.received[1].steps;
  assert.deepEqual(steps.map((s) => s[0]), ['flip', 'reenable', 'restart', 'await', 'verify', 'status', 'state']);
  assert.deepEqual(steps[3].slice(2), ['30', '30']);
  assert.ok(phases.includes('web1 confirming: over a new connection'), phases.join('\n'));
  assert.deepEqual(web1.usageErrors, []);
  assert.equal(web1.file('caddy', 'Caddyfile'), 'two');
});

test('a failing http check rolls the host back; its status line and body are in the report, the log and the store', async (t) => {
  const port = await server(t, 500, 'Internal error: cannot reach database\n');
  const world = await oneHost(t, [{ http: `http://127.0.0.1:${port}/health`, within: 0.3, interval: 0.1 }]);
  const { result } = await world.deploy({ confirmTimeout: CONFIRM });
  const [outcome] = result.outcomes;
  assert.equal(outcome.status, 'rolled-back');
  assert.deepEqual(outcome.activation!.checks, [
    { app: 'caddy', kind: 'http', target: `http://127.0.0.1:${port}/health`, ok: false, summary: 'HTTP/1.1 500 Internal Server Error (expected a 2xx status)', excerpt: 'Internal error: cannot reach database' },
  ]);
  assert.deepEqual(outcome.problems, [`the driver rejected the activation: check http://127.0.0.1:${port}/health of app 'caddy' failed: HTTP/1.1 500 Internal Server Error (expected a 2xx status)`]);
  const web1 = world.host('web1');
  assert.equal(web1.file('caddy', 'Caddyfile'), 'one');
  assert.ok(web1.forwards.length > 1 && web1.forwards.every((f) => f === `127.0.0.1:${port}`), `the host made the check's connections, once per attempt: ${web1.forwards.join(', ')}`);
  const [attempt] = await world.log();
  assert.deepEqual(attempt.results.map((r) => [r.host, r.status]), [['web1', 'rolled-back']]);
  assert.equal(await world.storedFile('web1', 'caddy', 'Caddyfile'), 'one');
});

test('passing checks of every kind deploy the host, their results in the report; exec runs the argument array under timeout', async (t) => {
  const port = await server(t, 200, 'ok\n');
  const world = await oneHost(t, [{ http: `http://127.0.0.1:${port}/`, contains: 'ok' }, { tcp: `127.0.0.1:${port}` }, { exec: ['/usr/bin/pg_isready', '-q'], timeout: 3 }]);
  const web1 = world.host('web1');
  const ran: string[][] = [];
  web1.execHandler = (argv) => {
    ran.push([...argv]);
    return { code: 0, output: 'accepting connections\n' };
  };
  const { result } = await world.deploy({ confirmTimeout: CONFIRM });
  assert.equal(result.outcomes[0].status, 'deployed');
  assert.deepEqual(result.outcomes[0].activation!.checks.map((c) => [c.kind, c.ok, c.summary, c.excerpt]), [
    ['http', true, 'HTTP/1.1 200 OK', 'ok'],
    ['tcp', true, 'connected', ''],
    ['exec', true, 'exit 0', 'accepting connections'],
  ]);
  assert.deepEqual(ran, [['timeout', '-k', '1', '3', '/usr/bin/pg_isready', '-q']]);
  assert.equal(web1.received[1].steps.find((s) => s[0] === 'await')![3], String(CONFIRM + 30 + 5 + 10), 'the verdict may take the checks\' time on top: the longest within plus its timeout');
});

test('a deploy that breaks logins gets no confirmation: the host rolls itself back, and the run says why the login failed', async (t) => {
  const world = await oneHost(t);
  const web1 = world.host('web1');
  web1.breaksLogins = true;
  const { result, phases } = await world.deploy({ confirmTimeout: 1 });
  const [outcome] = result.outcomes;
  assert.equal(outcome.status, 'rolled-back');
  assert.equal(outcome.problems[0], 'no new SSH connection confirmed the activation within 1 s; can the deploy user still log in (sshd, its config, the network)?');
  assert.match(outcome.problems[1], /^the confirmation over a new connection failed: fake:web1: Authentication as root failed$/);
  assert.ok(phases.some((p) => p.startsWith('web1 confirming: trying again: fake:web1: Authentication as root failed')), phases.join('\n'));
  assert.equal(web1.confirmations, 0);
  assert.equal(web1.refuseLogins, false, 'the rollback put logins back');
  assert.equal(web1.file('caddy', 'Caddyfile'), 'one');
  const next = await world.deploy({ confirmTimeout: CONFIRM });
  assert.equal(next.result.outcomes[0].status, 'deployed');
});

test('confirmation off and no checks: no await step and no new connection', async (t) => {
  const world = await oneHost(t);
  const web1 = world.host('web1');
  const connections = web1.connections;
  const { result } = await world.deploy({ confirmTimeout: 0 });
  assert.equal(result.outcomes[0].status, 'deployed');
  assert.equal(web1.connections - connections, 1);
  assert.ok(!web1.received[1].steps.some((s) => s[0] === 'await'));
});

test('confirmation off with checks: the checks run over the activation\'s own connection and their verdict still counts', async (t) => {
  const port = await server(t, 503, 'starting\n');
  const world = await oneHost(t, [{ http: `http://127.0.0.1:${port}/`, within: 0.2, interval: 0.1 }]);
  const web1 = world.host('web1');
  const connections = web1.connections;
  const { result } = await world.deploy({ confirmTimeout: 0 });
  assert.equal(result.outcomes[0].status, 'rolled-back');
  assert.equal(web1.connections - connections, 1, 'no new connection');
  assert.equal(web1.confirmations, 1);
  const [, connect, verdict] = web1.received[1].steps.find((s) => s[0] === 'await')!.slice(1);
  assert.deepEqual([connect, verdict], ['16', '16'], 'the check can take 0.2 s plus its 5 s timeout, rounded up, and 10 s more');
});

test('a connection dropped after the driver confirmed: the outcome is learned over a fresh session', async (t) => {
  const world = await oneHost(t);
  const web1 = world.host('web1');
  web1.dropAt = 'after-confirm';
  const { result, phases } = await world.deploy({ confirmTimeout: CONFIRM });
  assert.equal(result.outcomes[0].status, 'deployed');
  assert.equal(result.outcomes[0].activation!.confirmed, true);
  assert.ok(phases.some((p) => p.startsWith('web1 reconnecting')), phases.join('\n'));
  assert.equal(await world.storedFile('web1', 'caddy', 'Caddyfile'), 'two');
  assert.equal(web1.locked, false);
});

test('a connection dropped before the host awaits the verdict: the driver confirms once it reconnects', async (t) => {
  const world = await oneHost(t);
  const web1 = world.host('web1');
  web1.dropAt = 'before-await';
  const { result, phases } = await world.deploy({ confirmTimeout: CONFIRM });
  assert.equal(result.outcomes[0].status, 'deployed', result.outcomes[0].problems.join('\n'));
  assert.equal(web1.confirmations, 1);
  assert.ok(phases.some((p) => p.startsWith('web1 reconnecting')), phases.join('\n'));
  assert.equal(web1.file('caddy', 'Caddyfile'), 'two');
});

test('a host unit is restarted after the app\'s own units and verified with them', async (t) => {
  const world = await World.create(t, ['web1']);
  const manifest = (extra: object) => JSON.stringify({ ...(JSON.parse(MANIFEST) as object), systemd: { units_enabled: ['caddy.service'], ...extra } });
  await world.tree({ ...caddy('web1', 'one'), 'web1/caddy/manifest.json': manifest({ units_reloaded: ['nginx.service'] }) });
  await world.deploy();
  await world.tree({ ...caddy('web1', 'two'), 'web1/caddy/manifest.json': manifest({ units_reloaded: ['nginx.service'] }) });
  const { result } = await world.deploy({ confirmTimeout: CONFIRM });
  assert.equal(result.outcomes[0].status, 'deployed');
  const steps = world.host('web1').received[1].steps;
  assert.deepEqual(steps.filter((s) => ['restart', 'reload', 'verify'].includes(s[0])).map((s) => s.join(' ')), ['restart caddy.service', 'reload nginx.service', 'verify 0 caddy.service nginx.service']);
});
