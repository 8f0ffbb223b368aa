// The deptool command end to end, in-process: init, plan, diff, status, log, help and errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { planCluster } from '../../src/cli/context.js';
import { movedSincePlan } from '../../src/plan/load.js';
import { attemptFromPlan } from '../../src/deploy/attempt.js';
import { runCli } from '../helpers/cli.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'deptool-cli-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(work, path)), { recursive: true });
  await writeFile(join(work, path), content);
}

/** Records the current plan in the store as if it had been deployed. */
async function recordDeploy(date = new Date('2026-04-18T20:51:02Z')): Promise<void> {
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, cwd: work };
  const { plan, tree, store, ref } = await planCluster(io, {});
  await store.recordAttempt(attemptFromPlan(plan, tree.hosts, tree.dir, { ref, author: { name: 'alice', email: 'alice@example.com' }, date }));
}

function git(...args: string[]): string {
  return spawnSync('git', ['--git-dir', join(work, '.deptool'), ...args], { encoding: 'utf8' }).stdout;
}

test('init prints the tutorial lines, creates the bare store and the cluster dir', async () => {
  const result = await runCli(['init', 'prod'], { cwd: work });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "Initialized store at '.deptool'.\nCreated cluster directory 'prod' and recorded it as the default.\n");
  assert.ok((await stat(join(work, 'prod'))).isDirectory());
  assert.equal(git('rev-parse', '--is-bare-repository').trim(), 'true');
});

test('init honours DEPTOOL_STORE and reuses an existing store', async () => {
  const env = { DEPTOOL_STORE: join(work, 'state', 'store') };
  assert.equal((await runCli(['init'], { cwd: work, env })).code, 0);
  const again = await runCli(['init', 'staging'], { cwd: work, env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, "Using existing store at 'state/store'.\nCreated cluster directory 'staging' and recorded it as the default.\n");
});

test('init refuses a cluster name that is not a valid name', async () => {
  const result = await runCli(['init', 'my cluster'], { cwd: work });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /my cluster/);
});

test('plan uses the recorded default cluster and prints the tutorial block', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'localhost:80\n');
  const result = await runCli(['plan'], { cwd: work });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'webserver\n    add caddy\n        + Caddyfile\n\nAuto-rollback if deploy fails.\n');
});

test('plan says all hosts are up to date after the plan is recorded', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'localhost:80\n');
  await recordDeploy();
  const result = await runCli(['plan'], { cwd: work });
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "All hosts in cluster 'prod' are up to date.\n");
});

test('plan --json prints the versioned schema with a digest that does not depend on the directory', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'localhost:80\n');
  await put('prod/db/pg/pg.conf', 'x\n');
  const result = await runCli(['plan', '--json'], { cwd: work });
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { schema: number; digest: string; hosts: { host: string }[]; summary: { hosts_changed: number } };
  assert.equal(json.schema, 1);
  assert.match(json.digest, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(json.hosts.map((h) => h.host), ['db', 'webserver']);
  assert.equal(json.summary.hosts_changed, 2);

  const elsewhere = await mkdtemp(join(tmpdir(), 'deptool-cli-other-'));
  try {
    await runCli(['init', 'prod'], { cwd: elsewhere });
    for (const [path, content] of [['prod/webserver/caddy/Caddyfile', 'localhost:80\n'], ['prod/db/pg/pg.conf', 'x\n']] as const) {
      await mkdir(dirname(join(elsewhere, path)), { recursive: true });
      await writeFile(join(elsewhere, path), content);
    }
    const other = JSON.parse((await runCli(['plan', '--json'], { cwd: elsewhere })).stdout) as { digest: string };
    assert.equal(other.digest, json.digest);
  } finally {
    await rm(elsewhere, { recursive: true, force: true });
  }
});

test('plan --limit plans only the named hosts and rejects unknown ones', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/web1/caddy/Caddyfile', 'a\n');
  await put('prod/web2/caddy/Caddyfile', 'b\n');
  const limited = await runCli(['plan', '--limit', 'web2'], { cwd: work });
  assert.equal(limited.stdout, 'web2\n    add caddy\n        + Caddyfile\n\nAuto-rollback if deploy fails.\n');
  const unknown = await runCli(['plan', '--limit', 'web1,web3'], { cwd: work });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown host: web3/);
  assert.match(unknown.stderr, /web1, web2/);
});

