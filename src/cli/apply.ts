// `deploy` and `rollback` on the command line: the shared apply flow (src/deploy/apply.ts)
// with the terminal's confirmation, live progress, Ctrl-C handling and the final lines.
import { userInfo, hostname as machineName } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { ExitCode, UsageError } from '../errors.js';
import { applyPlan, type ApplyResult, type ApplyTarget, type SyncReport } from '../deploy/apply.js';
import { Deployer, type HostOutcome } from '../deploy/deploy.js';
import { exitCodeOf, outcomesJson } from '../deploy/outcome.js';
import { planDigest } from '../plan/json.js';
import type { Store } from '../store/store.js';
import { amount, type Amount, type RolloutPolicy } from '../tree/rollout.js';
import type { ClusterSnapshot } from '../tree/types.js';
import { hostCount, renderText } from '../render/text.js';
import { DEFAULT_CONFIRM_TIMEOUT } from '../tree/settings.js';
import type { Parsed } from './args.js';
import { connector } from './connect.js';
import type { Planned } from './context.js';
import { useColor, type Io } from './io.js';
import { Progress } from './progress.js';

function amountOption(value: unknown, name: string, min: number): Amount | undefined {
  if (value === undefined) return undefined;
  const parsed = amount(value);
  if (parsed === null || ('count' in parsed && parsed.count < min)) {
    throw new UsageError(`--${name} takes a whole number of hosts from ${min}, or a percentage such as 25%, not '${typeof value === 'string' ? value : JSON.stringify(value)}'.`);
  }
  return parsed;
}

/** The rollout policy: deptool.json's, with each option given on the command line in its place. */
export function rolloutPolicy(args: Parsed, fromSettings: RolloutPolicy): RolloutPolicy {
  return {
    canary: amountOption(args.values.canary, 'canary', 0) ?? fromSettings.canary,
    batch: amountOption(args.values.batch, 'batch', 1) ?? fromSettings.batch,
    maxFailed: amountOption(args.values['max-failed'], 'max-failed', 0) ?? fromSettings.maxFailed,
    pause: args.values.pause === undefined ? fromSettings.pause : number(args.values.pause, 'pause', 0, { min: 0 }),
  };
}

export interface ApplyRequest {
  readonly cluster: Pick<Planned, 'tree' | 'settings'>;
  readonly store: Store;
  readonly ref: string;
  /** What the store says is deployed, at the plan's base. */
  readonly deployed: ClusterSnapshot;
  readonly target: ApplyTarget;
  /** Hosts with nothing planned to lock and check too (deploy --overwrite-drift looks for hand edits there). */
  readonly alsoCheck?: readonly string[];
  /** The plan again, over a store that now records what some hosts run. */
  readonly replan: (deployed: ClusterSnapshot, base: string | null) => Promise<ApplyTarget>;
  /** Shows a plan's full diff when the user answers `d`. */
  readonly showDiff: (target: ApplyTarget) => Promise<void>;
}

export function number(value: unknown, name: string, fallback: number, options: { min: number; integer?: boolean }): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < options.min || (options.integer && !Number.isInteger(parsed))) {
    throw new UsageError(`--${name} takes a ${options.integer ? 'whole ' : ''}number of at least ${options.min}, not '${typeof value === 'string' ? value : JSON.stringify(value)}'.`);
  }
  return parsed;
}

type Answer = 'yes' | 'no' | 'diff';

/** Reads one answer; an interrupt (Ctrl-C) answers no. */
async function ask(io: Io, question: string, signal: AbortSignal): Promise<Answer> {
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: false });
  try {
    const answer = (await rl.question(question, { signal })).trim().toLowerCase();
    return answer === 'y' || answer === 'yes' ? 'yes' : answer === 'd' ? 'diff' : 'no';
  } catch {
    return 'no';
  } finally {
    rl.close();
  }
}

