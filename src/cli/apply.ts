// Applying a plan to hosts, shared by `deploy` and `rollback`: confirmation, the
// deploy itself with live progress, the store record and the summary.
import { userInfo, hostname as machineName } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { ExitCode, UsageError } from '../errors.js';
import { exitCodeOf, nothingChanged, resultsOf } from '../deploy/outcome.js';
import { Deployer, type ContentReader, type HostOutcome } from '../deploy/deploy.js';
import { planDigest } from '../plan/json.js';
import { movedSincePlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import { hostCount, renderText } from '../render/text.js';
import { attemptFromPlan } from '../store/from-plan.js';
import type { Store } from '../store/store.js';
import type { ClusterSnapshot } from '../tree/types.js';
import type { Parsed } from './args.js';
import { connector } from './connect.js';
import type { Planned } from './context.js';
import { useColor, type Io } from './io.js';
import { Progress } from './progress.js';

export const APPLY_OPTIONS = {
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  identity: { type: 'string', short: 'i' },
  root: { type: 'string' },
  settle: { type: 'string' },
  parallel: { type: 'string' },
  timeout: { type: 'string' },
  'allow-degraded': { type: 'boolean' },
} as const;

export const APPLY_HELP = [
  '-y, --yes         apply without asking (needed without a terminal)',
  '--dry-run         connect, lock and run every check, then change nothing',
  '-i, --identity F  the SSH private key to use (default: ssh-agent, then IdentityFile)',
  '--root DIR        local transport: deploy into DIR instead of /, without systemctl',
  '--settle SECONDS  how long units must stay healthy after a restart (default 1)',
  '--parallel N      hosts changed at once (default 32)',
  "--timeout SECONDS limit for one host's activation (default 300)",
  '--allow-degraded  deploy to hosts whose systemd state is not "running"',
];

export interface ApplyRequest {
  readonly cluster: Pick<Planned, 'tree' | 'settings'>;
  readonly store: Store;
  readonly ref: string;
  readonly plan: Plan;
  readonly deployed: ClusterSnapshot;
  /** What the planned hosts run afterwards, and where its file contents come from. */
  readonly desired: ClusterSnapshot;
  readonly content: ContentReader;
  /** Where the store reads new files from (`<host>/<app>/<path>`); null when they are already stored. */
  readonly sourceDir: string | null;
  /** Commit title; default from the plan. */
  readonly title?: string;
  /** Shows the full diff when the user answers `d`. */
  showDiff(): Promise<void>;
}

function number(value: unknown, name: string, fallback: number, options: { min: number; integer?: boolean }): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < options.min || (options.integer && !Number.isInteger(parsed))) {
    throw new UsageError(`--${name} takes a ${options.integer ? 'whole ' : ''}number of at least ${options.min}, not '${typeof value === 'string' ? value : JSON.stringify(value)}'.`);
  }
  return parsed;
}

type Answer = 'yes' | 'no' | 'diff';

async function ask(io: Io, question: string): Promise<Answer> {
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: false });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
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

function holderOf(io: Io): string {
  return io.env.DEPTOOL_HOLDER ?? `${userInfo().username}@${machineName()}`;
}

/** Asks until the answer is yes or no; `d` shows the diff and asks again. */
async function confirmed(io: Io, request: ApplyRequest, args: Parsed): Promise<boolean> {
  const { plan } = request;
  const question = `Apply to ${hostCount(plan.hosts.length)} in cluster '${plan.cluster}'? [y/N/d] `;
  if (args.values['dry-run']) {
    io.stdout.write(`Dry run: checking ${hostCount(plan.hosts.length)}; nothing will change.\n`);
    return true;
  }
  if (args.values.yes) {
    io.stdout.write(`${question}y (--yes)\n`);
    return true;
  }
  if (!io.stdin.isTTY) throw new UsageError('Not deploying: there is no terminal to confirm on. Pass --yes to deploy without asking.');
  for (;;) {
    const answer = await ask(io, question);
    if (answer === 'yes') return true;
    if (answer === 'no') {
      io.stdout.write('Not deploying.\n');
      return false;
    }
    await request.showDiff();
  }
}

/** Prints the plan, confirms, deploys, records the attempt and prints the outcome; returns the exit code. */
export async function apply(io: Io, args: Parsed, request: ApplyRequest): Promise<number> {
  const started = performance.now();
  const settleMs = Math.round(number(args.values.settle, 'settle', 1, { min: 0 }) * 1000);
  // Hosts in waves of 10 each waited out the settle time again (20 hosts, settle 1 s: 4.7 s
  // in two waves, 3.9 s at once); per host the driver holds one connection and ~40 ms of CPU.
  const parallel = number(args.values.parallel, 'parallel', 32, { min: 1, integer: true });
  const timeout = number(args.values.timeout, 'timeout', 300, { min: 1, integer: true });
  const { plan, store, ref } = request;
  const color = useColor(io);
  io.stdout.write(renderText(plan, { color }));
  if (plan.hosts.length === 0) return ExitCode.ok;

  const connect = await connector(io, request.cluster, {
    identity: args.values.identity as string | undefined,
    root: args.values.root as string | undefined,
    hosts: plan.hosts.map((h) => h.host),
  });
  if (!(await confirmed(io, request, args))) return ExitCode.ok;

  const dryRun = args.values['dry-run'] === true;
  const deployer = new Deployer({
    plan,
    desired: request.desired,
    content: request.content,
    deployed: request.deployed,
    targets: connect.targets,
    connect: connect.connect,
    invocation: connect.invocation,
    holder: holderOf(io),
    settleMs,
    parallel,
    allowDegraded: args.values['allow-degraded'] === true,
    activationTimeoutSeconds: timeout,
    dryRun,
    observer: new Progress(io, plan.hosts.map((h) => h.host), io.stdout.isTTY === true, color),
    recheck: () => movedSincePlan(store, ref, plan, request.deployed),
  });
  const outcomes = await deployer.run();
  const seconds = ((performance.now() - started) / 1000).toFixed(2);

  const refused = outcomes.filter((o) => o.status === 'refused');
  if (dryRun) {
    io.stdout.write(
      refused.length === 0
        ? `Dry run: every check passed on ${hostCount(outcomes.length)}; nothing was changed.\n`
        : `Dry run: ${hostCount(refused.length)} would refuse the deploy:\n${refused.map(outcomeLine).join('\n')}\n`,
    );
    return refused.length === 0 ? ExitCode.ok : ExitCode.failed;
  }
  if (nothingChanged(outcomes)) {
    io.stdout.write(`Nothing was changed: ${hostCount(refused.length)} refused the deploy:\n${refused.map(outcomeLine).join('\n')}\n`);
    return ExitCode.failed;
  }

  const results = resultsOf(outcomes);
  const attempt = attemptFromPlan(plan, request.desired, request.sourceDir, {
    ref,
    author: { name: userInfo().username, email: `${userInfo().username}@${machineName()}` },
    results,
    trailers: { planDigest: planDigest(plan), actor: holderOf(io) },
  });
  await store.recordAttempt(request.title ? { ...attempt, title: request.title } : attempt);
  const failed = outcomes.filter((o) => o.status !== 'deployed');
  if (failed.length === 0) {
    io.stdout.write(`Changes deployed successfully to ${hostCount(outcomes.length)} in ${seconds}s.\n`);
  } else {
    io.stdout.write(
      `Deploy did not succeed on ${hostCount(failed.length)} (${outcomes.length - failed.length} deployed) in ${seconds}s:\n${failed.map(outcomeLine).join('\n')}\n`,
    );
  }
  return exitCodeOf(outcomes);
}
