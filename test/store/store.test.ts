// Store behaviour against real git repositories in temporary directories.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { OperationError, UsageError } from '../../src/errors.js';
import { Store, type AppWrite, type Attempt, type WriteFile } from '../../src/store/store.js';

const REF = 'refs/heads/prod';
const author = { name: 'Deptool Test', email: 'deptool@example.com' };
const date = new Date('2024-05-01T12:00:00Z');

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'deptool-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/** A store plus a scratch directory for source files. */
async function setup(t: TestContext): Promise<{ store: Store; root: string; src: (path: string, content: string, executable?: boolean) => Promise<WriteFile> }> {
  const root = await tempDir(t);
  const store = await Store.init(join(root, 'store'));
  const src = async (path: string, content: string, executable = false): Promise<WriteFile> => {
    const file = join(root, 'src', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    return { oid: git(root, 'hash-object', file), executable, source: file };
  };
  return { store, root, src };
}

function app(files: Record<string, WriteFile>): AppWrite {
  return { files: new Map(Object.entries(files)) };
}

function writes(spec: Record<string, Record<string, AppWrite | null>>): Attempt['writes'] {
  return new Map(Object.entries(spec).map(([host, apps]) => [host, new Map(Object.entries(apps))]));
}

function attempt(fields: Partial<Attempt> & Pick<Attempt, 'parent'>): Attempt {
  const w: Attempt['writes'] = fields.writes ?? new Map();
  return {
    ref: REF,
    title: 'Deploy',
    results: [...w.keys()].map((host) => ({ host, status: 'deployed' as const })),
    writes: w,
    author,
    date,
    ...fields,
  };
}

/** host/app -> tree oid, as the store reads it. */
async function appTrees(store: Store, commit: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [host, apps] of await store.readTree(commit)) {
    for (const [name, stored] of apps) out[`${host}/${name}`] = stored.treeOid;
  }
  return out;
}

test('init creates a bare repository that open accepts, and a second init reuses it', async (t) => {
  const root = await tempDir(t);
  const dir = join(root, '.deptool');
  const store = await Store.init(dir);
  assert.equal(store.dir, dir);
  assert.equal(git(dir, 'rev-parse', '--is-bare-repository'), 'true');
  const again = await Store.init(dir);
  assert.equal(again.dir, dir);
  assert.equal((await Store.open(dir)).dir, dir);
});

test('init accepts an existing empty directory', async (t) => {
  const root = await tempDir(t);
  await Store.init(root);
  assert.equal(git(root, 'rev-parse', '--is-bare-repository'), 'true');
});

test('init refuses a non-empty directory that is not a git repository', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'notes.txt'), 'mine');
  await assert.rejects(Store.init(root), (error: Error) => {
    assert.ok(error instanceof OperationError);
    assert.match(error.message, /is not empty and is not a git repository\. Choose another path\./);
    return true;
  });
});

test('init refuses a git repository that deptool did not create', async (t) => {
  const root = await tempDir(t);
  git(root, 'init', '--quiet', '--bare', 'other');
  await assert.rejects(Store.init(join(root, 'other')), /is a git repository that deptool did not create/);
});

test('init refuses a path that is a file', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'file'), '');
  await assert.rejects(Store.init(join(root, 'file')), /exists and is not a directory/);
});

test('open of a missing directory says to run deptool init, as a usage error (exit 2)', async (t) => {
  const root = await tempDir(t);
  const dir = join(root, '.deptool');
  await assert.rejects(Store.open(dir), (error: Error) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.exitCode, 2);
    assert.equal(error.message, `No store at '${dir}'. Run 'deptool init' first.`);
    return true;
  });
});

test('open refuses a plain directory even inside another git repository', async (t) => {
  const root = await tempDir(t);
  git(root, 'init', '--quiet');
  await mkdir(join(root, '.deptool'));
  await assert.rejects(Store.open(join(root, '.deptool')), /is not a deptool store \(not a git repository\)/);
});

