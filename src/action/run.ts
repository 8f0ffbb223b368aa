// The Action: plan on pull requests, deploy on pushes to the default branch, roll back on
// workflow_dispatch. The only place that turns an outcome into setFailed.
import { relative, resolve, isAbsolute } from 'node:path';
import * as core from '@actions/core';
import { Deployer, type ContentReader, type HostOutcome } from '../deploy/deploy.js';
import { exitCodeOf, nothingChanged, resultsOf } from '../deploy/outcome.js';
import { DeptoolError, ExitCode, UsageError } from '../errors.js';
import { planDigest, renderJson } from '../plan/json.js';
import { loadDeployed, loadPlanContents, movedSincePlan, treeReader } from '../plan/load.js';
import { makePlan } from '../plan/plan.js';
import { planRollback } from '../plan/rollback.js';
import type { Plan, PlanContents } from '../plan/types.js';
import { JOB_SUMMARY_BUDGET, parsePlanMarker, renderMarkdown } from '../render/markdown.js';
import { sensitiveFiles, type IsSensitive } from '../render/sensitive.js';
import { attemptFromPlan } from '../store/from-plan.js';
import { checkPushAccess, publish } from '../store/remote.js';
import { loadCluster, type LoadedCluster } from '../tree/load.js';
import type { ClusterSnapshot } from '../tree/types.js';
import { actionConnector } from './connect.js';
import { LogObserver } from './progress.js';
import { readContext, type RunContext } from './context.js';
import { ForbiddenError, GitHubApi, type Comment, type MergedPull } from './github.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { annotations, failedUnits, outcomeHeader, outcomeMarkdown, type OutcomeSummary } from './report.js';
import { openActionStore, type ActionStore } from './store.js';

type Mode = 'plan' | 'deploy' | 'rollback';

interface Setup {
  readonly inputs: ActionInputs;
  readonly context: RunContext;
  readonly api: GitHubApi;
  readonly cluster: LoadedCluster;
  /** The cluster directory relative to the workspace, as annotations name files. */
  readonly clusterPath: string;
  readonly store: ActionStore;
  readonly deployed: ClusterSnapshot;
}

interface Finished {
  readonly code: number;
  readonly message: string;
}

function modeOf(inputs: ActionInputs, context: RunContext): Mode {
  if (inputs.mode !== 'auto') return inputs.mode;
  switch (context.eventName) {
    case 'pull_request':
    case 'pull_request_target':
      return 'plan';
    case 'push': {
      const defaultRef = context.defaultBranch === null ? null : `refs/heads/${context.defaultBranch}`;
      if (defaultRef !== null && context.ref !== defaultRef) {
        core.notice(`This push is to ${context.ref}, not the default branch ${context.defaultBranch}: showing the plan only. Set mode: deploy to deploy from it.`);
        return 'plan';
      }
      return 'deploy';
    }
    case 'workflow_dispatch':
      return 'rollback';
    default:
      throw new UsageError(`deptool does not know what to do on '${context.eventName}' events with mode: auto. Run it on pull_request, push or workflow_dispatch, or set mode: plan, deploy or rollback.`);
  }
}

async function setUp(inputs: ActionInputs, context: RunContext): Promise<Setup> {
  const dir = resolve(context.workspace, inputs.cluster);
  const clusterPath = relative(context.workspace, dir);
  if (clusterPath.startsWith('..') || isAbsolute(clusterPath)) {
    throw new UsageError(`Input 'cluster' must be a directory inside the workspace (${context.workspace}), not '${inputs.cluster}'.`);
  }
  const cluster = await loadCluster(dir, { cwd: context.workspace });
  const store = await openActionStore(context, inputs);
  const deployed = await loadDeployed(store.store, await store.store.readTree(store.base));
  core.info(`Store: branch ${inputs.storeBranch} at ${store.base === null ? '(new)' : store.base.slice(0, 10)}.`);
  return { inputs, context, api: new GitHubApi(inputs.githubToken, context), cluster, clusterPath: clusterPath || '.', store, deployed };
}

/** A plan with what every rendering of it needs. */
interface Rendered {
  readonly plan: Plan;
  readonly digest: string;
  readonly contents: PlanContents;
  /** What the hosts run afterwards: its permissions can make files secret. */
  readonly desired: ClusterSnapshot;
}

/** Sets the plan outputs and reads the changed files' contents for the comment and the summary. */
async function planned(setup: Setup, plan: Plan, readNew: ContentReader, desired: ClusterSnapshot): Promise<Rendered> {
  const digest = planDigest(plan);
  core.setOutput('plan-json', renderJson(plan));
  core.setOutput('digest', digest);
  core.setOutput('changed', plan.hosts.length > 0 ? 'true' : 'false');
  return { plan, digest, contents: await loadPlanContents(plan, setup.store.store, readNew), desired };
}