function outcomeLine(outcome: HostOutcome): string {
  const why = outcome.problems.length > 0 ? `: ${outcome.problems.join('; ')}` : '';
  return `  ${outcome.host}: ${outcome.status.replace('-', ' ')}${why}`;
}

export function holderOf(io: Io): string {
  return io.env.DEPTOOL_HOLDER ?? `${userInfo().username}@${machineName()}`;
}

/** Asks until the answer is yes or no; `d` shows the diff and asks again. */
async function confirmed(io: Io, request: ApplyRequest, target: ApplyTarget, args: Parsed, signal: AbortSignal): Promise<boolean> {
  const { plan } = target;
  const question = `Apply to ${hostCount(plan.hosts.length)} in cluster '${plan.cluster}'? [y/N/d] `;
  // As in Deptool's tutorial, a blank line sets the hosts' progress apart from the question.
  if (args.values['dry-run']) {
    io.stdout.write(`Dry run: checking ${hostCount(plan.hosts.length)} and trying the activation in a scratch root on each; nothing will change.\n\n`);
    return true;
  }
  if (args.values.yes) {
    io.stdout.write(`${question}y (--yes)\n\n`);
    return true;
  }
  if (!io.stdin.isTTY) throw new UsageError('Not deploying: there is no terminal to confirm on. Pass --yes to deploy without asking.');
  for (;;) {
    const answer = await ask(io, question, signal);
    if (answer === 'yes') {
      io.stdout.write('\n');
      return true;
    }
    if (answer === 'no') {
      io.stdout.write(signal.aborted ? '\nNot deploying: interrupted.\n' : 'Not deploying.\n');
      return false;
    }
    await request.showDiff(target);
    io.stdout.write('\n');
  }
}

function syncedLines(hosts: readonly SyncReport[], commit: string): string {
  return (
    `The store did not know what ${hostCount(hosts.length)} ${hosts.length === 1 ? 'runs' : 'run'}; recorded it as commit ${commit.slice(0, 10)}:\n` +
    hosts.map((h) => `  ${h.host}: ${h.detail}\n`).join('')
  );
}

/**
 * Prints the plan, confirms, deploys through the shared flow, and prints the outcome;
 * returns the exit code. The first Ctrl-C (or SIGTERM) stops starting hosts and lets those
 * in flight finish; the process entry point exits at once on a second one.
 */
export async function apply(io: Io, args: Parsed, request: ApplyRequest): Promise<number> {
  if (args.values.json === true && args.values.yes !== true && args.values['dry-run'] !== true) {
    throw new UsageError('--json needs --yes (or --dry-run): its output is for scripts, which cannot answer the prompt.');
  }
  // With --json, standard output carries the result document only; everything for people goes to stderr.
  const human: Io = args.values.json === true ? { ...io, stdout: io.stderr } : io;
  return finish(io, args, await applyWith(human, args, request), request.target);
}