test('plan of an invalid tree exits 2, names file:line:column, and writes nothing to the store', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/manifest.json', '{\n  "systemd": {},\n  "symlink": {}\n}\n');
  const before = git('for-each-ref');
  const result = await runCli(['plan'], { cwd: work });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /prod\/webserver\/caddy\/manifest\.json:3:3/);
  assert.equal(git('for-each-ref'), before);
});

test('every command that reads the store says to run init when there is none, and exits 2 as a configuration error', async () => {
  await put('prod/webserver/caddy/Caddyfile', 'a\n');
  for (const args of [['plan', 'prod'], ['diff', 'prod'], ['deploy', 'prod', '--yes'], ['status', 'prod'], ['log', 'prod'], ['ping', 'prod'], ['sync', 'prod'], ['rollback', 'prod', '--host', 'webserver']]) {
    const result = await runCli(args, { cwd: work });
    assert.equal(result.code, 2, args.join(' '));
    assert.equal(result.stderr, `deptool ${args[0]}: No store at '${join(work, '.deptool')}'. Run 'deptool init' first, or point --store (or $DEPTOOL_STORE) at the store.\n`);
  }
  await assert.rejects(stat(join(work, '.deptool')));
});

test('plan without a cluster and without a recorded default is a usage error', async () => {
  await runCli(['init'], { cwd: work });
  const result = await runCli(['plan'], { cwd: work });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /deptool init DIR/);
});

test('diff prints each host\'s changed files as git diff does, headed by the host, and --stat a summary', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'localhost:80\nroot /srv\n');
  await recordDeploy();
  await put('prod/webserver/caddy/Caddyfile', 'localhost:8080\nroot /srv\n');
  await put('prod/webserver/caddy/run.sh', '#!/bin/sh\n');
  await chmod(join(work, 'prod/webserver/caddy/run.sh'), 0o755);
  const diff = await runCli(['diff'], { cwd: work });
  assert.equal(diff.code, 0, diff.stderr);
  assert.match(diff.stdout, /^==> webserver <==\ndiff --git a\/caddy\/Caddyfile b\/caddy\/Caddyfile\nindex [0-9a-f]{7}\.\.[0-9a-f]{7} 100644\n--- a\/caddy\/Caddyfile\n/);
  assert.match(diff.stdout, /^-localhost:80$/m);
  assert.match(diff.stdout, /^\+localhost:8080$/m);
  assert.match(diff.stdout, /^diff --git a\/caddy\/run\.sh b\/caddy\/run\.sh\nnew file mode 100755\nindex 0000000\.\.[0-9a-f]{7}\n--- \/dev\/null\n\+\+\+ b\/caddy\/run\.sh$/m);
  assert.ok(!diff.stdout.includes('\x1b'), 'no colour in a pipe');
  const colored = await runCli(['diff'], { cwd: work, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
  assert.ok(colored.stdout.includes('\x1b[31m-localhost:80\x1b[0m\n\x1b[32m+localhost:8080\x1b[0m\n'), colored.stdout);
  const stat = await runCli(['diff', '--stat'], { cwd: work });
  assert.match(stat.stdout, /webserver\/caddy\/Caddyfile \| 2 \+-/);
  assert.match(stat.stdout, /2 files changed, 2 insertions\(\+\), 1 deletion\(-\)/);
});

test('status shows the last deploy per host in local time, undeployed apps and new hosts', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'a\n');
  await put('prod/db/pg/pg.conf', 'a\n');
  await recordDeploy();
  await put('prod/webserver/caddy/Caddyfile', 'b\n');
  await put('prod/cache/redis/redis.conf', 'a\n');
  const result = await runCli(['status'], { cwd: work, env: { TZ: 'Europe/Amsterdam' } });
  assert.equal(result.code, 0, result.stderr);
  const commit = git('rev-parse', 'refs/heads/prod').trim().slice(0, 10);
  assert.equal(
    result.stdout,
    [
      'HOST       LAST DEPLOY                COMMIT      RESULT    STATE',
      'cache      -                          -           -         new host',
      `db         2026-04-18 22:51:02 +0200  ${commit}  deployed  up to date`,
      `webserver  2026-04-18 22:51:02 +0200  ${commit}  deployed  not deployed: update caddy`,
      '',
    ].join('\n'),
  );
  const utc = await runCli(['status'], { cwd: work, env: { TZ: 'UTC' } });
  assert.match(utc.stdout, /^db {9}2026-04-18 20:51:02 \+0000 /m);
});

