// Whether a deploy carries out the plan reviewed on the merged pull request, host by host, and
// what the Action says about it. Pure functions: no GitHub call, no host contacted.
import { hostDigest, planDigest } from '../plan/json.js';
import type { HostPlan, Plan } from '../plan/types.js';
import { codeSpan, type PlanMarker } from '../render/markdown.js';
import type { MergedPull } from './github.js';

/** What the deploy compares its plan with, as the look-up on GitHub found it. */
export type Review =
  | { readonly kind: 'comment'; readonly pr: MergedPull; /** The plan comment's address. */ readonly url: string; readonly marker: PlanMarker }
  | { readonly kind: 'no-comment'; readonly pr: MergedPull }
  | { readonly kind: 'no-pull-request'; readonly sha: string }
  | { readonly kind: 'lookup-failed'; readonly error: string };

/** `require-reviewed-plan: true` is 'require'. */
export type ReviewPolicy = 'require' | 'warn';

export interface ReviewDecision {
  /** 'deploy': every host of the plan is reviewed (or none needs a change); otherwise the policy's answer. */
  readonly verdict: 'deploy' | 'warn' | 'refuse';
  /** Hosts of the plan whose plan is the one reviewed for them, in the plan's order. */
  readonly reviewed: readonly string[];
  /** Hosts of the plan whose plan is not (not in the reviewed plan, or planned differently), in the plan's order. */
  readonly unreviewed: readonly string[];
  /**
   * Hosts of the reviewed plan that no longer need a change (deployed by an earlier run of it).
   * Null when it cannot be told: some host is unreviewed, or the marker has no host digests.
   */
  readonly done: number | null;
  /** Why the plan is not the reviewed one, naming the hosts; null when it is. */
  readonly problem: string | null;
  /** With 'refuse': what re-running does and how to get the plan reviewed; null otherwise. */
  readonly advice: string | null;
  /** With 'deploy': what is deployed of the reviewed plan, for the log. */
  readonly note: string | null;
}

const SHOWN_HOSTS = 10;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** At most SHOWN_HOSTS names: the list goes into annotations and comments of bounded size. */
function hostList(hosts: readonly string[]): string {
  const shown = hosts.slice(0, SHOWN_HOSTS).map(codeSpan).join(', ');
  return hosts.length > SHOWN_HOSTS ? `${shown} and ${hosts.length - SHOWN_HOSTS} more` : shown;
}

const GET_REVIEWED =
  'To deploy the current plan, get it reviewed: open a pull request that changes the cluster directory (its plan comment shows the plan against the store as it is then, and merging it deploys that plan), or run the Action with `mode: deploy` and `require-reviewed-plan: false` to deploy it unreviewed.';

interface Comparison {
  readonly isReviewed: (host: HostPlan) => boolean;
  /** The reviewed plan's host digests, when known. */
  readonly reviewedDigests: readonly string[] | null;
  readonly problem: (unreviewed: readonly string[]) => string;
  readonly advice: string;
}

/** How the plan's hosts are told reviewed or not, and what to say when they are not. */
function compare(review: Review, plan: Plan, digests: ReadonlyMap<HostPlan, string>): Comparison {
  switch (review.kind) {
    case 'lookup-failed':
      return {
        isReviewed: () => false,
        reviewedDigests: null,
        problem: () => `Could not look up the reviewed plan on GitHub (${review.error}).`,
        advice: "Re-run this job once GitHub answers; the job's `github-token` needs `pull-requests: read`.",
      };
    case 'no-pull-request':
      return {
        isReviewed: () => false,
        reviewedDigests: null,
        problem: () => `No merged pull request found for commit ${review.sha.slice(0, 10)}: there is no reviewed plan to compare with.`,
        advice: `Changes pushed without a pull request have no reviewed plan, and re-running this job is refused again. ${GET_REVIEWED}`,
      };
    case 'no-comment':
      return {
        isReviewed: () => false,
        reviewedDigests: null,
        problem: () => `Pull request #${review.pr.number} has no deptool plan comment for this cluster: the plan was not reviewed there.`,
        advice: `Its plan job did not comment (a pull request from a fork, \`comment: off\`, or no plan job), so re-running this job is refused again. ${GET_REVIEWED}`,
      };
    case 'comment': {
      const { marker, pr, url } = review;
      const where = `the one reviewed on pull request #${pr.number} (${url})`;
      const advice = `That comment keeps the reviewed plan, so re-running this job is refused again while the plan differs from it. ${GET_REVIEWED}`;
      const digest = planDigest(plan);
      if (marker.digest === digest) return { isReviewed: () => true, reviewedDigests: [...digests.values()], problem: () => '', advice };
      if (marker.hosts === null) {
        return {
          isReviewed: () => false,
          reviewedDigests: null,
          problem: () => `The plan differs from ${where}: reviewed ${marker.digest}, now ${digest}; the store or the config tree changed since the review.`,
          advice,
        };
      }
      const reviewed = new Set(marker.hosts);
      return {
        isReviewed: (host) => reviewed.has(digests.get(host)!),
        reviewedDigests: marker.hosts,
        problem: (unreviewed) =>
          `The plan differs from ${where} on ${plural(unreviewed.length, 'host')}: ${hostList(unreviewed)} (not in the reviewed plan, or planned differently); the store or the config tree changed since the review.`,
        advice,
      };
    }
  }
}