test('a work tree repository can hold the history on a branch, as the Action uses', async (t) => {
  const root = await tempDir(t);
  git(root, 'init', '--quiet');
  await writeFile(join(root, 'caddyfile'), 'hi\n');
  const file = { oid: git(root, 'hash-object', 'caddyfile'), executable: false, source: join(root, 'caddyfile') };
  const store = await Store.open(root);
  const ref = 'refs/heads/deptool/store';
  const commit = await store.recordAttempt(attempt({ ref, parent: null, writes: writes({ web: { caddy: app({ Caddyfile: file }) } }) }));
  assert.equal(git(root, 'rev-parse', 'deptool/store'), commit);
  assert.equal((await store.readTree(commit)).get('web')?.get('caddy')?.treeOid, git(root, 'rev-parse', 'deptool/store:web/caddy'));
  assert.deepEqual((await store.log(ref)).map((r) => r.results), [[{ host: 'web', status: 'deployed' }]]);
  assert.equal(git(root, 'status', '--porcelain'), '?? caddyfile');
});

test('config values are stored in the repository and missing keys read as null', async (t) => {
  const { store } = await setup(t);
  assert.equal(await store.getConfig('deptool.cluster'), null);
  await store.setConfig('deptool.cluster', 'clusters/prod eu');
  assert.equal(await store.getConfig('deptool.cluster'), 'clusters/prod eu');
  assert.equal(git(store.dir, 'config', 'deptool.cluster'), 'clusters/prod eu');
});

test('a missing ref has no tip and a null commit reads as an empty cluster', async (t) => {
  const { store } = await setup(t);
  assert.equal(await store.tip(REF), null);
  assert.deepEqual(await store.readTree(null), new Map());
  assert.deepEqual(await store.log(REF), []);
  assert.deepEqual(await store.lastResults(REF, ['web']), new Map());
});

test('every store command reads the store even when GIT_DIR points at another repository', async (t) => {
  const { store, root, src } = await setup(t);
  const commit = await store.recordAttempt(attempt({ parent: null, writes: writes({ web: { caddy: app({ Caddyfile: await src('Caddyfile', 'a') }) } }) }));
  await store.setConfig('deptool.cluster', 'prod');
  const other = join(root, 'other.git');
  git(root, 'init', '--bare', '--quiet', other);
  const saved = process.env.GIT_DIR;
  process.env.GIT_DIR = other;
  t.after(() => (saved === undefined ? delete process.env.GIT_DIR : (process.env.GIT_DIR = saved)));
  assert.equal(await store.tip(REF), commit);
  assert.equal(await store.resolveCommit(commit.slice(0, 8)), commit);
  assert.equal(await store.getConfig('deptool.cluster'), 'prod');
  assert.equal((await store.appHistory(REF, 'web', 'caddy')).length, 1);
  assert.equal((await Store.open(store.dir)).gitDir, store.gitDir);
});

test('refs must be full ref names', async (t) => {
  const { store } = await setup(t);
  await assert.rejects(store.tip('prod'), /Invalid store ref 'prod': expected a full ref name/);
  await assert.rejects(store.tip('refs/heads/a b'), /Invalid store ref/);
});

