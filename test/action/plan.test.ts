// The Action on pull requests and pushes without hosts: the sticky plan comment, the job
// summary, outputs, fork PRs, size limits and secrets, against a GitHub stand-in checked
// against GitHub's OpenAPI description.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { COMMENT_BUDGET, JOB_SUMMARY_BUDGET, parsePlanMarker } from '../../src/render/markdown.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { count, outsideCode, structure, toHtml } from '../helpers/gfm.js';
import { forkPullRequest, pullRequest, push } from './payloads.js';
import { actionRepo, type ActionRepo } from './repo.js';
import { runAction, type ActionRun } from './runner.js';

const BOT = 'github-actions[bot]';
const TOKEN = 'ghs_workflowtoken';
const FORK_TOKEN = 'ghs_forkreadonlytoken';
const PR = pullRequest('opened').pull_request.number;

let repo: ActionRepo;
let api: GitHubApi;

beforeEach(async () => {
  repo = await actionRepo();
  api = await startGitHubApi({
    tokens: {
      [TOKEN]: { login: BOT, type: 'Bot', canWrite: true, canReadUser: false },
      [FORK_TOKEN]: { login: BOT, type: 'Bot', canWrite: false, canReadUser: false },
    },
  });
});

afterEach(async () => {
  await api.close();
  await repo.remove();
});

