// Whether and through what `deptool diff` and the prompt's `d` page: git's rules.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pagerFor, show } from '../../src/cli/pager.js';

test('a pipe is never paged, whatever PAGER says', () => {
  assert.equal(pagerFor({}, false), null);
  assert.equal(pagerFor({ PAGER: 'less' }, false), null);
});

test('a terminal pages through less -R by default, with LESS=FRX and LV=-c as git sets them', () => {
  assert.deepEqual(pagerFor({}, true), { command: 'less', args: ['-R'], env: { LESS: 'FRX', LV: '-c' } });
});

test("the user's PAGER, split on spaces, and the user's own LESS win", () => {
  assert.deepEqual(pagerFor({ PAGER: ' most  -s ', LESS: '-i' }, true), { command: 'most', args: ['-s'], env: { PAGER: ' most  -s ', LESS: '-i', LV: '-c' } });
});

test('an empty PAGER or cat means no pager', () => {
  assert.equal(pagerFor({ PAGER: '' }, true), null);
  assert.equal(pagerFor({ PAGER: '  ' }, true), null);
  assert.equal(pagerFor({ PAGER: 'cat' }, true), null);
});

test('without a pager the text goes to stdout as it is', async () => {
  const stdout: PassThrough & { isTTY?: boolean } = new PassThrough();
  stdout.isTTY = true;
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await show({ stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: { PAGER: 'cat' }, cwd: '/' }, 'diff --git a/x b/x\n');
  assert.equal(Buffer.concat(chunks).toString(), 'diff --git a/x b/x\n');
});
