// Path quoting in the fast-import stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quotePath } from '../../src/store/fast-import.js';

test('fast-import paths are C-quoted so any file name is safe', () => {
  assert.equal(quotePath('a b/ü.txt'), '"a b/ü.txt"');
  assert.equal(quotePath('q"\\\n\t\x7f'), '"q\\"\\\\\\012\\011\\177"');
  assert.equal(quotePath('c1\u0085'), '"c1\u0085"');
});
