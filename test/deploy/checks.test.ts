// The driver's health check runners, through a real connection (the local transport, whose
// "host" is this machine) to real HTTP and TCP servers and real commands.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { test, type TestContext } from 'node:test';
import { checksSeconds, runCheck, runChecks, type AppCheck, type CheckHost } from '../../src/deploy/checks.js';
import { TransportError } from '../../src/transport/connection.js';
import { connectLocal } from '../../src/transport/local.js';
import type { HealthCheck } from '../../src/tree/types.js';

const FAST = { within: 3, interval: 0.05, timeout: 2 };

async function listen(t: TestContext, server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

function http(t: TestContext, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createHttpServer(handler);
  t.after(() => server.closeAllConnections());
  return listen(t, server);
}

/** A port nothing listens on: one a server had, closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function host(t: TestContext): CheckHost {
  const connection = connectLocal();
  t.after(() => connection.close());
  return { connection, invocation: { sudo: false, root: null } };
}

const check = (app: string, c: Partial<HealthCheck> & Pick<HealthCheck, 'kind'>): AppCheck => ({ app, check: { ...FAST, ...c } as HealthCheck });
const never = new AbortController().signal;

test('an http check passes on a 2xx answer and reports its status line', async (t) => {
  const port = await http(t, (req, res) => res.end(`ok from ${req.headers.host}${req.url}\n`));
  const result = await runCheck(check('site', { kind: 'http', url: `http://127.0.0.1:${port}/health?x=1`, status: null, contains: null }), host(t), never);
  assert.deepEqual(result, { app: 'site', kind: 'http', target: `http://127.0.0.1:${port}/health?x=1`, ok: true, summary: 'HTTP/1.1 200 OK', excerpt: `ok from 127.0.0.1:${port}/health?x=1` });
});

test('an http check that keeps getting 500 fails with its status line and the start of the body', async (t) => {
  const body = `${'database is down; '.repeat(40)}\n`;
  let requests = 0;
  const port = await http(t, (_req, res) => {
    requests++;
    res.writeHead(500, 'Internal Server Error').end(body);
  });
  const result = await runCheck(check('site', { kind: 'http', url: `http://127.0.0.1:${port}/`, status: null, contains: null, within: 0.3 }), host(t), never);
  assert.equal(result.ok, false);
  assert.equal(result.summary, 'HTTP/1.1 500 Internal Server Error (expected a 2xx status)');
  assert.equal(result.excerpt, `${body.slice(0, 300)}…`);
  assert.ok(requests > 1, 'it tried again until `within` was over');
});

test('an http check waits for the first success: refused, then 503, then 200', async (t) => {
  const port = await closedPort();
  let answers = 0;
  const server = createHttpServer((_req, res) => res.writeHead(++answers < 2 ? 503 : 200).end('ready'));
  t.after(() => server.closeAllConnections());
  const ch = check('site', { kind: 'http', url: `http://127.0.0.1:${port}/`, status: null, contains: 'ready' });
  const running = runCheck(ch, host(t), never);
  // The first attempts find nothing listening; then the server comes up on that port.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const result = await running;
  assert.equal(result.ok, true, result.summary);
  assert.equal(result.excerpt, 'ready');
  assert.equal(answers, 2);
});

test('an http check with a status and contains needs both', async (t) => {
  const port = await http(t, (req, res) => res.writeHead(req.url === '/204' ? 204 : 200).end(req.url === '/204' ? '' : 'all systems nominal'));
  const h = host(t);
  const run = (url: string, status: number | null, contains: string | null) => runCheck(check('a', { kind: 'http', url: `http://127.0.0.1:${port}${url}`, status, contains, within: 0.1 }), h, never);
  assert.equal((await run('/', 200, 'nominal')).ok, true);
  assert.equal((await run('/204', 204, null)).ok, true);
  const wrongStatus = await run('/', 201, null);
  assert.deepEqual([wrongStatus.ok, wrongStatus.summary], [false, 'HTTP/1.1 200 OK (expected 201)']);
  const wrongBody = await run('/', null, 'degraded');
  assert.deepEqual([wrongBody.ok, wrongBody.summary], [false, 'HTTP/1.1 200 OK; the body does not contain "degraded"']);
});

test('an http check that gets no answer in time fails saying so', async (t) => {
  const port = await http(t, () => undefined);
  const result = await runCheck(check('a', { kind: 'http', url: `http://127.0.0.1:${port}/`, status: null, contains: null, within: 0.1, timeout: 0.2 }), host(t), never);
  assert.deepEqual([result.ok, result.summary], [false, 'no answer within 0.2 s']);
});

test('a tcp check passes when the host can connect, and fails saying why when it cannot', async (t) => {
  const port = await listen(t, createServer((socket) => socket.end()));
  const h = host(t);
  const open = await runCheck(check('db', { kind: 'tcp', host: '127.0.0.1', port }), h, never);
  assert.deepEqual([open.ok, open.target, open.summary], [true, `tcp 127.0.0.1:${port}`, 'connected']);
  const closed = await closedPort();
  const refused = await runCheck(check('db', { kind: 'tcp', host: '127.0.0.1', port: closed, within: 0.1 }), h, never);
  assert.equal(refused.ok, false);
  assert.match(refused.summary, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`));
});

test('an exec check runs the argument array as it is (no shell), and reports its exit status and output', async (t) => {
  const h = host(t);
  const ok = await runCheck(check('db', { kind: 'exec', argv: ['/bin/echo', 'ready; $(touch /nonexistent)'] }), h, never);
  assert.deepEqual([ok.ok, ok.summary, ok.excerpt, ok.target], [true, 'exit 0', 'ready; $(touch /nonexistent)', "exec /bin/echo 'ready; $(touch /nonexistent)'"]);
  const failed = await runCheck(check('db', { kind: 'exec', argv: ['/bin/sh', '-c', 'echo not accepting connections >&2; exit 2'], within: 0.1 }), h, never);
  assert.deepEqual([failed.ok, failed.summary, failed.excerpt], [false, 'exit 2', 'not accepting connections']);
  const slow = await runCheck(check('db', { kind: 'exec', argv: ['/bin/sleep', '5'], within: 0.1, timeout: 0.2 }), h, never);
  assert.deepEqual([slow.ok, slow.summary], [false, 'did not finish within 0.2 s']);
});

test('checks run at once and stop when the activation has ended', async (t) => {
  const h = host(t);
  const closed = await closedPort();
  const ended = new AbortController();
  const running = runChecks([check('a', { kind: 'tcp', host: '127.0.0.1', port: closed, within: 3600 }), check('b', { kind: 'exec', argv: ['/bin/true'] })], h, ended.signal);
  setTimeout(() => ended.abort(), 100);
  const results = await running;
  assert.deepEqual(results.map((r) => [r.app, r.ok]), [['a', false], ['b', true]]);
});

test('a connection lost under a check is the caller\'s to retry, not a failed check', async (t) => {
  const h = host(t);
  await h.connection.close();
  await assert.rejects(runCheck(check('a', { kind: 'tcp', host: '127.0.0.1', port: 1 }), h, never), (error) => error instanceof TransportError && error.kind === 'lost');
});

test('the longest checks can take is the longest within plus its timeout, rounded up', () => {
  assert.equal(checksSeconds([]), 0);
  assert.equal(checksSeconds([check('a', { kind: 'tcp', host: 'x', port: 1, within: 2.5, timeout: 1 }), check('b', { kind: 'tcp', host: 'x', port: 1, within: 1, timeout: 0.2 })]), 4);
});

test('a host whose sshd forbids TCP forwarding fails http and tcp checks with the setting to change', async (t) => {
  const local = host(t);
  // What ssh2 reports when sshd has AllowTcpForwarding no, as the SSH transport words it.
  const refused = new TransportError('unreachable', 'root@web:22 cannot connect to 127.0.0.1:8080: administratively prohibited: open failed');
  const connection = new Proxy(local.connection, { get: (target, key, receiver) => (key === 'forward' ? () => Promise.reject(refused) : (Reflect.get(target, key, receiver) as unknown)) });
  const forbidding = { ...local, connection };
  for (const subject of [{ kind: 'tcp' as const, host: '127.0.0.1', port: 8080 }, { kind: 'http' as const, url: 'http://127.0.0.1:8080/health', status: null, contains: null }]) {
    const result = await runCheck(check('site', { ...subject, within: 0.1 }), forbidding, never);
    assert.equal(result.ok, false);
    assert.match(result.summary, /administratively prohibited: open failed \(the host's sshd does not allow TCP forwarding, which http and tcp checks use: set AllowTcpForwarding for the deploy user, or use an exec check\)$/);
  }
});