/** Files whose content the comment and the summary never show: by the input's and deptool.json's globs, or made secret by permissions. */
function sensitiveOf(setup: Setup, desired: ClusterSnapshot): IsSensitive {
  return sensitiveFiles([...setup.inputs.sensitivePaths, ...setup.cluster.settings.sensitivePaths], [setup.deployed, desired]);
}

/** The plan comment's body, under GitHub's comment limit. */
function commentMarkdown(setup: Setup, { plan, contents, digest, desired }: Rendered, header?: string): string {
  return renderMarkdown(plan, contents, { sensitive: sensitiveOf(setup, desired), digest, header });
}

/** Writes the job summary once: `before` (an outcome), then the plan in the rest of the 1 MiB. */
async function writeSummary(setup: Setup, { plan, contents, digest, desired }: Rendered, options: { before?: string; header?: string } = {}): Promise<void> {
  const before = options.before === undefined ? '' : `${options.before}\n`;
  const budget = JOB_SUMMARY_BUDGET - Buffer.byteLength(before);
  const markdown = renderMarkdown(plan, contents, { sensitive: sensitiveOf(setup, desired), digest, header: options.header, budget, unit: 'utf8', fullPlanAt: null });
  await core.summary.addRaw(before + markdown).write();
}

/** Posts or updates the sticky comment; a token that may not comment gets a notice, not a failure. */
async function postComment(setup: Setup, issue: number, body: string, existing: Comment | null): Promise<void> {
  const { api, inputs } = setup;
  if (inputs.comment === 'off') return;
  if (inputs.comment === 'update' && existing?.body === body) {
    core.info(`Plan comment unchanged: ${existing.url}`);
    return;
  }
  try {
    const comment = inputs.comment === 'update' && existing !== null ? await api.updateComment(existing.id, body) : await api.createComment(issue, body);
    core.info(`Plan comment: ${comment.url}`);
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    core.notice(`Could not comment on pull request #${issue}: ${error.message} (a fork's token is read-only; otherwise grant 'pull-requests: write'). The plan is in the job summary.`);
  }
}

async function planMode(setup: Setup): Promise<Finished> {
  const { cluster, store, deployed, context, inputs } = setup;
  const rendered = await planned(setup, makePlan({ cluster: cluster.tree.cluster, base: store.base, deployed, desired: cluster.tree.hosts }), treeReader(cluster.tree.dir), cluster.tree.hosts);
  core.info(`Plan: ${rendered.plan.hosts.length} host(s) to change, digest ${rendered.digest}.`);
  await writeSummary(setup, rendered);
  const pr = context.pullRequest;
  if (pr !== null && inputs.comment !== 'off') {
    if (pr.fromFork) {
      core.notice(`Pull request #${pr.number} comes from a fork, whose token cannot comment: the plan is in the job summary.`);
    } else {
      const existing = inputs.comment === 'update' ? await setup.api.findPlanComment(pr.number, cluster.tree.cluster) : null;
      await postComment(setup, pr.number, commentMarkdown(setup, rendered), existing);
    }
  }
  return { code: ExitCode.ok, message: '' };
}

/** The merged pull request of the pushed commit and its plan comment, or why they could not be looked up. */
async function reviewedPlan(api: GitHubApi, sha: string, cluster: string): Promise<{ pr: MergedPull | null; reviewed: Comment | null; lookupError: string | null }> {
  try {
    const pr = await api.mergedPullFor(sha);
    return { pr, reviewed: pr === null ? null : await api.findPlanComment(pr.number, cluster), lookupError: null };
  } catch (error) {
    // Without the reviewed plan the deploy is unreviewed, which require-reviewed-plan decides on; it is no crash.
    return { pr: null, reviewed: null, lookupError: `Could not look up the reviewed plan on GitHub (${error instanceof Error ? error.message : String(error)}); grant 'pull-requests: read'.` };
  }
}

/** Why the deploy's plan is not the reviewed one, or null when it is. */
function reviewProblem(pr: MergedPull | null, reviewed: Comment | null, digest: string, sha: string): string | null {
  if (pr === null) return `No merged pull request found for commit ${sha.slice(0, 10)}: there is no reviewed plan to compare with.`;
  if (reviewed === null) return `Pull request #${pr.number} has no deptool plan comment for this cluster: the plan was not reviewed there.`;
  const marker = parsePlanMarker(reviewed.body);
  if (marker?.digest !== digest) {
    return `The plan differs from the one reviewed on pull request #${pr.number} (reviewed ${marker?.digest ?? 'unknown'}, now ${digest}): the store or the config tree changed since the review.`;
  }
  return null;
}

