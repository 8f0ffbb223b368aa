// When deptool colours its output: NO_COLOR, FORCE_COLOR, TERM=dumb and whether stdout is a terminal.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { useColor } from '../../src/cli/io.js';

function decide(env: NodeJS.ProcessEnv, tty: boolean): boolean {
  const stdout: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (tty) stdout.isTTY = true;
  return useColor({ env, stdout });
}

test('a terminal gets colour and a pipe does not, by default', () => {
  assert.equal(decide({}, true), true);
  assert.equal(decide({}, false), false);
  assert.equal(decide({ TERM: 'xterm-256color' }, true), true);
});

test('NO_COLOR with any non-empty value turns colour off, even with FORCE_COLOR; empty NO_COLOR is ignored', () => {
  assert.equal(decide({ NO_COLOR: '1' }, true), false);
  assert.equal(decide({ NO_COLOR: 'yes' }, true), false);
  assert.equal(decide({ NO_COLOR: '1', FORCE_COLOR: '1' }, false), false);
  assert.equal(decide({ NO_COLOR: '' }, true), true);
});

test('FORCE_COLOR colours a pipe; FORCE_COLOR=0 or false turns colour off on a terminal; empty is ignored', () => {
  assert.equal(decide({ FORCE_COLOR: '1' }, false), true);
  assert.equal(decide({ FORCE_COLOR: '3' }, false), true);
  assert.equal(decide({ FORCE_COLOR: 'true' }, false), true);
  assert.equal(decide({ FORCE_COLOR: '0' }, true), false);
  assert.equal(decide({ FORCE_COLOR: 'false' }, true), false);
  assert.equal(decide({ FORCE_COLOR: '' }, false), false);
  assert.equal(decide({ FORCE_COLOR: '' }, true), true);
  assert.equal(decide({ FORCE_COLOR: '1', TERM: 'dumb' }, false), true);
});

test('TERM=dumb gets no colour on a terminal', () => {
  assert.equal(decide({ TERM: 'dumb' }, true), false);
});
