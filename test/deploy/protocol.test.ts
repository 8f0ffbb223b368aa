// The one reader of the agent's output: lines and byte-counted blocks at any chunk boundary, deadlines,
// streams that end early or whose connection drops, and the session and activation parsers on top.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { AgentReader, NoResult, ProtocolError, ReadTimeout, readActivation, readSession, statusBlock, type SessionOpening } from '../../src/deploy/protocol.js';
import { TransportError, type ExitStatus } from '../../src/transport/connection.js';

const LATER = () => Date.now() + 60_000;

/** A reader fed `chunks` one by one, then the end of the stream. */
function fed(chunks: readonly Buffer[]): AgentReader {
  const stream = new PassThrough();
  const reader = new AgentReader(stream);
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return reader;
}

/** `data` cut at every position into two chunks, and into single bytes. */
function cuts(data: Buffer): Buffer[][] {
  const all: Buffer[][] = [[data], [...data].map((byte) => Buffer.from([byte]))];
  for (let at = 1; at < data.length; at++) all.push([data.subarray(0, at), data.subarray(at)]);
  return all;
}

test('lines and counted bytes come out the same wherever the chunks are cut, a multibyte character included', async () => {
  const data = Buffer.from('first\nblock 7\nä\nb\nc\nlast without newline');
  for (const chunks of cuts(data)) {
    const reader = fed(chunks);
    assert.equal(await reader.line(LATER(), 'a line'), 'first');
    assert.equal(await reader.line(LATER(), 'a line'), 'block 7');
    assert.equal((await reader.bytes(7, LATER(), 'a block')).toString('utf8'), 'ä\nb\nc\n');
    assert.equal(await reader.line(LATER(), 'a line'), 'last without newline');
    assert.equal(await reader.line(LATER(), 'a line'), null);
    assert.equal(reader.finished, true);
  }
});

test('a read waits for data that comes later', async () => {
  const stream = new PassThrough();
  const reader = new AgentReader(stream);
  const line = reader.line(LATER(), 'a line');
  stream.write('par');
  stream.write('tial\nrest');
  assert.equal(await line, 'partial');
  assert.equal(reader.finished, false);
});

test('a stream that ends in the middle of a counted block fails the read, saying how much came', async () => {
  const reader = fed([Buffer.from('abc')]);
  await assert.rejects(reader.bytes(10, LATER(), 'state.json'), (error: unknown) => {
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.message, "the agent's output ended in the middle of state.json (3 of 10 bytes)");
    return true;
  });
});