interface HostRun {
  readonly plan: Plan;
  readonly desired: ClusterSnapshot;
  readonly content: ContentReader;
  readonly dryRun: boolean;
}

async function deployHosts(setup: Setup, run: HostRun): Promise<{ outcomes: HostOutcome[]; seconds: number }> {
  const { cluster, inputs, context, store } = setup;
  const started = performance.now();
  const connector = actionConnector(cluster.tree, cluster.settings, inputs, run.plan.hosts.map((h) => h.host));
  const deployer = new Deployer({
    plan: run.plan,
    desired: run.desired,
    content: run.content,
    deployed: setup.deployed,
    targets: connector.targets,
    connect: connector.connect,
    invocation: connector.invocation,
    holder: context.runUrl,
    settleMs: Math.round(inputs.settleSeconds * 1000),
    parallel: inputs.parallel,
    allowDegraded: false,
    activationTimeoutSeconds: 300,
    dryRun: run.dryRun,
    observer: new LogObserver(),
    recheck: () => movedSincePlan(store.store, store.ref, run.plan, setup.deployed),
  });
  const outcomes = await core.group(`${run.dryRun ? 'Checking' : 'Deploying to'} ${run.plan.hosts.length} host(s)`, () => deployer.run());
  return { outcomes, seconds: (performance.now() - started) / 1000 };
}

function resultJson(outcomes: readonly HostOutcome[]): string {
  return JSON.stringify(
    outcomes.map((o) => ({
      host: o.host,
      status: o.status,
      problems: o.problems,
      units: o.activation?.units.map((u) => ({ unit: u.unit, active_state: u.activeState, sub_state: u.subState, result: u.result })) ?? [],
    })),
  );
}