async function applyWith(io: Io, args: Parsed, request: ApplyRequest): Promise<ApplyResult | number> {
  const settleMs = Math.round(number(args.values.settle, 'settle', 1, { min: 0 }) * 1000);
  // Hosts in waves of 10 each waited out the settle time again (20 hosts, settle 1 s: 4.7 s
  // in two waves, 3.9 s at once); per host the driver holds one connection and ~40 ms of CPU.
  const parallel = number(args.values.parallel, 'parallel', 32, { min: 1, integer: true });
  const timeout = number(args.values.timeout, 'timeout', 300, { min: 1, integer: true });
  const confirmTimeout = number(args.values['confirm-timeout'], 'confirm-timeout', request.cluster.settings.confirmTimeout ?? DEFAULT_CONFIRM_TIMEOUT, { min: 0, integer: true });
  const { target, store, ref } = request;
  const color = useColor(io);
  io.stdout.write(renderText(target.plan, { color }));
  const hosts = [...target.plan.hosts.map((h) => h.host), ...(request.alsoCheck ?? [])];
  if (hosts.length === 0) return ExitCode.ok;

  const connect = await connector(io, request.cluster, {
    identity: args.values.identity as string | undefined,
    root: args.values.root as string | undefined,
    hosts,
    connectTimeout: args.values['connect-timeout'],
  });
  const controller = new AbortController();
  const progress = new Progress(io, hosts, io.stdout.isTTY === true, color);
  const stopListening = io.onInterrupt?.(() => {
    controller.abort();
    progress.print('Interrupted: no new host will start; the activations in flight finish and are recorded. Press Ctrl-C again to exit at once.\n');
  });
  let result: ApplyResult;
  try {
    result = await applyPlan(
      {
        store,
        ref,
        deployed: request.deployed,
        targets: connect.targets,
        alsoCheck: request.alsoCheck,
        deployer: new Deployer({
          targets: connect.targets,
          connect: connect.connect,
          invocation: connect.invocation,
          holder: holderOf(io),
          activationTimeoutSeconds: timeout,
          reconnectSeconds: 60,
          observer: progress,
          signal: controller.signal,
          confirm: { timeoutSeconds: confirmTimeout },
        }),
        settings: {
          settleMs,
          parallel,
          allowDegraded: args.values['allow-degraded'] === true,
          dryRun: args.values['dry-run'] === true,
          overwriteDrift: args.values['overwrite-drift'] === true,
        },
        signal: controller.signal,
        observer: {
          phase: (host, phase, detail) => progress.phase(host, phase, detail),
          notice: (host, message) => progress.notice(host, message),
          activated: (host, report) => progress.activated(host, report),
          synced: (hosts, commit) => progress.print(syncedLines(hosts, commit)),
        },
        author: { name: userInfo().username, email: `${userInfo().username}@${machineName()}` },
        trailers: { actor: holderOf(io) },
        record: (attempt) => store.recordAttempt(attempt),
        replan: request.replan,
        approve: async (next, stage) => {
          if (stage === 'corrected') {
            io.stdout.write(`\nThe plan, corrected for what was found on the hosts:\n${renderText(next.plan, { color })}`);
            if (next.plan.hosts.length === 0) return true;
            progress.reset(next.plan.hosts.map((h) => h.host));
          }
          return confirmed(io, request, next, args, controller.signal);
        },
      },
      target,
    );
  } finally {
    stopListening?.();
  }
  // The result lines stand apart from the hosts' progress above them.
  if (progress.wrote && !result.declined) io.stdout.write('\n');
  return result;
}

/** The final lines (for people) and the exit code; with --json, the result document on stdout. */
function finish(io: Io, args: Parsed, result: ApplyResult | number, target: ApplyTarget): number {
  const human: Io = args.values.json === true ? { ...io, stdout: io.stderr } : io;
  if (typeof result === 'number') {
    // Nothing to do: no host was contacted.
    const nothing: ApplyResult = { target, outcomes: [], synced: null, commit: null, recordError: null, interrupted: false, declined: false, seconds: 0, stopped: null };
    if (args.values.json === true) io.stdout.write(`${JSON.stringify(resultDocument(nothing, result), null, 2)}\n`);
    return result;
  }
  const code = finalLines(human, args, result);
  if (args.values.json === true) io.stdout.write(`${JSON.stringify(resultDocument(result, code), null, 2)}\n`);
  return code;
}

/** `deploy --json`: what happened, for scripts (schema in README's "deploy --json"). */
function resultDocument(result: ApplyResult, code: number): Record<string, unknown> {
  const { plan } = result.target;
  return {
    schema: 1,
    cluster: plan.cluster,
    plan_digest: planDigest(plan),
    exit_code: code,
    interrupted: result.interrupted,
    declined: result.declined,
    seconds: Number(result.seconds.toFixed(3)),
    store_commit: result.commit,
    record_error: result.recordError,
    synced: result.synced === null ? null : { commit: result.synced.commit, hosts: result.synced.hosts.map((h) => ({ host: h.host, detail: h.detail })) },
    stopped: result.stopped === null ? null : { stage: result.stopped.stage, kind: result.stopped.kind, failed: result.stopped.failed, max_failed: result.stopped.maxFailed },
    hosts: outcomesJson(result.outcomes, plan.rollout),
  };
}

