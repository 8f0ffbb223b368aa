// The deploy's review decision, in memory: which hosts carry the plan reviewed on the merged
// pull request, what is refused or warned about, and what the Action tells the operator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideReview, deployNotes, refusalNotes, type Review } from '../../src/action/review.js';
import { planDigest } from '../../src/plan/json.js';
import { makePlan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import { parsePlanMarker, renderMarkdown } from '../../src/render/markdown.js';
import { sensitiveFiles } from '../../src/render/sensitive.js';
import { snapshot, type FileSpec } from '../helpers/snapshot.js';

const PR = { number: 42, url: 'https://github.com/acme/infra/pull/42' };
const COMMENT = 'https://github.com/acme/infra/pull/42#issuecomment-7';
const RUN = 'https://github.com/acme/infra/actions/runs/9';

/** Every host deployed `v1` of its site; `desired` says what each host should get. */
function planOf(desired: Record<string, string>, deployed: Record<string, string> = {}): Plan {
  const files = (versions: Record<string, string>): Record<string, FileSpec> =>
    Object.fromEntries(Object.entries(versions).map(([host, version]) => [`${host}/site/index.html`, version]));
  const hosts = Object.keys(desired);
  const before = { ...Object.fromEntries(hosts.map((h) => [h, 'v1'])), ...deployed };
  return makePlan({ cluster: 'prod', base: null, deployed: snapshot(files(before)), desired: snapshot(files(desired)) });
}

/** The plan comment the plan job would post for `plan`, as the deploy job finds it. */
function reviewedOn(plan: Plan): Review {
  const body = renderMarkdown(plan, { get: () => ({ old: Buffer.from('v1'), new: Buffer.from('v2') }) }, { sensitive: sensitiveFiles([]), digest: planDigest(plan) });
  return { kind: 'comment', pr: PR, url: COMMENT, marker: parsePlanMarker(body)! };
}

const REVIEWED = planOf({ web1: 'v2', web2: 'v2', web3: 'v2' });

test('the reviewed plan is deployed as it is', () => {
  const decision = decideReview(reviewedOn(REVIEWED), REVIEWED, 'require');
  assert.equal(decision.verdict, 'deploy');
  assert.deepEqual(decision.reviewed, ['web1', 'web2', 'web3']);
  assert.deepEqual([decision.unreviewed, decision.done, decision.problem, decision.advice], [[], 0, null, null]);
  assert.equal(decision.note, 'Deploying the plan reviewed on pull request #42.');
});

test('after a partial failure, what is left of the reviewed plan is deployed and the rest counts as done', () => {
  // web1 and web3 were deployed by the first run; web2 was rolled back and still has v1.
  const left = planOf({ web1: 'v2', web2: 'v2', web3: 'v2' }, { web1: 'v2', web3: 'v2' });
  assert.deepEqual(left.hosts.map((h) => h.host), ['web2']);
  assert.notEqual(planDigest(left), planDigest(REVIEWED));
  const decision = decideReview(reviewedOn(REVIEWED), left, 'require');
  assert.equal(decision.verdict, 'deploy');
  assert.deepEqual([decision.reviewed, decision.unreviewed, decision.done], [['web2'], [], 2]);
  assert.equal(decision.note, 'Deploying what is left of the plan reviewed on pull request #42 to 1 host: `web2`; 2 hosts of it are already up to date.');
});

test('a host planned differently or not in the reviewed plan makes the plan unreviewed: refused when required, warned otherwise', () => {
  const current = planOf({ web1: 'v2', web2: 'v3', web3: 'v2', web4: 'v2' }, { web1: 'v2' });
  const refused = decideReview(reviewedOn(REVIEWED), current, 'require');
  assert.equal(refused.verdict, 'refuse');
  assert.deepEqual([refused.reviewed, refused.unreviewed, refused.done], [['web3'], ['web2', 'web4'], null]);
  assert.equal(
    refused.problem,
    `The plan differs from the one reviewed on pull request #42 (${COMMENT}) on 2 hosts: \`web2\`, \`web4\` (not in the reviewed plan, or planned differently); the store or the config tree changed since the review.`,
  );
  assert.match(refused.advice!, /^That comment keeps the reviewed plan, so re-running this job is refused again while the plan differs from it\. /);
  assert.match(refused.advice!, /open a pull request that changes the cluster directory .*or run the Action with `mode: deploy` and `require-reviewed-plan: false`/);
  assert.equal(refused.note, null);

  const warned = decideReview(reviewedOn(REVIEWED), current, 'warn');
  assert.equal(warned.verdict, 'warn');
  assert.equal(warned.problem, refused.problem);
  assert.equal(warned.advice, null, 'nothing is refused, so there is nothing to re-run');
});

test("a reviewed host's digest does not vouch for the same changes on another host", () => {
  const reviewed = planOf({ web1: 'v2' });
  const other = planOf({ web2: 'v2' });
  const decision = decideReview(reviewedOn(reviewed), other, 'require');
  assert.deepEqual([decision.verdict, decision.unreviewed], ['refuse', ['web2']]);
});

test('a marker without host digests compares the whole plan: equal deploys, a remainder is refused', () => {
  const old = reviewedOn(REVIEWED);
  assert.equal(old.kind, 'comment');
  const marker = { ...old.marker, hosts: null };
  const review: Review = { ...old, marker };
  const all = decideReview(review, REVIEWED, 'require');
  assert.deepEqual([all.verdict, all.reviewed.length, all.done], ['deploy', 3, 0]);
  const left = planOf({ web1: 'v2', web2: 'v2' }, { web1: 'v2' });
  const refused = decideReview(review, left, 'require');
  assert.deepEqual([refused.verdict, refused.unreviewed, refused.done], ['refuse', ['web2'], null]);
  assert.equal(
    refused.problem,
    `The plan differs from the one reviewed on pull request #42 (${COMMENT}): reviewed ${marker.digest}, now ${planDigest(left)}; the store or the config tree changed since the review.`,
  );
});

test('without a reviewed plan every host is unreviewed, and the advice fits the reason', () => {
  const cases: [Review, RegExp, RegExp][] = [
    [{ kind: 'no-pull-request', sha: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85' }, /^No merged pull request found for commit c4295bd74f: there is no reviewed plan to compare with\.$/, /^Changes pushed without a pull request have no reviewed plan, and re-running this job is refused again\. To deploy the current plan, get it reviewed/],
    [{ kind: 'no-comment', pr: PR }, /^Pull request #42 has no deptool plan comment for this cluster/, /^Its plan job did not comment \(a pull request from a fork, `comment: off`, or no plan job\), so re-running this job is refused again\./],
    [{ kind: 'lookup-failed', error: 'Bad credentials' }, /^Could not look up the reviewed plan on GitHub \(Bad credentials\)\.$/, /^Re-run this job once GitHub answers; the job's `github-token` needs `pull-requests: read`\.$/],
  ];
  for (const [review, problem, advice] of cases) {
    const decision = decideReview(review, REVIEWED, 'require');
    assert.deepEqual([decision.verdict, decision.reviewed, decision.unreviewed, decision.done], ['refuse', [], ['web1', 'web2', 'web3'], null], review.kind);
    assert.match(decision.problem!, problem);
    assert.match(decision.advice!, advice);
  }
});

test('a plan with nothing to change is never refused, and says how much of the reviewed plan is done', () => {
  const nothing = planOf({ web1: 'v2', web2: 'v2', web3: 'v2' }, { web1: 'v2', web2: 'v2', web3: 'v2' });
  assert.equal(nothing.hosts.length, 0);
  assert.equal(decideReview({ kind: 'lookup-failed', error: 'timeout' }, nothing, 'require').verdict, 'deploy');
  const done = decideReview(reviewedOn(REVIEWED), nothing, 'require');
  assert.deepEqual([done.verdict, done.done], ['deploy', 3]);
  assert.equal(done.note, 'Nothing to deploy of the plan reviewed on pull request #42: 3 hosts of it are already up to date.');
});

test('asked again with a recomputed plan, only hosts whose new plan is not the reviewed one are refused', () => {
  const review = reviewedOn(REVIEWED);
  assert.equal(decideReview(review, REVIEWED, 'require').verdict, 'deploy');
  // The store learnt at lock time that web3 already has v2 (an interrupted run): it leaves the plan.
  const repairedDone = planOf({ web1: 'v2', web2: 'v2', web3: 'v2' }, { web3: 'v2' });
  const again = decideReview(review, repairedDone, 'require');
  assert.deepEqual([again.verdict, again.reviewed, again.done], ['deploy', ['web1', 'web2'], 1]);
  // The store learnt that web2 runs v0, not v1: its corrected plan is not the reviewed one.
  const repairedOther = planOf({ web1: 'v2', web2: 'v2', web3: 'v2' }, { web2: 'v0' });
  const refused = decideReview(review, repairedOther, 'require');
  assert.deepEqual([refused.verdict, refused.reviewed, refused.unreviewed], ['refuse', ['web1', 'web3'], ['web2']]);
  assert.deepEqual(decideReview(review, repairedOther, 'warn').unreviewed, ['web2']);
});

test('messages name at most ten hosts', () => {
  const many = planOf(Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`h${String(i).padStart(2, '0')}`, 'v2'])));
  const decision = decideReview(reviewedOn(REVIEWED), many, 'require');
  assert.match(decision.problem!, /on 14 hosts: `h00`, `h01`, .*`h09` and 4 more \(/);
  assert.ok(!decision.problem!.includes('h10'));
});

test("the comment's notes say what a refusal or a deploy means for the reviewed plan, longest first", () => {
  const current = planOf({ web1: 'v2', web2: 'v3', web3: 'v2' });
  const refused = decideReview(reviewedOn(REVIEWED), current, 'require');
  const [long, short] = refusalNotes(refused, RUN);
  assert.equal(long, `⛔ **Not deployed** by [this run](${RUN}): it differs from this reviewed plan on 1 host: \`web2\`. This comment keeps the reviewed plan, so re-running that job is refused again while the plan differs; the run's summary shows the current plan and how to get it reviewed.`);
  assert.ok(short.length < long.length && !short.includes('web2'));

  const outcome = '❌ **Deploy did not succeed** in [this run](…) (1 rolled back: `web2`).';
  const left = decideReview(reviewedOn(REVIEWED), planOf({ web1: 'v2', web2: 'v2', web3: 'v2' }, { web1: 'v2', web3: 'v2' }), 'require');
  assert.deepEqual(deployNotes(left, outcome, true), [
    `${outcome} It deployed what was left of this plan: 2 hosts of it were already up to date. Re-running the job deploys this plan to the hosts that did not succeed, once what made them fail is fixed.`,
    outcome,
  ]);
  assert.deepEqual(deployNotes(decideReview(reviewedOn(REVIEWED), REVIEWED, 'require'), '✅ done', false), ['✅ done']);
  const warned = deployNotes(decideReview(reviewedOn(REVIEWED), current, 'warn'), outcome, true);
  assert.equal(warned[0], `${outcome} ⚠️ What it deployed is not this reviewed plan on 1 host: \`web2\`.`, 're-running deploys whatever the plan is then, not this one');
});