/** Records the attempt and pushes the store branch, even after a partial failure; returns the commit, or why it could not. */
async function record(setup: Setup, plan: Plan, desired: ClusterSnapshot, sourceDir: string | null, outcomes: readonly HostOutcome[], extra: { title?: string; pullRequest?: string }): Promise<{ commit: string | null; error: string | null }> {
  if (nothingChanged(outcomes)) return { commit: null, error: null };
  const { context, store } = setup;
  const attempt = attemptFromPlan(plan, desired, sourceDir, {
    ref: store.ref,
    author: { name: context.actor, email: `${context.actor}@users.noreply.github.com` },
    results: resultsOf(outcomes),
    trailers: { planDigest: planDigest(plan), runUrl: context.runUrl, pullRequest: extra.pullRequest, actor: context.actor },
  });
  try {
    const published = await publish(store.store, store.remote, extra.title ? { ...attempt, title: extra.title } : attempt);
    core.info(`Store: pushed ${published.commit.slice(0, 10)} to ${store.remote.branch}${published.tries > 1 ? ` after ${published.tries} tries (another run pushed first)` : ''}.`);
    core.setOutput('store-commit', published.commit);
    return { commit: published.commit, error: null };
  } catch (error) {
    return { commit: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Annotations, outputs and the exit status of a finished deploy or rollback. */
function conclude(setup: Setup, summary: OutcomeSummary, snapshots: readonly ClusterSnapshot[], storeError: string | null): { finished: Finished; outcome: string } {
  const { outcomes } = summary;
  core.setOutput('result-json', resultJson(outcomes));
  const units = failedUnits(outcomes, setup.clusterPath, snapshots);
  for (const annotation of annotations(outcomes, units)) core.error(annotation.message, { title: annotation.title, file: annotation.file });
  let outcome = outcomeMarkdown(summary, units);
  let code: number = exitCodeOf(outcomes);
  const failed = outcomes.filter((o) => o.status !== 'deployed' && o.status !== 'unchanged');
  let message = failed.length === 0 ? '' : `${summary.verb} did not succeed on ${failed.length} of ${outcomes.length} host(s): ${failed.map((o) => `${o.host} ${o.status}`).join(', ')}.`;
  if (storeError !== null) {
    outcome += `\n### The store branch was not pushed\n\n${storeError.split('\n').join('  \n')}\n`;
    message = `${message} The store was not pushed: ${storeError}`.trim();
    code = ExitCode.failed;
  }
  return { finished: { code, message }, outcome };
}

async function deployMode(setup: Setup): Promise<Finished> {
  const { cluster, store, deployed, context, inputs, api } = setup;
  const rendered = await planned(setup, makePlan({ cluster: cluster.tree.cluster, base: store.base, deployed, desired: cluster.tree.hosts }), treeReader(cluster.tree.dir), cluster.tree.hosts);
  const { plan, digest } = rendered;
  const { pr, reviewed, lookupError } = await reviewedPlan(api, context.sha, cluster.tree.cluster);
  const problem = plan.hosts.length === 0 ? null : (lookupError ?? reviewProblem(pr, reviewed, digest, context.sha));

  if (problem !== null && inputs.requireReviewedPlan) {
    const refusal = `⛔ **Not deployed**: ${problem} \`require-reviewed-plan\` is on; open a pull request to review the current plan.`;
    await writeSummary(setup, rendered, { header: refusal });
    if (pr !== null) await postComment(setup, pr.number, commentMarkdown(setup, rendered, `${refusal} ([run](${context.runUrl}))`), reviewed);
    return { code: ExitCode.failed, message: `Not deployed: ${problem}` };
  }
  if (problem !== null) core.warning(problem, { title: 'Deploying a plan that was not reviewed' });
  if (plan.hosts.length === 0) {
    await writeSummary(setup, rendered);
    return { code: ExitCode.ok, message: '' };
  }

  await checkPushAccess(store.store, store.remote, store.base);
  const { outcomes, seconds } = await deployHosts(setup, { plan, desired: cluster.tree.hosts, content: treeReader(cluster.tree.dir), dryRun: false });
  const stored = await record(setup, plan, cluster.tree.hosts, cluster.tree.dir, outcomes, { pullRequest: pr?.url });
  const summary: OutcomeSummary = { verb: 'Deploy', outcomes, seconds, runUrl: context.runUrl, storeCommit: stored.commit };
  const { finished, outcome } = conclude(setup, summary, [cluster.tree.hosts, deployed], stored.error);
  await writeSummary(setup, rendered, { before: outcome });
  if (pr !== null) {
    // The hosts and the store are done: a failing comment update must not turn the outcome into a failure.
    await postComment(setup, pr.number, commentMarkdown(setup, rendered, outcomeHeader(summary)), reviewed).catch((error: unknown) => {
      core.warning(`Could not update the plan comment on pull request #${pr.number}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  return finished;
}

async function rollbackMode(setup: Setup): Promise<Finished> {
  const { cluster, store, deployed, context, inputs } = setup;
  if (inputs.hosts.length === 0) throw new UsageError("Input 'hosts' is required to roll back: the hosts to put back (comma-separated).");
  const rollback = await planRollback({ store: store.store, ref: store.ref, cluster: cluster.tree.cluster, base: store.base, deployed, hosts: inputs.hosts, apps: inputs.apps, to: inputs.to });
  const { plan } = rollback;
  const rendered = await planned(setup, plan, rollback.content, rollback.desired);
  if (plan.hosts.length === 0) {
    await writeSummary(setup, rendered);
    return { code: ExitCode.ok, message: '' };
  }
  if (!inputs.dryRun) await checkPushAccess(store.store, store.remote, store.base);
  const { outcomes, seconds } = await deployHosts(setup, { plan, desired: rollback.desired, content: rollback.content, dryRun: inputs.dryRun });
  if (inputs.dryRun) {
    const refused = outcomes.filter((o) => o.status === 'refused');
    const verdict = refused.length === 0 ? `Dry run: every check passed on ${outcomes.length} host(s); nothing was changed.` : `Dry run: ${refused.length} host(s) would refuse the rollback.`;
    const table = outcomeMarkdown({ verb: 'Dry run', outcomes, seconds, runUrl: context.runUrl, storeCommit: null }, []);
    await writeSummary(setup, rendered, { before: `${table}\n${verdict}\n` });
    return { code: refused.length === 0 ? ExitCode.ok : ExitCode.failed, message: refused.length === 0 ? '' : `${verdict} ${refused.map((o) => `${o.host}: ${o.problems.join('; ')}`).join(' ')}` };
  }
  const stored = await record(setup, plan, rollback.desired, null, outcomes, { title: rollback.title });
  const summary: OutcomeSummary = { verb: 'Rollback', outcomes, seconds, runUrl: context.runUrl, storeCommit: stored.commit };
  const { finished, outcome } = conclude(setup, summary, [rollback.desired, deployed], stored.error);
  await writeSummary(setup, rendered, { before: outcome });
  return finished;
}

const MODE_RUNNERS: Record<Mode, (setup: Setup) => Promise<Finished>> = { plan: planMode, deploy: deployMode, rollback: rollbackMode };

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    const context = readContext();
    const mode = modeOf(inputs, context);
    core.info(`deptool: ${mode} for cluster '${inputs.cluster}' (${context.eventName} event).`);
    const finished = await MODE_RUNNERS[mode](await setUp(inputs, context));
    if (finished.code !== ExitCode.ok) core.setFailed(finished.message);
  } catch (error) {
    core.setFailed(error instanceof DeptoolError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}