function finalLines(io: Io, args: Parsed, result: ApplyResult): number {
  const { outcomes } = result;
  const seconds = result.seconds.toFixed(2);
  const interrupted = result.interrupted ? ExitCode.interrupted : null;
  if (result.declined) return interrupted ?? ExitCode.ok;
  const refused = outcomes.filter((o) => o.status === 'refused');
  if (args.values['dry-run']) {
    const notOk = outcomes.filter((o) => o.status === 'refused' || o.status === 'failed');
    io.stdout.write(
      notOk.length === 0
        ? `Dry run: every check and activation step went through on ${hostCount(outcomes.length)}; nothing was changed.\n`
        : `Dry run: the deploy would not go through on ${hostCount(notOk.length)}; nothing was changed:\n${notOk.map(outcomeLine).join('\n')}\n`,
    );
    return interrupted ?? (notOk.length === 0 ? ExitCode.ok : ExitCode.failed);
  }
  if (result.target.plan.hosts.length === 0 && refused.length === 0) {
    io.stdout.write(result.synced === null ? `No hand edits found; nothing to deploy.\n` : `Nothing left to deploy: the hosts already run the plan.\n`);
    return interrupted ?? ExitCode.ok;
  }
  if (result.commit === null && result.recordError === null) {
    if (refused.length > 0) {
      io.stdout.write(`Nothing was changed: ${hostCount(refused.length)} refused the deploy:\n${refused.map(outcomeLine).join('\n')}\n`);
      return ExitCode.failed;
    }
    if (interrupted !== null) {
      io.stdout.write(`Interrupted before any host changed; nothing was changed.\n`);
      return interrupted;
    }
    io.stdout.write(`Nothing was changed:\n${outcomes.map(outcomeLine).join('\n')}\n`);
    return exitCodeOf(outcomes);
  }
  const notDeployed = outcomes.filter((o) => o.status !== 'deployed' && o.status !== 'unchanged');
  const deployed = outcomes.filter((o) => o.status === 'deployed').length;
  const recorded = result.commit === null ? '' : ` Recorded as commit ${result.commit.slice(0, 10)}.`;
  if (interrupted !== null) {
    io.stdout.write(
      `Interrupted after ${seconds}s: ${deployed} of ${hostCount(outcomes.length)} deployed.${recorded}\n${notDeployed.map(outcomeLine).join('\n')}${notDeployed.length ? '\n' : ''}`,
    );
  } else if (notDeployed.length === 0) {
    io.stdout.write(`Changes deployed successfully to ${hostCount(outcomes.length)} in ${seconds}s.\n`);
  } else {
    io.stdout.write(`Deploy did not succeed on ${hostCount(notDeployed.length)} (${deployed} deployed) in ${seconds}s:\n${notDeployed.map(outcomeLine).join('\n')}\n`);
  }
  if (result.stopped !== null) {
    const after = result.stopped.kind === 'canary' ? 'its canary' : `stage ${result.stopped.stage}`;
    const skipped = outcomes.filter((o) => o.status === 'skipped').length;
    io.stdout.write(`The rollout stopped after ${after}: ${result.stopped.failed} host(s) failed, more than its failure budget of ${result.stopped.maxFailed}; ${hostCount(skipped)} not started.\n`);
  }
  if (result.recordError !== null) {
    io.stderr.write(`deptool: the hosts changed but the store could not record it: ${result.recordError}\nThe next deploy, or 'deptool sync', records what the hosts run.\n`);
    return ExitCode.failed;
  }
  return interrupted ?? (result.stopped !== null ? ExitCode.rolloutStopped : exitCodeOf(outcomes));
}