test('recorded files read back with their blob ids, sizes, modes and app tree ids', async (t) => {
  const { store, root, src } = await setup(t);
  const caddyfile = await src('web/caddy/Caddyfile', 'example.com {\n  respond "hi"\n}\n');
  const script = await src('web/caddy/bin/reload', '#!/bin/sh\nexec true\n', true);
  const unit = await src('db/postgres/systemd/postgres.service', '[Service]\nExecStart=/usr/bin/postgres\n');
  const commit = await store.recordAttempt(
    attempt({
      parent: null,
      title: 'Add caddy, postgres on 2 hosts',
      writes: writes({
        web: { caddy: app({ Caddyfile: caddyfile, 'bin/reload': script }) },
        db: { postgres: app({ 'systemd/postgres.service': unit }) },
      }),
    }),
  );
  assert.equal(await store.tip(REF), commit);
  assert.equal(git(store.dir, 'rev-list', '--count', commit), '1');

  const tree = await store.readTree(commit);
  assert.deepEqual([...tree.keys()].sort(), ['db', 'web']);
  const caddy = tree.get('web')!.get('caddy')!;
  assert.deepEqual(
    caddy.files,
    new Map([
      ['Caddyfile', { oid: caddyfile.oid, executable: false, size: (await readFile(caddyfile.source!)).length }],
      ['bin/reload', { oid: script.oid, executable: true, size: 20 }],
    ]),
  );
  assert.equal(caddy.treeOid, git(root, '--git-dir', store.dir, 'rev-parse', `${commit}:web/caddy`));
  const postgres = tree.get('db')!.get('postgres')!;
  assert.equal(postgres.files.get('systemd/postgres.service')!.oid, unit.oid);
  assert.equal(postgres.treeOid, git(root, '--git-dir', store.dir, 'rev-parse', `${commit}:db/postgres`));
  assert.equal(git(store.dir, 'ls-tree', commit, 'web/caddy/bin/reload').split(' ')[0], '100755');

  const blobs = await store.readBlobs([caddyfile.oid, script.oid, caddyfile.oid]);
  assert.equal(blobs.size, 2);
  assert.equal(blobs.get(caddyfile.oid)!.toString(), 'example.com {\n  respond "hi"\n}\n');
  assert.equal(blobs.get(script.oid)!.toString(), '#!/bin/sh\nexec true\n');
  assert.deepEqual(await store.readBlobs([]), new Map());
  await assert.rejects(store.readBlobs(['f'.repeat(40)]), /Object f{40} is missing in the store/);
  assert.deepEqual(git(store.dir, 'for-each-ref', 'refs/deptool-tmp/'), '');
});

test('paths with spaces, quotes, backslashes and unicode round-trip', async (t) => {
  const { store, root, src } = await setup(t);
  const names = ['conf d/my site.conf', 'ünïcødé/日本語.txt', 'quote"and\\back', 'tab\there', '-leading dash'];
  const files: Record<string, WriteFile> = {};
  for (const [i, name] of names.entries()) files[name] = await src(`f${i}`, `content ${i}\n`);
  const commit = await store.recordAttempt(attempt({ parent: null, writes: writes({ 'web-1': { site: app(files) } }) }));
  const stored = (await store.readTree(commit)).get('web-1')!.get('site')!;
  assert.deepEqual([...stored.files.keys()].sort(), [...names].sort());
  for (const name of names) assert.equal(stored.files.get(name)!.oid, files[name].oid);
  assert.equal(stored.treeOid, git(root, '--git-dir', store.dir, 'rev-parse', `${commit}:web-1/site`));
});

test('a host that failed keeps its old subtree while a deployed host gets the new one', async (t) => {
  const { store, src } = await setup(t);
  const first = await store.recordAttempt(
    attempt({
      parent: null,
      writes: writes({ web: { caddy: app({ Caddyfile: await src('a', 'v1\n') }) }, db: { caddy: app({ Caddyfile: await src('b', 'v1 db\n') }) } }),
    }),
  );
  const before = await appTrees(store, first);
  const second = await store.recordAttempt(
    attempt({
      parent: first,
      title: 'Update caddy on 2 hosts',
      results: [
        { host: 'web', status: 'deployed' },
        { host: 'db', status: 'rolled-back', detail: 'caddy.service failed' },
      ],
      writes: writes({ web: { caddy: app({ Caddyfile: await src('c', 'v2\n') }) } }),
    }),
  );
  const after = await appTrees(store, second);
  assert.equal(after['db/caddy'], before['db/caddy']);
  assert.notEqual(after['web/caddy'], before['web/caddy']);
  assert.equal(git(store.dir, 'rev-parse', `${second}^`), first);
});

test('an attempt where every host failed still records a commit with the same tree', async (t) => {
  const { store, src } = await setup(t);
  const first = await store.recordAttempt(attempt({ parent: null, writes: writes({ web: { caddy: app({ Caddyfile: await src('a', 'v1\n') }) } }) }));
  const second = await store.recordAttempt(attempt({ parent: first, results: [{ host: 'web', status: 'failed', detail: 'host unreachable' }] }));
  assert.notEqual(second, first);
  assert.equal(git(store.dir, 'rev-parse', `${second}^{tree}`), git(store.dir, 'rev-parse', `${first}^{tree}`));
  assert.deepEqual((await store.log(REF, { limit: 1 }))[0].results, [{ host: 'web', status: 'failed', detail: 'host unreachable' }]);
});

