// `deptool ping`'s board: each host's result the moment it is known, redrawn in place on a terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PingBoard } from '../../src/cli/commands/ping.js';

const STATS = { count: 3, minMs: 1, medianMs: 1.25, p95Ms: 2, samplesMs: [1, 1.25, 2] };

test('in a pipe: the header at once, then each host\'s row when its result is known, in that order', () => {
  const out: string[] = [];
  const board = new PingBoard((text) => out.push(text), ['db', 'web-long'], false);
  assert.deepEqual(out, ['HOST      CONNECTION  CONNECT  MIN  MEDIAN  P95\n']);
  board.update('web-long', { kind: 'pinging', connection: 'root@web:22', connectMs: 12.34 });
  assert.equal(out.length, 1, 'nothing while a host is still being timed');
  board.update('web-long', { kind: 'done', connection: 'root@web:22', connectMs: 12.34, stats: STATS });
  assert.deepEqual(out.slice(1), ['web-long  root@web:22  12.3 ms  1.0 ms  1.3 ms  2.0 ms\n'], 'written before db has an answer');
  board.update('db', { kind: 'unreachable' });
  assert.deepEqual(out.slice(2), ['db        unreachable (see below)\n']);
});

test('on a terminal: the whole table, redrawn in place as each host moves on', () => {
  const out: string[] = [];
  const board = new PingBoard((text) => out.push(text), ['db', 'web'], true);
  assert.deepEqual(out, ['HOST  CONNECTION   CONNECT  MIN  MEDIAN  P95\ndb    connecting…\nweb   connecting…\n']);
  board.update('web', { kind: 'pinging', connection: 'root@web:22', connectMs: 5 });
  assert.deepEqual(out.slice(1), ['\x1b[3A\x1b[J', 'HOST  CONNECTION   CONNECT  MIN       MEDIAN  P95\ndb    connecting…\nweb   root@web:22  5.0 ms   pinging…\n']);
  board.update('web', { kind: 'done', connection: 'root@web:22', connectMs: 5, stats: STATS });
  board.update('db', { kind: 'unreachable' });
  assert.equal(out.at(-2), '\x1b[3A\x1b[J');
  assert.equal(out.at(-1), 'HOST  CONNECTION               CONNECT  MIN     MEDIAN  P95\ndb    unreachable (see below)\nweb   root@web:22              5.0 ms   1.0 ms  1.3 ms  2.0 ms\n');
});
