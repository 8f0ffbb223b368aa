// quoteArgv: every argument must reach the remote command unchanged, whatever it holds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { quoteArg, quoteArgv } from '../../src/transport/quote.js';

const HOSTILE = [
  '',
  ' ',
  'plain',
  "it's",
  "''",
  "'\\''",
  '"double"',
  '$HOME',
  '${HOME}',
  '$(touch /tmp/deptool-quote-pwned)',
  '`touch /tmp/deptool-quote-pwned`',
  '; rm -rf /',
  'a && b || c',
  '| cat',
  '> /tmp/deptool-quote-out',
  '*',
  '/*',
  '?',
  '[a-z]',
  '{a,b}',
  '~',
  '~root',
  '-n',
  '--help',
  '-e',
  'A=b',
  '#comment',
  '!',
  '!!',
  'back\\slash\\',
  '\\',
  'line\nbreak',
  '\n',
  'tab\there',
  'carriage\rreturn',
  '\x01\x1b[31mescape',
  'ünïcödé ✓ 日本語 🚀',
  '%s %d %%',
  '\u00a0non-breaking',
];

/** Runs the quoted command line with `shell -c` and returns the arguments as the command saw them. */
function roundTrip(shell: string, args: readonly string[]): string[] {
  // printf writes each argument NUL-terminated: an exact, unambiguous record.
  const command = quoteArgv(['printf', '%s\\0', ...args]);
  const result = spawnSync(shell, ['-c', command], { encoding: 'buffer' });
  assert.equal(result.status, 0, `${shell} failed: ${result.stderr.toString()}`);
  const out = result.stdout.toString('utf8');
  return out === '' ? [] : out.slice(0, -1).split('\0');
}

describe('quoteArgv', () => {
  for (const shell of ['/bin/sh', '/bin/dash', '/bin/bash']) {
    test(`every hostile argument survives a ${shell} -c round trip unchanged`, { skip: existsSync(shell) ? false : `${shell} is missing` }, () => {
      assert.deepEqual(roundTrip(shell, HOSTILE), HOSTILE);
      assert.equal(existsSync('/tmp/deptool-quote-pwned'), false, 'a command substitution ran');
      assert.equal(existsSync('/tmp/deptool-quote-out'), false, 'a redirection ran');
    });
  }

  test('each argument also survives on its own, as the command name position too', () => {
    for (const arg of HOSTILE) {
      // As the first word, `A=b` must not turn into an assignment nor `!` into negation.
      const result = spawnSync('/bin/sh', ['-c', `f() { printf '%s' "$1"; }; ${quoteArgv(['f', arg])}`], { encoding: 'utf8' });
      assert.equal(result.stdout, arg);
      const asCommand = spawnSync('/bin/sh', ['-c', quoteArgv([arg])], { encoding: 'utf8' });
      assert.notEqual(asCommand.status, 0, `${JSON.stringify(arg)} ran as something other than a command name`);
    }
  });

  test('quotes every word, even plain ones, with single quotes', () => {
    assert.equal(quoteArgv(['ls', '-l', "it's"]), `'ls' '-l' 'it'\\''s'`);
    assert.equal(quoteArg(''), "''");
  });

  test('refuses NUL bytes, lone surrogates and an empty command', () => {
    assert.throws(() => quoteArgv(['printf', 'a\0b']), /argument 1 contains a NUL byte/);
    assert.throws(() => quoteArgv(['x', '\ud800']), /lone UTF-16 surrogate/);
    assert.throws(() => quoteArgv([]), /empty argument list/);
    // A valid surrogate pair is fine.
    assert.equal(quoteArg('🚀'), "'🚀'");
  });
});
