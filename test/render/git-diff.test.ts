// `deptool diff`'s text: per host a heading, then its files exactly as `git diff` shows them
// (checked against git itself), in git's colours, with sensitive files as sha256 prefixes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { diffText } from '../../src/cli/commands/diff.js';
import { makePlan } from '../../src/plan/plan.js';
import type { PlanContents } from '../../src/plan/types.js';
import { sensitiveFiles } from '../../src/render/sensitive.js';
import { snapshot, type FileSpec } from '../helpers/snapshot.js';
import { named, stripColor } from './color.js';

type Files = Record<string, FileSpec>;

function contentsOf(before: Files, after: Files): PlanContents {
  const read = (files: Files, key: string) => {
    const spec = files[key];
    return spec === undefined ? null : Buffer.from(typeof spec === 'string' ? spec : spec.content);
  };
  return { get: (host, app, path) => ({ old: read(before, `${host}/${app}/${path}`), new: read(after, `${host}/${app}/${path}`) }) };
}

/** What `git diff --cached` prints for host `web`'s tree going from `before` to `after`. */
function gitDiff(before: Files, after: Files): string {
  const dir = mkdtempSync(join(tmpdir(), 'deptool-gitdiff-'));
  const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const git = (...args: string[]) => {
    const result = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', env });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  const write = (files: Files) => {
    git('rm', '-rq', '--ignore-unmatch', '.');
    for (const [key, spec] of Object.entries(files)) {
      // The host's tree: paths are `<app>/<file>`, as in deptool's diff.
      const path = join(dir, key.slice('web/'.length));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, typeof spec === 'string' ? spec : spec.content);
      chmodSync(path, typeof spec !== 'string' && spec.executable ? 0o755 : 0o644);
    }
    git('add', '-A');
  };
  try {
    git('init', '-q');
    write(before);
    git('commit', '-qm', 'before', '--allow-empty');
    write(after);
    return git('diff', '--cached', '--no-color', '--no-ext-diff', '--diff-algorithm=myers', '--no-renames', '--abbrev=7');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BEFORE: Files = {
  'web/site/Caddyfile': 'localhost:80\nroot /srv\n',
  'web/site/old.conf': 'gone\n',
  'web/site/run.sh': '#!/bin/sh\nexec caddy\n',
  'web/site/flip.sh': { content: '#!/bin/sh\n', executable: true },
};
const AFTER: Files = {
  'web/site/Caddyfile': 'localhost:8080\nroot /srv\n',
  'web/site/new.sh': { content: '#!/bin/sh\necho new\n', executable: true },
  'web/site/empty': '',
  'web/site/run.sh': { content: '#!/bin/sh\nexec caddy run\n', executable: true },
  'web/site/flip.sh': '#!/bin/sh\n',
};

test('each file of a host reads as git diff shows it: diff --git, new/deleted/old/new mode and index lines with real blob ids', () => {
  const plan = makePlan({ cluster: 'prod', base: null, deployed: snapshot(BEFORE), desired: snapshot(AFTER) });
  const text = diffText(plan, contentsOf(BEFORE, AFTER), false, sensitiveFiles([]));
  const [heading, ...rest] = text.split('\n');
  assert.equal(heading, '==> web <==');
  // git adds no line of its own for an empty file; ours says what happened.
  assert.equal(rest.join('\n').replace('Empty file added\n', ''), gitDiff(BEFORE, AFTER));
  assert.match(text, /^index [0-9a-f]{7}\.\.[0-9a-f]{7} 100644$/m);
  assert.match(text, /^new file mode 100755$/m);
  assert.match(text, /^old mode 100755\nnew mode 100644\n/m);
});

test('the files of each host follow its heading, one blank line between hosts', () => {
  const before = { 'web/site/a': '1\n', 'db/pg/b': '1\n' };
  const after = { 'web/site/a': '2\n', 'db/pg/b': '2\n' };
  const plan = makePlan({ cluster: 'prod', base: null, deployed: snapshot(before), desired: snapshot(after) });
  const text = diffText(plan, contentsOf(before, after), false, sensitiveFiles([]));
  assert.match(text, /^==> db <==\ndiff --git a\/pg\/b b\/pg\/b\n(?:.*\n){4}-1\n\+2\n\n==> web <==\ndiff --git a\/site\/a b\/site\/a\n/);
});

test('in colour: the heading bold blue, headers bold, hunk lines cyan, removed red, added green, context plain', () => {
  const before = { 'web/site/a': 'keep\nold\n' };
  const after = { 'web/site/a': 'keep\nnew\n' };
  const plan = makePlan({ cluster: 'prod', base: null, deployed: snapshot(before), desired: snapshot(after) });
  const colored = diffText(plan, contentsOf(before, after), false, sensitiveFiles([]), true);
  const oids = /^index (\S+)/m.exec(stripColor(colored))![1];
  assert.equal(
    named(colored),
    [
      '<bold-blue>==> web <==</>',
      '<bold>diff --git a/site/a b/site/a</>',
      `<bold>index ${oids} 100644</>`,
      '<bold>--- a/site/a</>',
      '<bold>+++ b/site/a</>',
      '<cyan>@@ -1,2 +1,2 @@</>',
      ' keep',
      '<red>-old</>',
      '<green>+new</>',
      '',
    ].join('\n'),
  );
  assert.equal(stripColor(colored), diffText(plan, contentsOf(before, after), false, sensitiveFiles([])));
});

test('a sensitive file shows its header and sha256 prefixes, never its content or a line count', () => {
  const before: Files = { 'web/site/db.env': 'PASSWORD=one-SECRET\n', 'web/site/key': { content: 'K-SECRET\n', executable: true } };
  const after: Files = { 'web/site/db.env': 'PASSWORD=two-SECRET\n', 'web/site/key': 'K-SECRET\n' };
  const plan = makePlan({ cluster: 'prod', base: null, deployed: snapshot(before), desired: snapshot(after) });
  const sensitive = sensitiveFiles(['*/*/db.env', '*/*/key']);
  const text = diffText(plan, contentsOf(before, after), false, sensitive, true);
  assert.ok(!text.includes('SECRET'), text);
  const plain = stripColor(text);
  assert.match(plain, /^diff --git a\/site\/db\.env b\/site\/db\.env\nindex [0-9a-f]{7}\.\.[0-9a-f]{7} 100644\ncontent changed \(sha256 [0-9a-f]{12} → [0-9a-f]{12}\)\n/m);
  // Only the mode changed: git's old/new mode lines say so, and nothing else follows.
  assert.match(plain, /^diff --git a\/site\/key b\/site\/key\nold mode 100755\nnew mode 100644\n$/m);
  const stat = diffText(plan, contentsOf(before, after), true, sensitive);
  assert.equal(stat, ' web/site/db.env | sensitive\n web/site/key | sensitive\n 2 files changed, 0 insertions(+), 0 deletions(-)\n');
});

test('--stat colours its bars as git does', () => {
  const before = { 'web/site/a': 'x\ny\n' };
  const after = { 'web/site/a': 'x\nz\nw\n' };
  const plan = makePlan({ cluster: 'prod', base: null, deployed: snapshot(before), desired: snapshot(after) });
  assert.equal(named(diffText(plan, contentsOf(before, after), true, sensitiveFiles([]), true)), ' web/site/a | 3 <green>++</><red>-</>\n 1 file changed, 2 insertions(+), 1 deletion(-)\n');
});