test('a deadline that has passed fails the read and says what was waited for', async () => {
  const reader = new AgentReader(new PassThrough());
  await assert.rejects(reader.line(Date.now() - 1, "the agent's session facts"), (error: unknown) => {
    assert.ok(error instanceof ReadTimeout);
    assert.match(error.message, /^gave up waiting for the agent's session facts after \d+ s$/);
    return true;
  });
});

test('a connection that drops fails a read that is waiting, with the transport error', async () => {
  const stream = new PassThrough();
  let drop!: (error: Error) => void;
  const exited = new Promise<ExitStatus>((_resolve, reject) => {
    drop = reject;
  });
  const reader = new AgentReader(stream, exited);
  stream.write('partial');
  const line = reader.line(LATER(), 'a line');
  drop(new TransportError('lost', 'web: the connection was lost'));
  await assert.rejects(line, (error: unknown) => error instanceof TransportError && error.kind === 'lost');
});

const STATE = '{\n  "schema": 1,\n  "apps": { "café": {} }\n}\nready\ncurrent x 0123456789\n';
const SESSION = Buffer.from(
  'waiting 20240501-abc alice@desk 1700000000 77\n' +
    'session 4242\n' +
    'agent 0.2.0 0123456789\n' +
    'hostname web1\n' +
    'system degraded\n' +
    'failed backup.service\n' +
    'activation 20240501-abc rolled-back recovered-session\n' +
    'unitfile ssh.service /lib/systemd/system/ssh.service\n' +
    'unitfile caddy.service deptool\n' +
    'unitfile new.service -\n' +
    'current caddy 0123456789\n' +
    'previous caddy 9876543210\n' +
    `state ${Buffer.byteLength(STATE)}\n${STATE}` +
    'modified caddy Caddyfile\n' +
    'extra caddy conf.d/a b.conf\n' +
    'missing api 1111111111\n' +
    'link /etc/caddy/Caddyfile /var/lib/deptool/apps/caddy/current/Caddyfile\n' +
    'link /etc/motd !\n' +
    'ready\n' +
    'links-answer-after-ready\n',
);

test('the session facts are read wherever the chunks are cut, state.json by its byte count', async () => {
  for (const chunks of cuts(SESSION)) {
    const waits: string[][] = [];
    const reader = fed(chunks);
    const opening = await readSession(reader, LATER(), (activation, holder) => waits.push([activation, holder]));
    assert.deepEqual(waits, [['20240501-abc', 'alice@desk 1700000000 77']]);
    assert.ok(opening?.kind === 'ready');
    const facts = opening.facts;
    assert.equal(facts.token, '4242');
    assert.equal(facts.agent, '0.2.0 0123456789');
    assert.equal(facts.hostname, 'web1');
    assert.equal(facts.system, 'degraded');
    assert.deepEqual(facts.failedUnits, ['backup.service']);
    assert.deepEqual(facts.lastActivation, { id: '20240501-abc', result: 'rolled-back', recovered: 'session' });
    assert.deepEqual(
      [...facts.unitFiles],
      [
        ['ssh.service', { foreign: '/lib/systemd/system/ssh.service' }],
        ['caddy.service', 'deptool'],
        ['new.service', 'none'],
      ],
    );
    assert.deepEqual([...facts.current], [['caddy', '0123456789']]);
    assert.deepEqual([...facts.previous], [['caddy', '9876543210']]);
    assert.equal(facts.state, STATE);
    assert.deepEqual(facts.check, {
      modified: ['caddy/Caddyfile'],
      extra: ['caddy/conf.d/a b.conf'],
      broken: [{ app: 'api', what: "revision 1111111111 of app 'api' is missing on the host" }],
      links: new Map([
        ['/etc/caddy/Caddyfile', '/var/lib/deptool/apps/caddy/current/Caddyfile'],
        ['/etc/motd', '!'],
      ]),
      permissions: [],
    });
    assert.equal(await reader.line(LATER(), 'the next answer'), 'links-answer-after-ready', 'nothing after ready is consumed');
  }
});

test('a busy host, a session that ends before ready, and one without a token', async () => {
  const busy: SessionOpening | null = await readSession(fed([Buffer.from('busy alice@desk 1700000000 77\n')]), LATER(), () => undefined);
  assert.deepEqual(busy, { kind: 'busy', holder: 'alice@desk 1700000000 77' });
  assert.equal(await readSession(fed([Buffer.from('session 1\nhostname web1\n')]), LATER(), () => undefined), null);
  await assert.rejects(readSession(fed([Buffer.from('hostname web1\nready\n')]), LATER(), () => undefined), ProtocolError);
  await assert.rejects(readSession(fed([Buffer.from('session 1\nstate 50\n{}\n')]), LATER(), () => undefined), /ended in the middle of state\.json \(3 of 50 bytes\)/);
});

const STATUS = '● caddy.service - caddy\n   Active: failed\nresult ok\nrollback begin\n';
const LOG = Buffer.from(
  'staged caddy 0123456789\n' +
    'step 1 flip ok\n' +
    'step 2 restart ok\n' +
    'unit caddy.service activating auto-restart exit-code 1 failed\n' +
    `status caddy.service ${Buffer.byteLength(STATUS)}\n${STATUS}` +
    'step 3 verify failed\n' +
    'error caddy.service failed during the settle time (activating/auto-restart, result exit-code, 1 restarts)\n' +
    'rollback begin\n' +
    'warning undo link /etc/x failed: gone\n' +
    'unit caddy.service active running success 0 healthy\n' +
    'rollback end\n' +
    '\n' +
    'result rolled-back\n',
);

test('an activation log is read wherever the chunks are cut; a status block is taken by its byte count', async () => {
  for (const chunks of cuts(LOG)) {
    const events: string[] = [];
    const report = await readActivation(fed(chunks), LATER(), (event) => events.push(event));
    assert.deepEqual(events, ['rollback']);
    assert.equal(report.result, 'rolled-back');
    assert.equal(report.rolledBack, true);
    assert.equal(report.recovered, null);
    assert.deepEqual(report.errors, ['caddy.service failed during the settle time (activating/auto-restart, result exit-code, 1 restarts)']);
    assert.deepEqual(report.warnings, ['undo link /etc/x failed: gone']);
    assert.deepEqual(report.units, [{ unit: 'caddy.service', activeState: 'activating', subState: 'auto-restart', result: 'exit-code', restarts: 1, healthy: false }]);
    assert.deepEqual(report.rollbackUnits, [{ unit: 'caddy.service', activeState: 'active', subState: 'running', result: 'success', restarts: 0, healthy: true }]);
    assert.deepEqual(report.statuses, [{ unit: 'caddy.service', text: STATUS }]);
  }
});

test('an activation recovered by the next session says so', async () => {
  const report = await readActivation(fed([Buffer.from('recover session\nrollback begin\nrollback end\nresult rolled-back\n')]), LATER());
  assert.equal(report.recovered, 'session');
  assert.equal(report.result, 'rolled-back');
});

test('an activation log that ends without a result fails with the errors it had', async () => {
  await assert.rejects(readActivation(fed([Buffer.from('error caddy/0123456789: modified Caddyfile\nerror caddy/0123456789: extra x\n')]), LATER()), (error: unknown) => {
    assert.ok(error instanceof NoResult);
    assert.deepEqual(error.errors, ['caddy/0123456789: modified Caddyfile', 'caddy/0123456789: extra x']);
    return true;
  });
  await assert.rejects(readActivation(fed([Buffer.from('step 1 flip ok\nstatus caddy.service 99\nshort')]), LATER()), /ended in the middle of the status of caddy\.service \(5 of 99 bytes\)/);
});

test('a refused activation: its steps, and a failed validate step\'s output by its byte count', async () => {
  const output = 'nginx: [emerg] unknown directive "bogus" in /var/lib/deptool/apps/site/0123456789/nginx.conf:3\nnginx: configuration file test failed\n';
  const log = Buffer.from(`output 1 ${Buffer.byteLength(output)}\n${output}step 1 validate failed\nerror validate site: /usr/sbin/nginx -t exited with status 1\n\nresult refused\n`);
  for (const chunks of cuts(log)) {
    const report = await readActivation(fed(chunks), LATER());
    assert.equal(report.result, 'refused');
    assert.equal(report.rolledBack, false);
    assert.deepEqual(report.errors, ['validate site: /usr/sbin/nginx -t exited with status 1']);
    assert.deepEqual(report.outputs, [{ step: 1, text: output }]);
    assert.deepEqual(report.steps, [{ n: 1, op: 'validate', status: 'failed', text: 'validate' }]);
    assert.equal(report.scratch, undefined);
  }
  const block = statusBlock('web', { ...(await readActivation(fed([log]), LATER())), steps: [{ n: 1, op: 'validate', status: 'failed', text: 'validate site: /usr/sbin/nginx -t' }] });
  assert.equal(
    block,
    'web:\nvalidate site: /usr/sbin/nginx -t failed; its last lines of output:\n' +
      '    nginx: [emerg] unknown directive "bogus" in /var/lib/deptool/apps/site/0123456789/nginx.conf:3\n    nginx: configuration file test failed\n\n',
  );
});

test('a dry run names its scratch root, and shows every step with what became of it', async () => {
  const report = await readActivation(fed([Buffer.from('dry-run /var/lib/deptool/dryrun/d1\nstaged site 0123456789\nstep 1 flip ok\nstep 2 restart skipped\nunit site.service skipped\nstep 3 verify skipped\nstep 4 state ok\n\nresult ok\n')]), LATER());
  assert.equal(report.scratch, '/var/lib/deptool/dryrun/d1');
  assert.deepEqual(report.steps?.map((s) => `${s.n} ${s.op} ${s.status}`), ['1 flip ok', '2 restart skipped', '3 verify skipped', '4 state ok']);
  assert.deepEqual(report.units, [{ unit: 'site.service', activeState: 'skipped', subState: '', result: '', restarts: 0, healthy: null }]);
  assert.equal(
    statusBlock('web', report),
    'web:\ndry run against a scratch root on the host (/var/lib/deptool/dryrun/d1, removed afterwards; systemctl not run):\n' +
      '    ok       flip\n    skipped  restart\n    skipped  verify\n    ok       state\n\n',
  );
  assert.equal(statusBlock('web', { ...report, scratch: undefined, steps: [] }), '', 'an activation without statuses or output shows nothing');
});