test('a null write removes the app, and the host disappears with its last app', async (t) => {
  const { store, src } = await setup(t);
  const file = await src('a', 'x\n');
  const first = await store.recordAttempt(
    attempt({ parent: null, writes: writes({ web: { caddy: app({ f: file }), node: app({ f: file }) }, db: { caddy: app({ f: file }) } }) }),
  );
  const second = await store.recordAttempt(attempt({ parent: first, writes: writes({ web: { node: null }, db: { caddy: null } }) }));
  assert.deepEqual(Object.keys(await appTrees(store, second)), ['web/caddy']);
});

test('an app write replaces the whole app subtree', async (t) => {
  const { store, src } = await setup(t);
  const first = await store.recordAttempt(
    attempt({ parent: null, writes: writes({ web: { caddy: app({ old: await src('a', 'old\n'), 'sub/keep': await src('b', 'keep\n') }) } }) }),
  );
  const second = await store.recordAttempt(attempt({ parent: first, writes: writes({ web: { caddy: app({ 'sub/keep': await src('b', 'keep\n') }) } }) }));
  assert.deepEqual([...(await store.readTree(second)).get('web')!.get('caddy')!.files.keys()], ['sub/keep']);
});

test('files without a source reuse blobs already in the store, and a missing blob is refused', async (t) => {
  const { store, src } = await setup(t);
  const file = await src('a', 'shared\n');
  const first = await store.recordAttempt(attempt({ parent: null, writes: writes({ web: { caddy: app({ f: file }) } }) }));
  const second = await store.recordAttempt(
    attempt({ parent: first, writes: writes({ db: { caddy: app({ f: { oid: file.oid, executable: true } }) } }) }),
  );
  assert.equal((await store.readTree(second)).get('db')!.get('caddy')!.files.get('f')!.executable, true);
  const missing = 'f'.repeat(40);
  await assert.rejects(
    store.recordAttempt(attempt({ parent: second, writes: writes({ db: { caddy: app({ f: { oid: missing, executable: false } }) } }) })),
    new RegExp(`'db/caddy/f' on 'refs/heads/prod': blob ${missing} is not in the store and no source file was given`),
  );
  assert.equal(await store.tip(REF), second);
});

test('a source file changed after planning is refused and the ref is unchanged', async (t) => {
  const { store, src } = await setup(t);
  const first = await store.recordAttempt(attempt({ parent: null, writes: writes({ web: { caddy: app({ f: await src('a', 'v1\n') }) } }) }));
  const planned = await src('b', 'planned\n');
  await writeFile(planned.source!, 'edited after the plan\n');
  await assert.rejects(
    store.recordAttempt(attempt({ parent: first, writes: writes({ web: { caddy: app({ f: planned }) } }) })),
    (error: Error) => {
      assert.ok(error instanceof OperationError);
      assert.match(error.message, /changed after the plan was made .* Make a new plan and deploy it\.\nNothing was recorded\./);
      return true;
    },
  );
  assert.equal(await store.tip(REF), first);
  assert.equal(git(store.dir, 'for-each-ref', 'refs/deptool-tmp/'), '');
});

test('a missing source file is refused and the ref is unchanged', async (t) => {
  const { store, root } = await setup(t);
  const gone = { oid: 'a'.repeat(40), executable: false, source: join(root, 'gone') };
  await assert.rejects(store.recordAttempt(attempt({ parent: null, writes: writes({ web: { caddy: app({ f: gone }) } }) })), /Cannot read '.*gone': ENOENT/);
  assert.equal(await store.tip(REF), null);
});

test('an attempt planned against an empty store lands on top of a ref another run created meanwhile', async (t) => {
  const { store, src } = await setup(t);
  const first = await store.recordAttempt(attempt({ parent: null, title: 'A', writes: writes({ web: { caddy: app({ f: await src('a', 'x\n') }) } }) }));
  const second = await store.recordAttempt(attempt({ parent: null, title: 'B', writes: writes({ db: { caddy: app({ f: await src('b', 'y\n') }) } }) }));
  assert.equal(git(store.dir, 'rev-parse', `${second}^`), first);
  assert.deepEqual([...(await store.readTree(second)).keys()].sort(), ['db', 'web']);
  assert.deepEqual((await store.log(REF)).map((r) => r.title), ['B', 'A']);
});