/**
 * Decides whether `plan` may be deployed given `review`, the plan comment found on the merged
 * pull request (or why there is none), under `policy`.
 *
 * A host of `plan` is reviewed when its hostDigest is one the comment's marker lists (a marker
 * without host digests: when the whole plan's digest is the marker's). Hosts of the reviewed
 * plan that `plan` no longer has are `done`, so a re-run after a partial failure deploys what
 * is left of the reviewed plan. One unreviewed host makes the whole plan unreviewed: 'refuse'
 * under 'require', 'warn' under 'warn'. A plan with no host is always 'deploy'.
 *
 * It depends only on its arguments: call it again with the same `review` and a recomputed
 * plan (say, after the store was repaired at lock time) to learn which hosts' new plans are
 * no longer the reviewed ones; hosts the recomputation took out of the plan count as done.
 */
export function decideReview(review: Review, plan: Plan, policy: ReviewPolicy): ReviewDecision {
  const { isReviewed, reviewedDigests, problem, advice } = compare(review, plan, new Map(plan.hosts.map((h) => [h, hostDigest(plan, h)])));
  const reviewed = plan.hosts.filter(isReviewed).map((h) => h.host);
  const unreviewed = plan.hosts.filter((h) => !isReviewed(h)).map((h) => h.host);
  const done = reviewedDigests === null || unreviewed.length > 0 ? null : new Set(reviewedDigests).size - reviewed.length;
  if (unreviewed.length > 0) {
    const refuse = policy === 'require';
    return { verdict: refuse ? 'refuse' : 'warn', reviewed, unreviewed, done, problem: problem(unreviewed), advice: refuse ? advice : null, note: null };
  }
  return { verdict: 'deploy', reviewed, unreviewed, done, problem: null, advice: null, note: review.kind === 'comment' ? deployNote(review.pr, reviewed, done) : null };
}

function deployNote(pr: MergedPull, reviewed: readonly string[], done: number | null): string {
  const already = done === null || done === 0 ? '' : `${plural(done, 'host')} of it ${done === 1 ? 'is' : 'are'} already up to date`;
  if (reviewed.length === 0) return `Nothing to deploy of the plan reviewed on pull request #${pr.number}${already === '' ? '' : `: ${already}`}.`;
  if (already === '') return `Deploying the plan reviewed on pull request #${pr.number}.`;
  return `Deploying what is left of the plan reviewed on pull request #${pr.number} to ${plural(reviewed.length, 'host')}: ${hostList(reviewed)}; ${already}.`;
}

/** Status notes for the reviewed plan's comment when the deploy was refused, longest first (see withStatusNote). */
export function refusalNotes(decision: ReviewDecision, runUrl: string): string[] {
  const keeps = "This comment keeps the reviewed plan, so re-running that job is refused again while the plan differs; the run's summary shows the current plan and how to get it reviewed.";
  const which = `it differs from this reviewed plan on ${plural(decision.unreviewed.length, 'host')}`;
  return [
    `⛔ **Not deployed** by [this run](${runUrl}): ${which}: ${hostList(decision.unreviewed)}. ${keeps}`,
    `⛔ **Not deployed** by [this run](${runUrl}): ${which}. ${keeps}`,
  ];
}

/**
 * Status notes for the reviewed plan's comment after a deploy, longest first: `outcome` (the
 * deploy's outcome line) and what it means for the reviewed plan. `resumable`: some hosts did
 * not succeed and the store recorded the others, so a re-run deploys what is left.
 */
export function deployNotes(decision: ReviewDecision, outcome: string, resumable: boolean): string[] {
  const parts = [outcome];
  if (decision.verdict === 'warn') parts.push(`⚠️ What it deployed is not this reviewed plan on ${plural(decision.unreviewed.length, 'host')}: ${hostList(decision.unreviewed)}.`);
  if (decision.done !== null && decision.done > 0) parts.push(`It deployed what was left of this plan: ${plural(decision.done, 'host')} of it ${decision.done === 1 ? 'was' : 'were'} already up to date.`);
  if (resumable && decision.verdict === 'deploy') parts.push('Re-running the job deploys this plan to the hosts that did not succeed, once what made them fail is fixed.');
  return parts.length === 1 ? [outcome] : [parts.join(' '), outcome];
}
