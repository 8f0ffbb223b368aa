// The Action's review check on a push, against the GitHub stand-in and without hosts: a refused
// deploy leaves the reviewed plan comment as the plan job wrote it, so re-running the job is
// refused again instead of deploying what nobody reviewed.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { parsePlanMarker, withStatusNote } from '../../src/render/markdown.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { git } from '../helpers/write-tree.js';
import { pullRequest, push } from './payloads.js';
import { actionRepo, type ActionRepo } from './repo.js';
import { runAction, type ActionRun } from './runner.js';

const BOT = 'github-actions[bot]';
const TOKEN = 'ghs_workflowtoken';
const PR = pullRequest('opened').pull_request;
const PUSH = push();

let repo: ActionRepo;
let api: GitHubApi;

beforeEach(async () => {
  repo = await actionRepo();
  api = await startGitHubApi({ tokens: { [TOKEN]: { login: BOT, type: 'Bot', canWrite: true, canReadUser: false } } });
  api.addPull({ number: PR.number, headSha: PR.head.sha, mergeCommitSha: PUSH.after, state: 'closed', merged: true });
});

afterEach(async () => {
  await api.close();
  await repo.remove();
});

function onPullRequest(): Promise<ActionRun> {
  return runAction({ eventName: 'pull_request', payload: pullRequest('opened'), workspace: repo.workspace, sha: PR.head.sha, ref: `refs/pull/${PR.number}/merge`, apiUrl: api.url, inputs: { cluster: 'prod' } });
}

/** A deploy with require-reviewed-plan; the hosts do not exist, so contacting one would fail the run differently. */
function onPush(): Promise<ActionRun> {
  const inputs = { cluster: 'prod', 'require-reviewed-plan': 'true', 'ssh-private-key': 'unused', 'known-hosts': 'web1 ssh-ed25519 AAAA' };
  return runAction({ eventName: 'push', payload: push(), workspace: repo.workspace, sha: PUSH.after, ref: PUSH.ref, apiUrl: api.url, inputs });
}

const planComments = () => api.comments(PR.number).filter((c) => c.login === BOT && parsePlanMarker(c.body) !== null);

function assertRefusedBeforeAnyHost(run: ActionRun): void {
  assert.equal(run.code, 1, run.stdout);
  assert.ok(!run.stdout.includes('Deploying to'), 'no host was contacted');
  assert.equal(git(repo.dir, ['--git-dir', repo.remote, 'branch', '--list', 'deptool/store']), '', 'the store branch was not pushed');
}

test('a refused deploy keeps the reviewed marker and plan in the comment, and so does a second re-run, also refused', async () => {
  await repo.write({ 'web1/site/index.html': 'one\n', 'web2/site/index.html': 'one\n' });
  const planned = await onPullRequest();
  assert.equal(planned.code, 0, planned.stdout);
  const [reviewed] = planComments();
  const marker = parsePlanMarker(reviewed.body)!;
  assert.equal(marker.hosts!.length, 2);

  // Merged, but what lands differs on web2 from what was reviewed.
  await repo.write({ 'web1/site/index.html': 'one\n', 'web2/site/index.html': 'not reviewed\n' });
  for (const attempt of [1, 2]) {
    const run = await onPush();
    assertRefusedBeforeAnyHost(run);
    const error = run.annotations.find((a) => a.level === 'error')!.message;
    assert.match(error, new RegExp(`^Not deployed: The plan differs from the one reviewed on pull request #${PR.number} \\(https://github\\.com/\\S+/pull/${PR.number}#issuecomment-${reviewed.id}\\) on 1 host: \`web2\``));
    assert.match(error, /re-running this job is refused again while the plan differs from it\. To deploy the current plan, get it reviewed: open a pull request/);
    assert.equal((JSON.parse(run.outputs['plan-json']) as { hosts: unknown[] }).hosts.length, 2);
    assert.notEqual(run.outputs.digest, marker.digest, 'the plan is the unreviewed one');
    assert.match(run.summary, /⛔ \*\*Not deployed\*\*/);
    assert.match(run.summary, /\+not reviewed/, 'the summary shows the plan that was refused');

    const comments = planComments();
    assert.equal(comments.length, 1, `attempt ${attempt}: the comment is updated, not posted again`);
    const [comment] = comments;
    assert.equal(comment.id, reviewed.id);
    assert.deepEqual(parsePlanMarker(comment.body), marker, `attempt ${attempt}: the marker keeps the reviewed digests`);
    assert.equal(withStatusNote(comment.body, []), reviewed.body, `attempt ${attempt}: only the status note changed`);
    assert.ok(!comment.body.includes('not reviewed'));
    assert.equal(comment.body.split('⛔ **Not deployed** by [this run](https://github.com/Codertocat/Hello-World/actions/runs/4242): it differs from this reviewed plan on 1 host: `web2`.').length, 2, 'one status note, naming the host');
  }
  api.assertNoViolations();
});

test('a merged pull request without a plan comment gets none from a refused deploy, so a re-run is refused again', async () => {
  await repo.write({ 'web1/site/index.html': 'one\n' });
  for (let attempt = 0; attempt < 2; attempt++) {
    const run = await onPush();
    assertRefusedBeforeAnyHost(run);
    assert.match(run.annotations.find((a) => a.level === 'error')!.message, new RegExp(`^Not deployed: Pull request #${PR.number} has no deptool plan comment for this cluster`));
    assert.equal(api.comments(PR.number).length, 0, 'no comment carries a digest nobody reviewed');
  }
  assert.ok(!api.requests.some((r) => r.method !== 'GET'), 'nothing was written to GitHub');
  api.assertNoViolations();
});