test('log lists attempts newest first, in local time, with per-host results', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'a\n');
  await recordDeploy(new Date('2026-04-18T20:51:02Z'));
  await put('prod/webserver/caddy/Caddyfile', 'b\n');
  await recordDeploy(new Date('2026-04-18T21:17:48Z'));
  const result = await runCli(['log'], { cwd: work, env: { TZ: 'America/New_York' } });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.match(lines[0], /^[0-9a-f]{10} {2}2026-04-18 17:17:48 -0400 {2}alice$/);
  assert.equal(lines[1], '    Update caddy on webserver');
  assert.equal(lines[2], '    webserver: deployed');
  assert.ok(lines.includes('    Add caddy on webserver'));
  const one = await runCli(['log', '-n', '1'], { cwd: work });
  assert.equal(one.stdout.match(/^[0-9a-f]{10} /gm)?.length, 1);
});

test('every command has --help and unknown commands and options are usage errors', async () => {
  for (const command of ['init', 'plan', 'diff', 'status', 'log']) {
    const result = await runCli([command, '--help'], { cwd: work });
    assert.equal(result.code, 0);
    assert.match(result.stdout, new RegExp(`^Usage: deptool ${command}`));
  }
  assert.equal((await runCli(['frobnicate'], { cwd: work })).code, 2);
  const bad = await runCli(['plan', '--jsn'], { cwd: work });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--jsn/);
});

test('the bundled CLI in dist/ runs', async () => {
  const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
  await readFile(cli).catch(() => assert.fail("dist/cli.js is missing: run 'npm run build'"));
  const result = spawnSync(process.execPath, [cli, 'init', 'prod'], { cwd: work, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Initialized store at '\.deptool'\./);
});

test('deploy without a terminal and without --yes deploys nothing and says how to', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'a\n');
  const before = git('for-each-ref');
  const result = await runCli(['deploy'], { cwd: work });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /no terminal to confirm on\. Pass --yes/);
  assert.equal(git('for-each-ref'), before);
});

test('deploy --root is refused for hosts that use ssh', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/webserver/caddy/Caddyfile', 'a\n');
  const result = await runCli(['deploy', '--yes', '--root', 'sandbox'], { cwd: work });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--root only applies to hosts with "transport": "local"/);
});

test('deploy through the local transport into a sandbox root, then rollback flips back', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/deptool.json', '{ "hosts": { "box": { "transport": "local" } } }');
  await put('sandbox/etc/hostname', 'box\n');
  await put('prod/box/app/conf', 'one\n');
  const first = await runCli(['deploy', '--yes', '--root', 'sandbox'], { cwd: work });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  // As Deptool's tutorial: a blank line after the prompt, the hosts' lines, a blank line, the result.
  assert.match(first.stdout, /\[y\/N\/d\] y \(--yes\)\n\n {2}box: connecting \(local\)\n(?: {2}box: .*\n)* {2}box: done\n\nChanges deployed successfully to 1 host in \d+\.\d\ds\.\n$/);
  await put('prod/box/app/conf', 'two\n');
  assert.equal((await runCli(['deploy', '--yes', '--root', 'sandbox'], { cwd: work })).code, 0);
  const current = join(work, 'sandbox/var/lib/deptool/apps/app/current/conf');
  assert.equal(await readFile(current, 'utf8'), 'two\n');
  const back = await runCli(['rollback', '--host', 'box', '--yes', '--root', 'sandbox'], { cwd: work });
  assert.equal(back.code, 0, back.stdout + back.stderr);
  assert.equal(await readFile(current, 'utf8'), 'one\n');
  const status = await runCli(['status'], { cwd: work });
  assert.match(status.stdout, /box .* deployed {2}not deployed: update app/);
});

