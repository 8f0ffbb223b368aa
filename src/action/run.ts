// The Action: plan on pull requests, deploy on pushes to the default branch, roll back on
// workflow_dispatch. The only place that turns an outcome into setFailed.
import { relative, resolve, isAbsolute } from 'node:path';
import * as core from '@actions/core';
import { applyPlan, type ApplyResult, type ApplyTarget } from '../deploy/apply.js';
import { Deployer, type ContentReader } from '../deploy/deploy.js';
import { exitCodeOf, outcomesJson } from '../deploy/outcome.js';
import { syncHosts, type SyncResult } from '../deploy/sync.js';
import { deployTarget, replanner, rollbackTarget } from '../deploy/targets.js';
import { DeptoolError, ExitCode, UsageError } from '../errors.js';
import { planDigest, renderJson } from '../plan/json.js';
import { loadClusterState, loadPlanContents, treeReader, type ClusterState } from '../plan/load.js';
import type { Plan, PlanContents } from '../plan/types.js';
import { markdownTable } from 'markdown-table';
import { JOB_SUMMARY_BUDGET, codeSpan, escapeHtml, parsePlanMarker, renderMarkdown, withStatusNote } from '../render/markdown.js';
import { sensitiveFiles, type IsSensitive } from '../render/sensitive.js';
import { checkPushAccess, publish } from '../store/remote.js';
import type { RolloutPolicy } from '../tree/rollout.js';
import { DEFAULT_CONFIRM_TIMEOUT } from '../tree/settings.js';
import type { ClusterSnapshot } from '../tree/types.js';
import { actionConnector } from './connect.js';
import { LogObserver } from './progress.js';
import { readContext, type RunContext } from './context.js';
import { ForbiddenError, GitHubApi, type Comment, type MergedPull } from './github.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { annotations, failedChecks, failedUnits, outcomeHeader, outcomeMarkdown, type OutcomeSummary } from './report.js';
import { decideReview, deployNotes, refusalNotes, type Review, type ReviewDecision } from './review.js';
import { openActionStore, type ActionStore } from './store.js';

type Mode = 'plan' | 'deploy' | 'rollback' | 'sync';

interface Setup {
  readonly inputs: ActionInputs;
  readonly context: RunContext;
  readonly api: GitHubApi;
  readonly cluster: ClusterState;
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
  const store = await openActionStore(context, inputs);
  const state = await loadClusterState(store.store, store.ref, dir, context.workspace);
  core.info(`Store: branch ${inputs.storeBranch} at ${store.base === null ? '(new)' : store.base.slice(0, 10)}.`);
  return { inputs, context, api: new GitHubApi(inputs.githubToken, context), cluster: state, clusterPath: clusterPath || '.', store, deployed: state.deployed };
}

