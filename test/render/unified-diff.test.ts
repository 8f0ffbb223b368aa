// Tests for the unified diff: git's shape (checked against `git diff --no-index`), binary files and mode changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { diffStat, fileDiff, formatSize, isBinary } from '../../src/render/unified-diff.js';

const text = (s: string) => Buffer.from(s, 'utf8');

/** git's hunks for the same change, without the function-name text git appends to `@@` lines. */
function gitHunks(old: string | null, next: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'deptool-diff-'));
  try {
    const path = (side: string, content: string | null) => {
      if (content === null) return '/dev/null';
      writeFileSync(join(dir, side), content);
      return join(dir, side);
    };
    const args = ['diff', '--no-index', '--no-color', '--no-ext-diff', '--diff-algorithm=myers', '-U3'];
    const result = spawnSync('git', [...args, path('old', old), path('new', next)], {
      encoding: 'utf8',
      env: { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    });
    assert.equal(result.status, 1, result.stderr);
    return hunksOf(result.stdout.replace(/^(@@ [^@]* @@).*$/gm, '$1'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hunksOf(diff: string): string {
  return diff.slice(diff.indexOf('\n@@') + 1);
}

function assertSameAsGit(old: string | null, next: string | null): void {
  const ours = fileDiff('f', old === null ? null : text(old), next === null ? null : text(next)).text;
  assert.equal(hunksOf(ours), gitHunks(old, next));
}

const numbered = (from: number, to: number, prefix = 'line') =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}\n`).join('');

test('a modified file has git headers and git hunks with three lines of context', () => {
  const old = numbered(1, 30);
  const next = old.replace('line 5\n', 'line five\n').replace('line 25\n', 'line 25\nline 25.5\n');
  const diff = fileDiff('web/caddy/Caddyfile', text(old), text(next)).text;
  assert.ok(diff.startsWith('--- a/web/caddy/Caddyfile\n+++ b/web/caddy/Caddyfile\n@@ -2,7 +2,7 @@\n line 2\n'));
  assertSameAsGit(old, next);
});

test('an added file is diffed against /dev/null', () => {
  assert.equal(
    fileDiff('web/caddy/Caddyfile', null, text('a\nb\n')).text,
    '--- /dev/null\n+++ b/web/caddy/Caddyfile\n@@ -0,0 +1,2 @@\n+a\n+b\n',
  );
  assertSameAsGit(null, 'a\nb\n');
  assertSameAsGit(null, 'only line\n');
});

test('a removed file is diffed against /dev/null', () => {
  assert.equal(
    fileDiff('web/caddy/Caddyfile', text('a\n'), null).text,
    '--- a/web/caddy/Caddyfile\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n',
  );
  assertSameAsGit(numbered(1, 5), null);
});

test('a missing newline at the end of a file is marked as git marks it', () => {
  assert.equal(
    fileDiff('f', text('a\nb\nc'), text('a\nb\nc\n')).text,
    '--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+c\n',
  );
  assertSameAsGit('a\nb\nc', 'a\nb\nc\n');
  assertSameAsGit('a\nb\nc\n', 'a\nb\nd');
  assertSameAsGit('a\nb\nc\nd', 'a\nB\nc\nd');
  assertSameAsGit(null, 'no newline');
  assertSameAsGit('no newline', null);
});

test('a rewrite too large for a minimal diff becomes one hunk that git agrees with', () => {
  const old = numbered(1, 5, 'same') + numbered(1, 3000, 'old') + numbered(6, 10, 'same');
  const next = numbered(1, 5, 'same') + numbered(1, 2500, 'new') + numbered(6, 10, 'same');
  const diff = fileDiff('f', text(old), text(next));
  assert.deepEqual(diff.stat, { added: 2500, removed: 3000 });
  assert.ok(diff.text.includes('\n@@ -3,3006 +3,2506 @@\n same 3\n'));
  assertSameAsGit(old, next);
  assertSameAsGit(numbered(1, 1200, 'old'), numbered(1, 1300, 'new') + 'no newline');
});

test('a file with a NUL byte is binary and shows its sizes instead of lines', () => {
  const old = Buffer.alloc(1229, 1);
  const next = Buffer.concat([Buffer.from('PNG\0'), Buffer.alloc(1327, 2)]);
  assert.ok(isBinary(next));
  assert.ok(!isBinary(old));
  const diff = fileDiff('web/app/logo.png', old, next);
  assert.equal(diff.text, '--- a/web/app/logo.png\n+++ b/web/app/logo.png\nBinary file changed (1.2 KiB → 1.3 KiB)\n');
  assert.deepEqual(diff, {
    text: diff.text,
    body: 'Binary file changed (1.2 KiB → 1.3 KiB)\n',
    notes: ['Binary file changed (1.2 KiB → 1.3 KiB)'],
    stat: { added: 0, removed: 0 },
    binary: true,
  });
  assert.deepEqual(fileDiff('x', null, next).notes, ['Binary file added (1.3 KiB)']);
  assert.deepEqual(fileDiff('x', next, null).notes, ['Binary file removed (1.3 KiB)']);
});

test('a file that is not valid UTF-8 is binary even without a NUL byte', () => {
  const latin1 = Buffer.from('caf\xe9\n', 'latin1');
  assert.ok(isBinary(latin1));
  assert.deepEqual(diffStat(text('cafe\n'), latin1), { added: 0, removed: 0, binary: true });
  assert.deepEqual(fileDiff('x', text('cafe\n'), latin1).notes, ['Binary file changed (5 B → 5 B)']);
});

test('a NUL byte past the first 8000 bytes does not make a file binary', () => {
  const late = Buffer.concat([Buffer.alloc(8000, 'a'), Buffer.from('\0')]);
  assert.ok(!isBinary(late));
});

test('a flipped executable bit alone is a mode line without hunks', () => {
  const script = text('#!/bin/sh\necho hi\n');
  const diff = fileDiff('web/app/run.sh', script, script, { oldExecutable: false, newExecutable: true });
  assert.equal(diff.text, '--- a/web/app/run.sh\n+++ b/web/app/run.sh\nmode 100644 → 100755\n');
  assert.deepEqual(diff.notes, ['mode 100644 → 100755']);
  assert.deepEqual(diff.stat, { added: 0, removed: 0 });
});

test('a mode change with a content change shows the mode line before the hunks', () => {
  const diff = fileDiff('f', text('a\n'), text('b\n'), { oldExecutable: true, newExecutable: false }).text;
  assert.equal(diff, '--- a/f\n+++ b/f\nmode 100755 → 100644\n@@ -1 +1 @@\n-a\n+b\n');
});

test('identical versions have an empty diff', () => {
  assert.equal(fileDiff('f', text('a\n'), text('a\n')).text, '');
  assert.deepEqual(diffStat(text('a\n'), text('a\n')), { added: 0, removed: 0, binary: false });
});

test('an empty file added or removed is said in words, as it has no lines', () => {
  assert.equal(fileDiff('f', null, Buffer.alloc(0)).text, '--- /dev/null\n+++ b/f\nEmpty file added\n');
  assert.equal(fileDiff('f', Buffer.alloc(0), null).text, '--- a/f\n+++ /dev/null\nEmpty file removed\n');
});

test('a byte-order mark that appears is a change to the first line', () => {
  assert.equal(fileDiff('f', text('a\n'), text('\ufeffa\n')).text, '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+\ufeffa\n');
});

test('a path with a newline or quote is quoted as git quotes it', () => {
  assert.equal(fileDiff('we"b/a\nb', null, text('x\n')).text.split('\n')[1], '+++ "b/we\\"b/a\\nb"');
});

test('diffStat counts added and removed lines and says when a file is binary', () => {
  assert.deepEqual(diffStat(text('a\nb\nc\n'), text('a\nB\nc\nd\n')), { added: 2, removed: 1, binary: false });
  assert.deepEqual(diffStat(null, text('a\nb\n')), { added: 2, removed: 0, binary: false });
});

test('sizes are shown in bytes below 1 KiB and in binary units above', () => {
  assert.equal(formatSize(0), '0 B');
  assert.equal(formatSize(1023), '1023 B');
  assert.equal(formatSize(1024), '1.0 KiB');
  assert.equal(formatSize(1536), '1.5 KiB');
  assert.equal(formatSize(3 * 1024 * 1024), '3.0 MiB');
  assert.equal(formatSize(5 * 1024 ** 4), '5120.0 GiB');
});