test('a store that moved since the plan blocks the deploy only when a planned host moved', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/web/caddy/Caddyfile', 'a\n');
  await put('prod/db/pg/pg.conf', 'a\n');
  await recordDeploy();
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, cwd: work };
  await put('prod/web/caddy/Caddyfile', 'b\n');
  const planned = await planCluster(io, { limit: ['web'] });
  const moved = () => movedSincePlan(planned.store, planned.ref, planned.plan, planned.deployed);
  assert.deepEqual(await moved(), [], 'nothing moved');

  await put('prod/db/pg/pg.conf', 'b\n');
  const other = await planCluster(io, { limit: ['db'] });
  await other.store.recordAttempt(attemptFromPlan(other.plan, other.tree.hosts, other.tree.dir, { ref: other.ref, author: { name: 'bob', email: 'bob@example.com' } }));
  assert.deepEqual(await moved(), [], 'another host moved: the record rebases onto it');

  const same = await planCluster(io, { limit: ['web'] });
  await same.store.recordAttempt(attemptFromPlan(same.plan, same.tree.hosts, same.tree.dir, { ref: same.ref, author: { name: 'bob', email: 'bob@example.com' } }));
  const problems = await moved();
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^web was deployed by another run since the plan was made/);
});

test('ping prints each host\'s line as its result is known, then how many answered, and why a host is unreachable', async () => {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/web/site/index.html', 'x\n');
  await put('prod/box/site/index.html', 'x\n');
  // A port nothing listens on: refused at once. No ssh config, no keys: HOME is the empty work dir.
  await put('prod/deptool.json', JSON.stringify({ hosts: { web: { address: '127.0.0.1', port: 1 }, box: { transport: 'local' } } }));
  const result = await runCli(['ping', '-n', '3'], { cwd: work, env: { HOME: work } });
  assert.equal(result.code, 1, result.stderr);
  const [header, first, second, blank, summary, blank2, ...reason] = result.stdout.split('\n');
  assert.equal(header, 'HOST  CONNECTION  CONNECT  MIN  MEDIAN  P95');
  const rows = [first, second].sort();
  assert.match(rows[0], /^box {3}\S.* {2}\d+\.\d ms {2}\d+\.\d ms {2}\d+\.\d ms {2}\d+\.\d ms$/);
  assert.equal(rows[1], 'web   unreachable (see below)');
  assert.deepEqual([blank, summary, blank2], ['', '1 of 2 hosts reachable.', '']);
  assert.match(reason.join('\n'), /^web: \S/);
  assert.ok(!result.stdout.includes('\x1b'), 'a pipe gets no cursor movement');
  const unknown = await runCli(['ping', '--limit', 'nope'], { cwd: work, env: { HOME: work } });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--limit names unknown host: nope\.\nHosts in cluster 'prod': box, web\./);
});

/** A local-transport cluster with a secret under sensitive_paths and one made unreadable by permissions, deployed once. */
async function deployedSecrets(): Promise<void> {
  await runCli(['init', 'prod'], { cwd: work });
  await put('prod/deptool.json', '{ "hosts": { "box": { "transport": "local" } }, "sensitive_paths": ["*/*/db.env"] }');
  await put('sandbox/etc/hostname', 'box\n');
  await put('prod/box/app/manifest.json', '{ "permissions": { "secrets/*": { "mode": "0400" } } }');
  await put('prod/box/app/conf', 'public one\n');
  await put('prod/box/app/db.env', 'PASSWORD=first-SECRET\n');
  await put('prod/box/app/secrets/tls.key', 'KEY-first-SECRET\n');
  const first = await runCli(['deploy', '--yes', '--root', 'sandbox'], { cwd: work });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  await put('prod/box/app/conf', 'public two\n');
  await put('prod/box/app/db.env', 'PASSWORD=second-SECRET\n');
  await put('prod/box/app/secrets/tls.key', 'KEY-second-SECRET\n');
}

const sha12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
const SECRET_NOTES = [
  `content changed (sha256 ${sha12('PASSWORD=first-SECRET\n')} → ${sha12('PASSWORD=second-SECRET\n')})`,
  `content changed (sha256 ${sha12('KEY-first-SECRET\n')} → ${sha12('KEY-second-SECRET\n')})`,
];

