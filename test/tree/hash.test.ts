// Blob and tree ids must equal git's own, byte for byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appTreeOid, gitBlobOid, gitTreeOid } from '../../src/tree/hash.js';
import { loadConfigTree } from '../../src/tree/load.js';
import { git, tempDir, writeTree, type TreeSpec } from '../helpers/write-tree.js';

test('gitBlobOid equals git hash-object for text, empty and binary content', () => {
  for (const content of [Buffer.from('hello\n'), Buffer.alloc(0), Buffer.from([0, 255, 10, 13, 0x80])]) {
    assert.equal(gitBlobOid(content), git('.', ['hash-object', '--stdin'], content));
  }
});

test('gitTreeOid sorts a subtree as if its name ended in a slash, like git mktree', async (t) => {
  const dir = await tempDir(t);
  git(dir, ['init', '-q']);
  const blob = git(dir, ['hash-object', '-w', '--stdin'], 'x');
  const subtree = git(dir, ['mktree'], `100644 blob ${blob}\tinner\n`);
  const entries = [
    { name: 'a', mode: '40000', oid: subtree },
    { name: 'a.b', mode: '100644', oid: blob },
    { name: 'a-b', mode: '100755', oid: blob },
    { name: 'a0', mode: '100644', oid: blob },
  ] as const;
  const listing = entries.map((e) => `${e.mode === '40000' ? '040000 tree' : `${e.mode} blob`} ${e.oid}\t${e.name}\n`).join('');
  assert.equal(gitTreeOid(entries), git(dir, ['mktree'], listing));
});

test('the loaded tree id of an app equals git write-tree of the same files', async (t) => {
  const dir = await tempDir(t);
  const files: TreeSpec = {
    'a.b': 'dot',
    'a/x': 'in a',
    'a/b/c/deep': 'deep',
    'a-b': 'dash',
    'a0': 'zero',
    'run.sh': { content: '#!/bin/sh\necho hi\n', executable: true },
    'systemd/caddy.service': '[Service]\n',
    'systemd/caddy.service.d/override.conf': '[Service]\nRestart=always\n',
    'ünïcode': 'utf-8 name',
  };
  await writeTree(`${dir}/prod/web/app`, files);
  const tree = await loadConfigTree(`${dir}/prod`);
  const app = tree.hosts.get('web')!.apps.get('app')!;

  const repo = `${dir}/repo`;
  await writeTree(repo, files);
  git(repo, ['init', '-q']);
  git(repo, ['-c', 'core.fileMode=true', 'add', '-A']);
  assert.equal(app.treeOid, git(repo, ['write-tree']));
  assert.equal(appTreeOid(app.files), app.treeOid);
});