test('an attempt whose parent is no longer in the ref history is refused', async (t) => {
  const { store, src } = await setup(t);
  const first = await store.recordAttempt(attempt({ parent: null, writes: writes({ web: { caddy: app({ f: await src('a', 'x\n') }) } }) }));
  const second = await store.recordAttempt(attempt({ parent: first, writes: writes({ web: { caddy: app({ f: await src('b', 'y\n') }) } }) }));
  git(store.dir, 'update-ref', REF, first);
  await assert.rejects(
    store.recordAttempt(attempt({ parent: second, results: [{ host: 'web', status: 'failed' }] })),
    /'refs\/heads\/prod' was rewritten and no longer contains commit/,
  );
  git(store.dir, 'update-ref', '-d', REF);
  await assert.rejects(store.recordAttempt(attempt({ parent: first, results: [{ host: 'web', status: 'failed' }] })), /which no longer exists/);
});

test('an attempt recorded after another on the same parent lands on top of it with both changes', async (t) => {
  const { store, src } = await setup(t);
  const base = await store.recordAttempt(
    attempt({ parent: null, writes: writes({ web: { caddy: app({ f: await src('a', 'web v1\n') }) }, db: { caddy: app({ f: await src('b', 'db v1\n') }) } }) }),
  );
  const a = await store.recordAttempt(attempt({ parent: base, title: 'A', writes: writes({ web: { caddy: app({ f: await src('c', 'web v2\n') }) } }) }));
  const b = await store.recordAttempt(attempt({ parent: base, title: 'B', writes: writes({ db: { caddy: app({ f: await src('d', 'db v2\n') }) } }) }));
  assert.equal(git(store.dir, 'rev-parse', `${b}^`), a);
  const tree = await store.readTree(b);
  const content = async (host: string) => (await store.readBlobs([tree.get(host)!.get('caddy')!.files.get('f')!.oid])).values().next().value!.toString();
  assert.equal(await content('web'), 'web v2\n');
  assert.equal(await content('db'), 'db v2\n');
  assert.deepEqual((await store.log(REF)).map((r) => r.title), ['B', 'A', 'Deploy']);
});

test('attempts recorded concurrently from one parent all land', async (t) => {
  const { store, src } = await setup(t);
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
  const base = await store.recordAttempt(attempt({ parent: null, writes: writes({ h0: { app: app({ f: await src('base', 'base\n') }) } }) }));
  const attempts = await Promise.all(
    hosts.map(async (host) => attempt({ parent: base, title: host, writes: writes({ [host]: { app: app({ f: await src(host, `${host}\n`) }) } }) })),
  );
  // Separate Store instances, like separate processes.
  const commits = await Promise.all(attempts.map(async (a) => (await Store.open(store.dir)).recordAttempt(a)));
  assert.equal(new Set(commits).size, hosts.length);
  const tip = await store.tip(REF);
  assert.equal(git(store.dir, 'rev-list', '--count', tip!), String(hosts.length + 1));
  assert.deepEqual([...(await store.readTree(tip)).keys()].sort(), ['h0', ...hosts]);
});