test('diff shows sha256 prefixes, not content, for sensitive_paths and files permissions keep from others', async () => {
  await deployedSecrets();
  const diff = await runCli(['diff'], { cwd: work });
  assert.equal(diff.code, 0, diff.stderr);
  assert.match(diff.stdout, /^\+public two$/m, 'other files still show their diff');
  assert.ok(!diff.stdout.includes('SECRET'), diff.stdout);
  assert.match(diff.stdout, new RegExp(`^diff --git a/app/db\\.env b/app/db\\.env\nindex \\w{7}\\.\\.\\w{7} 100644\n${SECRET_NOTES[0].replace(/[()]/g, '\\$&')}\n`, 'm'));
  assert.match(diff.stdout, new RegExp(`^diff --git a/app/secrets/tls\\.key b/app/secrets/tls\\.key\nindex \\w{7}\\.\\.\\w{7} 100644\n${SECRET_NOTES[1].replace(/[()]/g, '\\$&')}\n`, 'm'));

  const stat = await runCli(['diff', '--stat'], { cwd: work });
  assert.match(stat.stdout, /^ box\/app\/db\.env \| sensitive$/m);
  assert.match(stat.stdout, /^ box\/app\/secrets\/tls\.key \| sensitive$/m);
  assert.match(stat.stdout, /^ 3 files changed, 1 insertion\(\+\), 1 deletion\(-\)$/m, 'no line of a secret is counted');

  const markdown = await runCli(['plan', '--markdown'], { cwd: work });
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.ok(!markdown.stdout.includes('SECRET'), markdown.stdout);
  assert.ok(markdown.stdout.includes(`\`~ app/db.env\`: ${SECRET_NOTES[0]}`), markdown.stdout);
  assert.ok(markdown.stdout.includes(`\`~ app/secrets/tls.key\`: ${SECRET_NOTES[1]}`), markdown.stdout);
  assert.match(markdown.stdout, /\+public two/);
});

test('the deploy and rollback prompts\' d shows no secret', async () => {
  await deployedSecrets();
  const asked = await runCli(['deploy', '--root', 'sandbox'], { cwd: work, answers: ['d', 'n'] });
  assert.equal(asked.code, 0, asked.stdout + asked.stderr);
  // A terminal echoes the typed `d`; the captured output has only what deptool wrote.
  assert.match(asked.stdout, /\[y\/N\/d\] ==> box <==\ndiff --git a\/app\/conf b\/app\/conf\n/, 'd headed the diff with the host');
  assert.match(asked.stdout, /^content changed .*\n\nApply to 1 host/m, 'a blank line between the diff and the question again');
  assert.match(asked.stdout, /^\+public two$/m, 'd showed the diff');
  for (const note of SECRET_NOTES) assert.ok(asked.stdout.includes(note), asked.stdout);
  assert.ok(!asked.stdout.includes('SECRET'), asked.stdout);
  assert.match(asked.stdout, /Not deploying\.\n$/);

  assert.equal((await runCli(['deploy', '--yes', '--root', 'sandbox'], { cwd: work })).code, 0);
  const back = await runCli(['rollback', '--host', 'box', '--root', 'sandbox'], { cwd: work, answers: ['d', 'n'] });
  assert.equal(back.code, 0, back.stdout + back.stderr);
  assert.match(back.stdout, /^-public two$/m, 'd showed the diff');
  assert.ok(back.stdout.includes(`content changed (sha256 ${sha12('KEY-second-SECRET\n')} → ${sha12('KEY-first-SECRET\n')})`), back.stdout);
  assert.ok(!back.stdout.includes('SECRET'), back.stdout);
});

test('a deploy into a sandbox root sets the permissions\' modes and keeps the list beside the revision', async () => {
  await deployedSecrets();
  const apps = join(work, 'sandbox/var/lib/deptool/apps/app');
  assert.equal((await stat(join(apps, 'current/secrets/tls.key'))).mode & 0o7777, 0o400);
  assert.equal((await stat(join(apps, 'current/conf'))).mode & 0o7777, 0o444);
  const rev = (await readdir(apps)).find((name) => name.endsWith('.perms'));
  assert.ok(rev, 'the permissions list is kept');
  assert.equal(await readFile(join(apps, rev), 'utf8'), '0400 - - secrets/tls.key\n');
  assert.equal((await stat(join(apps, rev)).then((s) => s.mode)) & 0o777, 0o400);
});