function onPullRequest(payload: ReturnType<typeof pullRequest>, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({ eventName: 'pull_request', payload, workspace: repo.workspace, sha: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85', ref: `refs/pull/${payload.pull_request.number}/merge`, apiUrl: api.url, inputs: { cluster: 'prod', ...inputs } });
}

function ok(run: ActionRun): void {
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
}

const ours = () => api.comments(PR).filter((c) => c.login === BOT && parsePlanMarker(c.body) !== null);

test('a pull request gets one sticky plan comment, found across comment pages and updated in place', async () => {
  for (let i = 0; i < 230; i++) api.addComment(PR, { body: `chatter ${i}`, login: 'Codertocat', type: 'User' });
  // Someone else's comment that carries a plan marker is never ours to edit.
  const impostor = api.addComment(PR, { body: '<!-- deptool-plan cluster=prod schema=1 digest=sha256:00 -->\nfake', login: 'mallory', type: 'User' });
  await repo.write({ 'web/site/index.html': 'one\n', 'db/pg/pg.conf': 'max_connections = 10\n' });

  const opened = await onPullRequest(pullRequest('opened'));
  ok(opened);
  const [first, ...others] = ours();
  assert.equal(others.length, 0);
  const marker = parsePlanMarker(first.body)!;
  assert.equal(marker.cluster, 'prod');
  assert.equal(marker.digest, opened.outputs.digest);
  assert.equal(opened.outputs.changed, 'true');
  assert.deepEqual((JSON.parse(opened.outputs['plan-json']) as { hosts: { host: string }[] }).hosts.map((h) => h.host), ['db', 'web']);
  assert.match(first.body, /\+one/);
  assert.match(opened.summary, /### deptool plan for cluster `prod`/);
  assert.match(opened.summary, /max_connections = 10/);

  await repo.write({ 'web/site/index.html': 'two\n', 'db/pg/pg.conf': 'max_connections = 10\n' });
  const synchronized = await onPullRequest(pullRequest('synchronize'));
  ok(synchronized);
  const after = ours();
  assert.equal(after.length, 1, 'updated, not posted again');
  assert.equal(after[0].id, first.id);
  assert.notEqual(parsePlanMarker(after[0].body)!.digest, marker.digest);
  assert.match(after[0].body, /\+two/);
  assert.equal(api.comments(PR).find((c) => c.id === impostor.id)!.body, impostor.body);
  assert.equal(api.comments(PR).length, 232);
  const listed = api.requests.filter((r) => r.method === 'GET' && r.operationId === 'issues/list-comments');
  assert.ok(listed.length >= 3 * 1, 'every page of comments was read');
  assert.ok(api.requests.some((r) => r.method === 'PATCH'));
  for (const request of api.requests) assert.equal(request.headers.authorization, `token ${TOKEN}`);
  api.assertNoViolations();
});

test('comment: new posts a comment on every run, and off posts none', async () => {
  await repo.write({ 'web/site/index.html': 'one\n' });
  ok(await onPullRequest(pullRequest('opened'), { comment: 'new' }));
  ok(await onPullRequest(pullRequest('synchronize'), { comment: 'new' }));
  assert.equal(ours().length, 2);
  const before = api.requests.length;
  const off = await onPullRequest(pullRequest('synchronize'), { comment: 'off' });
  ok(off);
  assert.equal(api.requests.length, before, 'no request at all');
  assert.match(off.summary, /deptool plan/);
  api.assertNoViolations();
});

test('a fork pull request gets the plan in the job summary and a notice, not a crash', async () => {
  await repo.write({ 'web/site/index.html': 'from a fork\n' });
  const run = await onPullRequest(forkPullRequest(), { 'github-token': FORK_TOKEN });
  ok(run);
  assert.match(run.summary, /from a fork/);
  const notice = run.annotations.find((a) => a.level === 'notice');
  assert.match(notice?.message ?? '', /comes from a fork.*job summary/);
  assert.equal(api.comments(PR).length, 0);
  assert.ok(!api.requests.some((r) => r.method !== 'GET'), 'no write was even tried');
  api.assertNoViolations();
});

test('a token that may not comment gets a notice and the plan in the summary', async () => {
  await repo.write({ 'web/site/index.html': 'x\n' });
  const run = await onPullRequest(pullRequest('opened'), { 'github-token': FORK_TOKEN });
  ok(run);
  assert.match(run.annotations.find((a) => a.level === 'notice')?.message ?? '', new RegExp(`Could not comment on pull request #${PR}: .*pull-requests: write`, "s"));
  assert.match(run.summary, /deptool plan/);
  api.assertNoViolations();
});

test('secrets never appear: not the private key, not the token, not sensitive files', async () => {
  const secret = 'password=hunter2-very-secret\n';
  await repo.write({ 'web/api/.env': secret, 'web/api/keys/tls.key': 'PRIVATE-TLS-KEY\n', 'web/api/app.conf': 'port=1\n' });
  const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBmYWtla2V5ZmFrZWtleWZha2VrZXlmYWtla2V5ZmFrZQAAAJgAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
  const run = await onPullRequest(pullRequest('opened'), { 'sensitive-paths': '*/*/.env\n*/*/keys/**', 'ssh-private-key': key });
  ok(run);
  const comment = ours()[0].body;
  const sha = createHash('sha256').update(secret).digest('hex').slice(0, 12);
  assert.match(comment, new RegExp(`content added \\(sha256 ${sha}`));
  assert.match(comment, /port=1/, 'other files are shown');
  // The runner consumes ::add-mask:: lines; they are how the key is registered as a secret.
  const masks = run.stdout.split('\n').filter((line) => line.startsWith('::add-mask::'));
  assert.ok(masks.length > 1, 'the key and its lines are registered as secrets');
  const visible = run.everything.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
  const sent = api.requests.map((r) => `${r.path} ${r.bodyText}`).join('\n');
  for (const leak of ['hunter2', 'PRIVATE-TLS-KEY', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ', 'BEGIN OPENSSH', TOKEN]) {
    assert.ok(!visible.includes(leak), `${leak} in the run's output`);
    assert.ok(!sent.includes(leak) || leak === TOKEN, `${leak} sent to GitHub`);
  }
  api.assertNoViolations();
});

test('deptool.json sensitive_paths and files permissions keep from others are hidden too, merged with the input', async () => {
  await repo.write(
    {
      'web/api/db.env': 'DB-SECRET\n',
      'web/api/tls.key': 'TLS-SECRET\n',
      'web/api/token': 'TOKEN-SECRET\n',
      'web/api/manifest.json': '{ "permissions": { "tls.key": { "mode": "0400", "owner": "api" } } }',
      'web/api/app.conf': 'port=1\n',
    },
    { sensitive_paths: ['*/api/db.env'] },
  );
  const run = await onPullRequest(pullRequest('opened'), { 'sensitive-paths': '*/*/token' });
  ok(run);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
  for (const [file, content] of [['db.env', 'DB-SECRET\n'], ['tls.key', 'TLS-SECRET\n'], ['token', 'TOKEN-SECRET\n']]) {
    assert.ok(ours()[0].body.includes(`\`+ api/${file}\`: content added (sha256 ${sha(content)})`), file);
  }
  assert.match(ours()[0].body, /port=1/, 'other files are shown');
  assert.ok(!run.everything.includes('-SECRET'), 'no secret in the run\'s output or summary');
  assert.ok(!api.requests.some((r) => r.bodyText.includes('-SECRET')), 'no secret sent to GitHub');
});

/** A config file whose lines try to break out of their fence or details block. */
function hostile(host: number, version: string): string {
  const tricks = ['```', '</details>', '<!-- deptool-plan', '| a | b |', '<details>', '~~~'];
  return Array.from({ length: 250 }, (_, i) => `LEAK ${host}.${i} ${i % 3 === 0 ? version : ''} ${tricks[i % tricks.length]}\n`).join('');
}

test('a plan of 200 hosts with large diffs yields a valid comment under 65,536 characters and a summary under 1 MiB', async () => {
  const files = (version: string) => Object.fromEntries(Array.from({ length: 200 }, (_, h) => [`host${String(h).padStart(3, '0')}/app/big.conf`, hostile(h % 10, version)]));
  await repo.write(files('v1'));
  const run = await onPullRequest(pullRequest('opened'));
  ok(run);
  const body = ours()[0].body;
  assert.ok(body.length < 65_536 && body.length <= COMMENT_BUDGET, `comment of ${body.length} characters`);
  for (const markdown of [body, run.summary]) {
    const fences = structure(markdown);
    const html = toHtml(markdown);
    assert.equal(count(html, '<pre>'), fences.length);
    assert.equal(count(html, '<details>'), count(html, '</details>'));
    assert.ok(!outsideCode(html).includes('LEAK'), 'file content escaped its code block');
    assert.equal(count(html, '<tr>'), 201, 'one table row per host');
  }
  assert.ok(Buffer.byteLength(run.summary) < JOB_SUMMARY_BUDGET);
  assert.ok(count(run.summary, '```diff') > count(body, '```diff'), 'the summary shows more than the comment');
  api.assertNoViolations();
});

test('bad inputs fail the step with a message naming the input', async () => {
  await repo.write({ 'web/site/index.html': 'x\n' });
  const bad = await onPullRequest(pullRequest('opened'), { mode: 'yolo' });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /::error::Input 'mode' must be one of auto, plan, deploy, rollback, sync, not 'yolo'\./);
  const deploy = await runAction({ eventName: 'push', payload: push(), workspace: repo.workspace, sha: push().after, ref: push().ref, apiUrl: api.url, inputs: { cluster: 'prod', comment: 'off' } });
  assert.equal(deploy.code, 1);
  assert.match(deploy.stdout, /Input 'ssh-private-key' is required to deploy/);
  const missing = await onPullRequest(pullRequest('opened'), { cluster: 'nope' });
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /::error::.*nope.*cluster directory does not exist|::error::.*nope/);
  api.assertNoViolations();
});

test('a push to another branch than the default one only plans, with a notice', async () => {
  await repo.write({ 'web/site/index.html': 'x\n' });
  const payload = { ...push(), ref: 'refs/heads/feature' };
  const run = await runAction({ eventName: 'push', payload, workspace: repo.workspace, sha: payload.after, ref: payload.ref, apiUrl: api.url, inputs: { cluster: 'prod' } });
  ok(run);
  assert.match(run.annotations.find((a) => a.level === 'notice')?.message ?? '', /not the default branch master: showing the plan only/);
  assert.equal(run.outputs.changed, 'true');
  assert.equal(api.requests.length, 0);
});

test('a deploy that cannot look up the reviewed plan is refused with require-reviewed-plan, before any host is contacted', async () => {
  await repo.write({ 'web/site/index.html': 'x\n' });
  const inputs = { cluster: 'prod', 'github-token': 'ghp_revoked', 'require-reviewed-plan': 'true', 'ssh-private-key': 'unused', 'known-hosts': 'web ssh-ed25519 AAAA' };
  const run = await runAction({ eventName: 'push', payload: push(), workspace: repo.workspace, sha: push().after, ref: push().ref, apiUrl: api.url, inputs });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /::error::Not deployed: Could not look up the reviewed plan on GitHub \(Bad credentials/);
  assert.match(run.summary, /⛔ \*\*Not deployed\*\*/);
  assert.ok(!/web: connecting/.test(run.stdout), 'no host was contacted');
  api.assertNoViolations();
});

test('an unchanged plan leaves the sticky comment alone: no edit, no notification', async () => {
  await repo.write({ 'web/site/index.html': 'same\n' });
  ok(await onPullRequest(pullRequest('opened')));
  const [comment] = ours();
  const again = await onPullRequest(pullRequest('synchronize'));
  ok(again);
  assert.match(again.stdout, /Plan comment unchanged/);
  assert.ok(!api.requests.some((r) => r.method === 'PATCH'));
  assert.equal(ours()[0].updatedAt, comment.updatedAt);
  api.assertNoViolations();
});