test('log and lastResults read titles, bodies, results and trailers back, newest first', async (t) => {
  const { store, src } = await setup(t);
  const first = await store.recordAttempt(
    attempt({
      parent: null,
      title: 'Add caddy on 2 hosts',
      body: 'Deptool-Result: evil deployed\n\nReviewed in the PR.',
      results: [
        { host: 'web', status: 'deployed' },
        { host: 'db', status: 'skipped', detail: 'not reached:\nweb failed first' },
      ],
      writes: writes({ web: { caddy: app({ f: await src('a', 'x\n') }) } }),
      trailers: { planDigest: 'sha256:abc', runUrl: 'https://ci.example/runs/1', pullRequest: '42', actor: 'alice' },
    }),
  );
  const second = await store.recordAttempt(
    attempt({ parent: first, title: 'Update caddy on web Deptool-Result: db deployed', results: [{ host: 'web', status: 'rolled-back', detail: 'caddy.service failed' }] }),
  );
  const records = await store.log(REF);
  assert.deepEqual(
    records.map((r) => r.commit),
    [second, first],
  );
  assert.deepEqual(records[1], {
    commit: first,
    date,
    author,
    title: 'Add caddy on 2 hosts',
    body: 'Deptool-Result: evil deployed\n\nReviewed in the PR.',
    results: [
      { host: 'web', status: 'deployed' },
      { host: 'db', status: 'skipped', detail: 'not reached: web failed first' },
    ],
    trailers: { planDigest: 'sha256:abc', runUrl: 'https://ci.example/runs/1', pullRequest: '42', actor: 'alice' },
  });
  assert.equal(records[0].body, '');
  assert.deepEqual(records[0].trailers, {});
  assert.deepEqual((await store.log(REF, { limit: 1 })).map((r) => r.commit), [second]);
  assert.deepEqual((await store.log(REF, { host: 'db' })).map((r) => r.commit), [first]);
  assert.deepEqual(await store.log(REF, { host: 'evil' }), []);

  const last = await store.lastResults(REF, ['web', 'db', 'evil']);
  assert.deepEqual([...last.keys()].sort(), ['db', 'web']);
  assert.equal(last.get('web')!.commit, second);
  assert.deepEqual(last.get('web')!.result, { host: 'web', status: 'rolled-back', detail: 'caddy.service failed' });
  assert.equal(last.get('db')!.commit, first);
  assert.equal(last.get('db')!.result.status, 'skipped');
});

test('log filters by host before applying the limit, and lastResults finds the newest result of each host', async (t) => {
  const { store } = await setup(t);
  let parent: string | null = null;
  for (let i = 0; i < 30; i++) {
    parent = await store.recordAttempt(attempt({ parent, title: `attempt ${i}`, results: [{ host: `h${i % 3}`, status: 'failed' }] }));
  }
  assert.deepEqual((await store.log(REF, { limit: 2, host: 'h0' })).map((r) => r.title), ['attempt 27', 'attempt 24']);
  const last = await store.lastResults(REF, ['h1', 'h2']);
  assert.equal(last.get('h1')!.title, 'attempt 28');
  assert.equal(last.get('h2')!.title, 'attempt 29');
});

test('attempts that would break the store are refused before anything is written', async (t) => {
  const { store, src } = await setup(t);
  const file = await src('a', 'x\n');
  const cases: [Partial<Attempt>, RegExp][] = [
    [{ results: [] }, /no host results/],
    [{ results: [{ host: 'web', status: 'failed' }], writes: writes({ web: { caddy: app({ f: file }) } }) }, /writes apps of host 'web', whose result is failed/],
    [{ writes: writes({ 'a b': { caddy: app({ f: file }) } }), results: [{ host: 'a b', status: 'deployed' }] }, /Invalid host name 'a b'/],
    [{ writes: writes({ web: { '..': app({ f: file }) } }) }, /Invalid app name '\.\.'/],
    [{ writes: writes({ web: { caddy: app({ '../escape': file }) } }) }, /Invalid file path '\.\.\/escape' in web\/caddy/],
    [{ writes: writes({ web: { caddy: app({ f: { ...file, source: 'relative/path' } }) } }) }, /must be an absolute path/],
    [{ title: '  \n ' }, /empty title/],
    [{ author: { name: 'Eve <eve>', email: 'e@example.com' } }, /Invalid author/],
    [{ ref: 'main' }, /Invalid store ref 'main'/],
    [{ parent: 'HEAD' }, /parent 'HEAD' is not a commit id/],
    [
      {
        results: [
          { host: 'web', status: 'deployed' },
          { host: 'web', status: 'failed' },
        ],
      },
      /two results for host 'web'/,
    ],
  ];
  for (const [fields, message] of cases) {
    await assert.rejects(store.recordAttempt(attempt({ parent: null, writes: writes({ web: { caddy: app({ f: file }) } }), ...fields })), message);
  }
  assert.equal(git(store.dir, 'for-each-ref'), '');
});