/** deptool.json's rollout, with each input given in its place. */
function rolloutOf(setup: Setup): RolloutPolicy {
  const { rollout } = setup.cluster.settings;
  const { canary, batch, maxFailed, pause } = setup.inputs.rollout;
  return { canary: canary ?? rollout.canary, batch: batch ?? rollout.batch, maxFailed: maxFailed ?? rollout.maxFailed, pause: pause ?? rollout.pause };
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
  const rendered = await planned(setup, deployTarget(cluster.tree, deployed, store.base, { rollout: rolloutOf(setup) }).plan, treeReader(cluster.tree.dir), cluster.tree.hosts);
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

/** The merged pull request of the pushed commit and its plan comment (the reviewed plan), or why there is none; `comment` is set only with a 'comment' review. */
async function reviewedPlan(api: GitHubApi, sha: string, cluster: string): Promise<{ review: Review; comment: Comment | null }> {
  try {
    const pr = await api.mergedPullFor(sha);
    if (pr === null) return { review: { kind: 'no-pull-request', sha }, comment: null };
    const comment = await api.findPlanComment(pr.number, cluster);
    const marker = comment === null ? null : parsePlanMarker(comment.body);
    if (comment === null || marker === null) return { review: { kind: 'no-comment', pr }, comment: null };
    return { review: { kind: 'comment', pr, url: comment.url, marker }, comment };
  } catch (error) {
    // Without the reviewed plan the deploy is unreviewed, which require-reviewed-plan decides on; it is no crash.
    return { review: { kind: 'lookup-failed', error: error instanceof Error ? error.message : String(error) }, comment: null };
  }
}

/**
 * Replaces the status note of the reviewed plan's comment. Its marker and plan stay: only the
 * plan job writes them, so what the next run compares with is always what was reviewed.
 */
async function postStatus(setup: Setup, pr: MergedPull | null, comment: Comment | null, notes: readonly string[]): Promise<void> {
  if (pr === null || comment === null) return;
  await postComment(setup, pr.number, withStatusNote(comment.body, notes), comment);
}

/**
 * Ctrl-C of a runner's cancel (SIGINT, then SIGTERM): the first stops starting hosts and lets
 * the activations in flight finish and be recorded; the runner kills the job after that.
 */
function onCancel(listener: () => void): () => void {
  let heard = false;
  const handler = () => {
    if (heard) return;
    heard = true;
    core.warning('The run was cancelled: no new host starts; the activations in flight finish and are recorded.');
    listener();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

interface HostRun {
  readonly target: ApplyTarget;
  readonly replan: (deployed: ClusterSnapshot, base: string | null) => Promise<ApplyTarget>;
  readonly dryRun: boolean;
  readonly pullRequest?: string;
  /** Whether a plan corrected at lock time (hosts read back into the store) may be applied. */
  readonly approveCorrected: (target: ApplyTarget) => Promise<boolean>;
}

/** The shared apply flow with the Action's inputs, log and store branch. */
async function applyHosts(setup: Setup, run: HostRun): Promise<ApplyResult> {
  const { cluster, inputs, context, store } = setup;
  const connector = actionConnector(cluster.tree, cluster.settings, inputs, run.target.plan.hosts.map((h) => h.host));
  const log = new LogObserver();
  const controller = new AbortController();
  const stop = onCancel(() => controller.abort());
  try {
    return await core.group(`${run.dryRun ? 'Checking' : 'Deploying to'} ${run.target.plan.hosts.length} host(s)`, () =>
      applyPlan(
        {
          store: store.store,
          ref: store.ref,
          deployed: setup.deployed,
          targets: connector.targets,
          deployer: new Deployer({
            targets: connector.targets,
            connect: connector.connect,
            invocation: connector.invocation,
            holder: context.runUrl,
            activationTimeoutSeconds: 300,
            reconnectSeconds: 60,
            observer: log,
            signal: controller.signal,
            confirm: { timeoutSeconds: inputs.confirmTimeout ?? cluster.settings.confirmTimeout ?? DEFAULT_CONFIRM_TIMEOUT },
          }),
          settings: { settleMs: Math.round(inputs.settleSeconds * 1000), parallel: inputs.parallel, allowDegraded: false, dryRun: run.dryRun, overwriteDrift: false },
          signal: controller.signal,
          observer: {
            phase: (host, phase, detail) => log.phase(host, phase, detail),
            notice: (host, message) => log.notice(host, message),
            activated: (host, report) => log.activated(host, report),
            synced: (hosts, commit) => core.notice(`The store did not know what ${hosts.map((h) => h.host).join(', ')} ran; recorded it as store commit ${commit.slice(0, 10)}:\n${hosts.map((h) => `${h.host}: ${h.detail}`).join('\n')}`, { title: 'Hosts read back into the store' }),
          },
          author: { name: context.actor, email: `${context.actor}@users.noreply.github.com` },
          trailers: { runUrl: context.runUrl, pullRequest: run.pullRequest, actor: context.actor },
          record: async (attempt) => {
            const published = await publish(store.store, store.remote, attempt);
            core.info(`Store: pushed ${published.commit.slice(0, 10)} to ${store.remote.branch}${published.tries > 1 ? ` after ${published.tries} tries (another run pushed first)` : ''}.`);
            core.setOutput('store-commit', published.commit);
            return published.commit;
          },
          replan: run.replan,
          approve: (target, stage) => (stage === 'initial' ? Promise.resolve(true) : run.approveCorrected(target)),
        },
        run.target,
      ),
    );
  } finally {
    stop();
  }
}

/** Annotations, outputs and the exit status of a finished deploy or rollback. */
function conclude(setup: Setup, summary: OutcomeSummary, snapshots: readonly ClusterSnapshot[], storeError: string | null, interrupted: boolean): { finished: Finished; outcome: string } {
  const { outcomes } = summary;
  core.setOutput('result-json', JSON.stringify(outcomesJson(outcomes, summary.rollout)));
  const units = failedUnits(outcomes, setup.clusterPath, snapshots);
  const checks = failedChecks(outcomes, setup.clusterPath);
  for (const annotation of annotations(outcomes, units, checks)) core.error(annotation.message, { title: annotation.title, file: annotation.file });
  let outcome = outcomeMarkdown(summary, units, checks);
  let code: number = summary.stopped ? ExitCode.rolloutStopped : exitCodeOf(outcomes);
  const failed = outcomes.filter((o) => o.status !== 'deployed' && o.status !== 'unchanged');
  let message = failed.length === 0 ? '' : `${summary.verb} did not succeed on ${failed.length} of ${outcomes.length} host(s): ${failed.map((o) => `${o.host} ${o.status}`).join(', ')}.`;
  if (summary.stopped) message = `${message} The rollout stopped by its failure budget.`.trim();
  if (interrupted) {
    message = `The run was cancelled: ${outcomes.filter((o) => o.status === 'deployed').length} of ${outcomes.length} host(s) deployed, the rest not started. ${message}`.trim();
    code = ExitCode.interrupted;
  }
  if (storeError !== null) {
    outcome += `\n### The store branch was not pushed\n\n${storeError.split('\n').join('  \n')}\n`;
    message = `${message} The store was not pushed: ${storeError}`.trim();
    code = ExitCode.failed;
  }
  return { finished: { code, message }, outcome };
}

async function deployMode(setup: Setup): Promise<Finished> {
  const { cluster, store, deployed, context, inputs, api } = setup;
  const rendered = await planned(setup, deployTarget(cluster.tree, deployed, store.base, { rollout: rolloutOf(setup) }).plan, treeReader(cluster.tree.dir), cluster.tree.hosts);
  const { plan } = rendered;
  const { review, comment } = await reviewedPlan(api, context.sha, cluster.tree.cluster);
  const pr = review.kind === 'comment' || review.kind === 'no-comment' ? review.pr : null;
  const decision = decideReview(review, plan, inputs.requireReviewedPlan ? 'require' : 'warn');

  if (decision.verdict === 'refuse') {
    const why = `${decision.problem} \`require-reviewed-plan\` is on. ${decision.advice}`;
    await writeSummary(setup, rendered, { header: `⛔ **Not deployed**: ${why}` });
    await postStatus(setup, pr, comment, refusalNotes(decision, context.runUrl));
    return { code: ExitCode.failed, message: `Not deployed: ${why}` };
  }
  if (decision.verdict === 'warn') core.warning(decision.problem!, { title: 'Deploying a plan that was not reviewed' });
  if (decision.note !== null) core.info(decision.note);
  if (plan.hosts.length === 0) {
    await writeSummary(setup, rendered);
    return { code: ExitCode.ok, message: '' };
  }

  await checkPushAccess(store.store, store.remote, store.base);
  const target = deployTarget(cluster.tree, deployed, store.base, { rollout: rolloutOf(setup) });
  let corrected: ReviewDecision | null = null;
  const result = await applyHosts(setup, {
    target,
    dryRun: false,
    pullRequest: pr?.url,
    replan: replanner(target, (next, base, hosts) => deployTarget(cluster.tree, next, base, { limit: hosts, rollout: rolloutOf(setup) })),
    // Hosts read back into the store at lock time may plan differently: the same review decides.
    approveCorrected: (next) => {
      corrected = decideReview(review, next.plan, inputs.requireReviewedPlan ? 'require' : 'warn');
      if (corrected.verdict === 'warn') core.warning(`After the store recorded what the hosts run: ${corrected.problem!}`, { title: 'Deploying a plan that was not reviewed' });
      return Promise.resolve(corrected.verdict !== 'refuse');
    },
  });
  const applied = result.target === target ? rendered : await planned(setup, result.target.plan, treeReader(cluster.tree.dir), result.target.desired);
  const synced = result.synced === null ? '' : `The store did not know what ${result.synced.hosts.map((h) => h.host).join(', ')} ran; store commit ${result.synced.commit.slice(0, 10)} records it. `;
  if (result.declined && corrected !== null) {
    const decision: ReviewDecision = corrected;
    const why = `${synced}${decision.problem} \`require-reviewed-plan\` is on. ${decision.advice}`;
    await writeSummary(setup, applied, { header: `⛔ **Not deployed**: ${why}` });
    await postStatus(setup, pr, comment, refusalNotes(decision, context.runUrl));
    return { code: ExitCode.failed, message: `Not deployed: ${why}` };
  }
  const summary: OutcomeSummary = { verb: 'Deploy', outcomes: result.outcomes, seconds: result.seconds, runUrl: context.runUrl, storeCommit: result.commit, synced: result.synced, rollout: result.target.plan.rollout, stopped: result.stopped };
  const { finished, outcome } = conclude(setup, summary, [cluster.tree.hosts, deployed], result.recordError, result.interrupted);
  await writeSummary(setup, applied, { before: outcome });
  const resumable = result.recordError === null && result.outcomes.some((o) => o.status !== 'deployed' && o.status !== 'unchanged');
  // The hosts and the store are done: a failing comment update must not turn the outcome into a failure.
  await postStatus(setup, pr, comment, deployNotes(corrected ?? decision, `${synced}${outcomeHeader(summary)}`, resumable)).catch((error: unknown) => {
    core.warning(`Could not update the plan comment on pull request #${pr?.number}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return finished;
}

async function rollbackMode(setup: Setup): Promise<Finished> {
  const { cluster, store, deployed, context, inputs } = setup;
  if (inputs.hosts.length === 0) throw new UsageError("Input 'hosts' is required to roll back: the hosts to put back (comma-separated).");
  const request = { store: store.store, ref: store.ref, cluster: cluster.tree.cluster, base: store.base, deployed, hosts: inputs.hosts, apps: inputs.apps, to: inputs.to };
  const target = await rollbackTarget(request);
  const rendered = await planned(setup, target.plan, target.content, target.desired);
  if (target.plan.hosts.length === 0) {
    await writeSummary(setup, rendered);
    return { code: ExitCode.ok, message: '' };
  }
  if (!inputs.dryRun) await checkPushAccess(store.store, store.remote, store.base);
  const result = await applyHosts(setup, {
    target,
    dryRun: inputs.dryRun,
    replan: replanner(target, (next, base) => rollbackTarget({ ...request, deployed: next, base })),
    // A rollback is asked for by hand, for what the hosts run now: corrected, it is still that.
    approveCorrected: () => Promise.resolve(true),
  });
  const { outcomes, seconds } = result;
  const applied = result.target === target ? rendered : await planned(setup, result.target.plan, result.target.content, result.target.desired);
  if (inputs.dryRun) {
    // Checked, then tried against a scratch root on each host: a step that fails there refuses the host.
    const refused = outcomes.filter((o) => o.status === 'refused' || o.status === 'failed');
    const verdict = refused.length === 0 ? `Dry run: every check passed on ${outcomes.length} host(s); nothing was changed.` : `Dry run: ${refused.length} host(s) would refuse the rollback.`;
    const table = outcomeMarkdown({ verb: 'Dry run', outcomes, seconds, runUrl: context.runUrl, storeCommit: null, synced: result.synced }, []);
    await writeSummary(setup, applied, { before: `${table}\n${verdict}\n` });
    return { code: refused.length === 0 ? ExitCode.ok : ExitCode.failed, message: refused.length === 0 ? '' : `${verdict} ${refused.map((o) => `${o.host}: ${o.problems.join('; ')}`).join(' ')}` };
  }
  const summary: OutcomeSummary = { verb: 'Rollback', outcomes, seconds, runUrl: context.runUrl, storeCommit: result.commit, synced: result.synced };
  const { finished, outcome } = conclude(setup, summary, [result.target.desired, deployed], result.recordError, result.interrupted);
  await writeSummary(setup, applied, { before: outcome });
  return finished;
}

/** Records what the hosts run in the store branch: after a run that could not record, another operator's deploy, or hand edits. */
async function syncMode(setup: Setup): Promise<Finished> {
  const { cluster, store, deployed, context, inputs } = setup;
  const known = [...cluster.tree.hosts.keys()].sort();
  const unknown = inputs.hosts.filter((host) => !cluster.tree.hosts.has(host));
  if (unknown.length > 0) throw new UsageError(`Input 'hosts' names host(s) the cluster does not have: ${unknown.join(', ')}. Hosts: ${known.join(', ')}.`);
  const hosts = inputs.hosts.length > 0 ? [...inputs.hosts] : known;
  await checkPushAccess(store.store, store.remote, store.base);
  const connector = actionConnector(cluster.tree, cluster.settings, inputs, hosts);
  const log = new LogObserver();
  const controller = new AbortController();
  const stop = onCancel(() => controller.abort());
  let result: SyncResult;
  try {
    result = await core.group(`Reading ${hosts.length} host(s)`, () =>
      syncHosts(
        {
          store: store.store,
          ref: store.ref,
          base: store.base,
          deployed,
          tree: cluster.tree,
          targets: connector.targets,
          deployer: new Deployer({ targets: connector.targets, connect: connector.connect, invocation: connector.invocation, holder: context.runUrl, activationTimeoutSeconds: 300, reconnectSeconds: 60, observer: log, signal: controller.signal }),
          parallel: inputs.parallel,
          signal: controller.signal,
          observer: log,
          author: { name: context.actor, email: `${context.actor}@users.noreply.github.com` },
          trailers: { runUrl: context.runUrl, actor: context.actor },
          record: async (attempt) => {
            const published = await publish(store.store, store.remote, attempt);
            core.setOutput('store-commit', published.commit);
            return published.commit;
          },
        },
        hosts,
      ),
    );
  } finally {
    stop();
  }
  core.setOutput('result-json', JSON.stringify(result.hosts.map((h) => ({ host: h.host, status: h.status, problems: h.problems, detail: h.detail, accepted: h.accepted }))));
  const refused = result.hosts.filter((h) => h.status === 'refused' || h.status === 'skipped');
  for (const host of refused) core.error(host.problems.join('\n') || 'not read', { title: `${host.host}: not synced` });
  const rows = result.hosts.map((h) => [codeSpan(h.host), h.status, escapeHtml([h.detail, ...h.accepted.map((a) => `accepted: ${a}`), ...h.problems].filter(Boolean).join('; ')).replace(/\|/g, '\\|')]);
  const recorded = result.commit === null ? 'The store already matched every host read; nothing was recorded.' : `Recorded as store commit <code>${result.commit.slice(0, 10)}</code>.`;
  await core.summary.addRaw(`## deptool: sync\n\n${recorded}\n\n${markdownTable([['Host', 'Result', 'Detail'], ...rows])}\n`).write();
  if (result.interrupted) return { code: ExitCode.interrupted, message: 'The run was cancelled; the hosts read so far are recorded.' };
  return refused.length === 0 ? { code: ExitCode.ok, message: '' } : { code: ExitCode.failed, message: `Not synced: ${refused.map((h) => `${h.host}: ${h.problems.join('; ')}`).join(' ')}` };
}

const MODE_RUNNERS: Record<Mode, (setup: Setup) => Promise<Finished>> = { plan: planMode, deploy: deployMode, rollback: rollbackMode, sync: syncMode };

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
