// The deploy driver's host work: connect and lock hosts, read what they report, download
// revisions the store lacks, and activate a plan on each, learning the outcome over a fresh
// connection when one drops. It decides nothing and never prints: the apply flow (apply.ts)
// decides, and the CLI and the Action observe.
import { randomBytes } from 'node:crypto';
import { OperationError } from '../errors.js';
import type { HostPlan } from '../plan/types.js';
import type { AppSnapshot, HostSnapshot } from '../tree/types.js';
import { TransportError, type Connection } from '../transport/connection.js';
import type { Target } from '../transport/targets.js';
import { linkTargets } from './assess.js';
import { checksSeconds, type AppCheck } from './checks.js';
import { confirmActivation, type ConfirmOutcome } from './confirm.js';
import { ReadTimeout, oneLine, type ActivationReport, type AgentInvocation, type SessionFacts, type StepOutcome, type UnitFile } from './protocol.js';
import { revisionFromExport, type HostRevision } from './revisions.js';
import { ActivationRefused, HostSession, NotStarted, type SessionTimings } from './session.js';
import { activationArchive, activationSteps, describeStep, hostState, type HostState } from './steps.js';
import { localTime } from '../render/time.js';

export type HostPhase =
  | 'connecting'
  | 'installing agent'
  | 'waiting'
  | 'locked'
  | 'syncing'
  | 'uploading'
  | 'activating'
  | 'confirming'
  | 'rolling back'
  | 'reconnecting'
  | 'done'
  | 'up to date'
  | 'synced'
  | 'rolled back'
  | 'failed'
  | 'refused'
  | 'skipped';

export interface DeployObserver {
  phase(host: string, phase: HostPhase, detail?: string): void;
  /** Something the operator must know about a host that is no phase (an interrupted activation undone). */
  notice(host: string, message: string): void;
  /** The activation's report (unit statuses), before the host's final phase. */
  activated(host: string, report: ActivationReport): void;
}

/** `skipped`: never started (the run was interrupted first); `unchanged`: checked, nothing to do or a dry run. */
export type HostStatus = 'deployed' | 'rolled-back' | 'failed' | 'refused' | 'skipped' | 'unchanged';

export interface HostOutcome {
  readonly host: string;
  readonly status: HostStatus;
  /** The host failed before anything changed on it (no need to record it on its own). */
  readonly unchanged?: boolean;
  /** Why a host was refused or failed, one sentence each. */
  readonly problems: readonly string[];
  /** The activation's report (unit states, statuses, errors) when it ran. */
  readonly activation: ActivationReport | null;
}

/** Reads one file of the desired state: from the config tree, or from the store for a rollback. */
export type ContentReader = (host: string, app: string, path: string) => Promise<Buffer>;

export interface DeployerOptions {
  readonly targets: ReadonlyMap<string, Target>;
  readonly connect: (target: Target) => Promise<Connection>;
  readonly invocation: (target: Target) => AgentInvocation;
  /** Who holds the host locks: `user@machine` or a CI run URL. */
  readonly holder: string;
  /** Limit for one host's activation on the host (its transient unit's TimeoutStartSec). */
  readonly activationTimeoutSeconds: number;
  /** How long to keep trying to reach a host again after its connection dropped during an activation. */
  readonly reconnectSeconds: number;
  readonly observer: DeployObserver;
  /** Ctrl-C: a host still being connected or locked (say, waiting for another driver's activation) is let go. */
  readonly signal?: AbortSignal;
  /**
   * After each activation, the host waits for the driver's verdict: the changed apps' health
   * checks, and with `timeoutSeconds` above 0, a new connection within that time (`confirm_timeout`).
   * Absent: no verdict at all (a sync rewriting a host's record restarts and checks nothing).
   */
  readonly confirm?: { readonly timeoutSeconds: number };
}

/** Activation dirs each host keeps for diagnosis (the newest ones). */
export const KEEP_ACTIVATIONS = 5;
/** After its timeout an activation rolls back, which systemd bounds by the unit's TimeoutStopSec (90 s). */
const ROLLBACK_BOUND_SECONDS = 120;
/** On top of the agent's own bounded waits, for the answer to travel. */
const ANSWER_MS = 30_000;
/** The host waits this much longer for the verdict than the checks can take, for the connection and the answers. */
const VERDICT_SLACK_SECONDS = 10;

/** What a host waits for after its activation (the `await` step), or null when it waits for nothing. */
export interface Awaiting {
  readonly nonce: string;
  /** A new connection must reach the host within this; the activation's own connection when confirmation is off. */
  readonly connectSeconds: number;
  readonly verdictSeconds: number;
  readonly fresh: boolean;
  readonly checks: readonly AppCheck[];
}

/**
 * The checks of the apps a plan adds or changes, and what the host awaits: a new connection
 * within `timeoutSeconds` (0: off) and the verdict once the checks could have run. Null when
 * there is nothing to wait for, or on a sandbox (`--root`), where no unit runs.
 */
export function awaiting(work: Pick<HostWork, 'plan' | 'desired'>, confirm: { readonly timeoutSeconds: number } | undefined, sandbox: boolean): Awaiting | null {
  if (!confirm || sandbox) return null;
  const checks = work.plan.apps.filter((app) => app.action !== 'remove').flatMap((app) => (work.desired.apps.get(app.app)?.manifest.checks ?? []).map((check) => ({ app: app.app, check })));
  if (confirm.timeoutSeconds === 0 && checks.length === 0) return null;
  const forChecks = checks.length === 0 ? 0 : checksSeconds(checks) + VERDICT_SLACK_SECONDS;
  const verdictSeconds = confirm.timeoutSeconds + forChecks;
  return {
    nonce: randomBytes(16).toString('hex'),
    connectSeconds: confirm.timeoutSeconds > 0 ? confirm.timeoutSeconds : verdictSeconds,
    verdictSeconds,
    fresh: confirm.timeoutSeconds > 0,
    checks,
  };
}

/** What one host must do: its plan, what it runs now and afterwards, and where new files come from. */
export interface HostWork {
  readonly plan: HostPlan;
  readonly deployed: HostSnapshot | undefined;
  readonly desired: HostSnapshot;
  readonly content: ContentReader;
  readonly settleMs: number;
}

/** What locking a host found: its facts, or why it could not be locked. */
export type Locked = { readonly ok: true; readonly facts: SessionFacts; readonly links: ReadonlyMap<string, string> } | { readonly ok: false; readonly problems: string[] };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function activationId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

interface Held {
  readonly target: Target;
  session: HostSession;
}

export class Deployer {
  private readonly held = new Map<string, Held>();
  private readonly timings: SessionTimings;

  constructor(private readonly options: DeployerOptions) {
    this.timings = { agentWaitSeconds: options.activationTimeoutSeconds + ROLLBACK_BOUND_SECONDS, answerMs: ANSWER_MS };
  }

  /** The hosts locked now. */
  get locked(): string[] {
    return [...this.held.keys()];
  }

  private target(host: string): Target {
    const target = this.options.targets.get(host);
    if (!target) throw new OperationError(`no connection settings for host '${host}'`);
    return target;
  }

  private async open(host: string, connection: Connection, request: { targets: readonly string[]; units: readonly string[] }) {
    const target = this.target(host);
    const { observer } = this.options;
    return HostSession.open(
      connection,
      this.options.invocation(target),
      { holder: this.options.holder, waitSeconds: this.timings.agentWaitSeconds, units: request.units, targets: request.targets },
      this.timings,
      {
        onWaiting: (activation, holder) =>
          observer.phase(host, 'waiting', `activation ${activation} of ${holder ? describeHolder(holder) : 'another deploy'} is still running on the host; waiting for it, at most ${this.timings.agentWaitSeconds} s`),
        onInstall: () => observer.phase(host, 'installing agent'),
      },
    );
  }

  /**
   * Connects to `host`, installs the agent when needed and takes its lock, reading its facts:
   * the link values of the store's record and of the host's own, and where the host has
   * each of `units`. The host stays locked until released or activated.
   */
  async lock(host: string, expected: HostSnapshot | undefined, units: readonly string[]): Promise<Locked> {
    const { observer } = this.options;
    let target: Target;
    try {
      target = this.target(host);
    } catch (error) {
      return { ok: false, problems: [message(error)] };
    }
    observer.phase(host, 'connecting', target.transport === 'local' ? 'local' : `${target.user}@${target.hostName}:${target.port}`);
    let connection: Connection;
    try {
      connection = await this.options.connect(target);
    } catch (error) {
      return { ok: false, problems: [message(error)] };
    }
    const abandon = () => void connection.close().catch(() => undefined);
    this.options.signal?.addEventListener('abort', abandon, { once: true });
    try {
      const targets = [...new Set(Object.values(hostState(expected).apps).flatMap((app) => Object.keys(app.links)))].sort();
      const opened = await this.open(host, connection, { targets, units });
      if (opened.kind === 'busy') {
        await connection.close();
        return { ok: false, problems: [busyProblem(opened.holder)] };
      }
      const session = opened.session;
      this.held.set(host, { target, session });
      const last = session.facts.lastActivation;
      if (last?.recovered) observer.notice(host, recoveredNotice(last.id, last.recovered, last.result));
      const links = new Map(session.facts.check.links);
      const more = linkTargets(session.facts, expected).filter((t) => !links.has(t));
      for (const [t, value] of await session.links(more)) links.set(t, value);
      observer.phase(host, 'locked');
      return { ok: true, facts: session.facts, links };
    } catch (error) {
      this.held.delete(host);
      await connection.close().catch(() => undefined);
      return { ok: false, problems: [this.options.signal?.aborted ? 'not locked: the run was interrupted' : message(error)] };
    } finally {
      this.options.signal?.removeEventListener('abort', abandon);
    }
  }

  /** Where a locked host has these unit files. */
  async units(host: string, units: readonly string[]): Promise<Map<string, UnitFile>> {
    const held = this.held.get(host);
    if (!held) throw new OperationError(`${host} is not locked`);
    return held.session.units(units);
  }

  /** The link values of more targets on a locked host. */
  async links(host: string, targets: readonly string[]): Promise<Map<string, string>> {
    const held = this.held.get(host);
    if (!held) throw new OperationError(`${host} is not locked`);
    return held.session.links(targets);
  }

  /** A revision as the locked host has it; with `verify`, exactly what deptool staged. */
  async fetchRevision(host: string, app: string, rev: string, verify: boolean): Promise<HostRevision> {
    const held = this.held.get(host);
    if (!held) throw new OperationError(`${host} is not locked`);
    const exported = await held.session.exportRevision(app, rev);
    if ('error' in exported) throw new OperationError(`cannot read revision ${rev} of app '${app}' from ${host}: ${exported.error}`);
    return revisionFromExport(app, rev, exported.tar, { verify, where: host });
  }

  /** Lets go of a host's lock without changing it. */
  async release(host: string): Promise<void> {
    const held = this.held.get(host);
    if (!held) return;
    this.held.delete(host);
    await held.session.end();
    await held.session.connection.close().catch(() => undefined);
  }

  async releaseAll(): Promise<void> {
    await Promise.all(this.locked.map((host) => this.release(host)));
  }

  /**
   * Activates `work` on its locked host: sends the revisions it lacks with the steps and
   * the state.json it keeps afterwards, and follows the activation to its result. The host's
   * lock ends with it.
   */
  async activate(work: HostWork, record: HostState): Promise<HostOutcome> {
    const { observer } = this.options;
    const host = work.plan.host;
    const held = this.held.get(host);
    if (!held) return { host, status: 'failed', problems: [`${host} is not locked`], activation: null };
    const id = activationId();
    let started = false;
    const invocation = this.options.invocation(held.target);
    const wait = awaiting(work, this.options.confirm, invocation.root !== null);
    const ended = new AbortController();
    // Set by startConfirming, in a callback: a cast keeps TypeScript from narrowing it to null.
    let confirming = null as Promise<ConfirmOutcome> | null;
    // On the host's `confirm await`, or on reconnecting after the connection dropped (the host
    // may still await, or not yet: the agent's confirm waits for it).
    const startConfirming = (early: boolean) => {
      if (!wait || confirming) return;
      observer.phase(host, 'confirming', wait.fresh ? `over a new connection${wait.checks.length > 0 ? ', with the checks' : ''}` : 'running the checks');
      confirming = confirmActivation(
        {
          id,
          nonce: wait.nonce,
          checks: wait.checks,
          invocation,
          awaitSeconds: early ? this.options.activationTimeoutSeconds : 0,
          until: Date.now() + (wait.verdictSeconds + (early ? this.options.activationTimeoutSeconds : 0)) * 1000,
          signal: ended.signal,
          connect: async (attempt) =>
            !wait.fresh && attempt === 1 ? { connection: held.session.connection, opened: false } : { connection: await this.options.connect(held.target), opened: true },
        },
        (problem) => observer.phase(host, 'confirming', `trying again: ${oneLine(problem, 200)}`),
      );
    };
    try {
      const toStage = revisionsToStage(work, held.session.facts);
      if (toStage.length > 0) observer.phase(host, 'uploading', `${toStage.reduce((n, a) => n + a.files.size, 0)} files`);
      const steps = activationSteps(work.plan, work.deployed, work.desired, { settleMs: work.settleMs, ...(wait ? { await: wait } : {}) });
      const input = await activationArchive(steps, record, toStage, (app, path) => work.content(host, app, path));
      observer.phase(host, 'activating');
      started = true;
      let report: ActivationReport | null;
      try {
        // The wait for the verdict comes on top of the activation's own time.
        const verdictSeconds = wait?.verdictSeconds ?? 0;
        report = await held.session.activate(id, input, {
          timeoutSeconds: this.options.activationTimeoutSeconds + verdictSeconds,
          keepActivations: KEEP_ACTIVATIONS,
          deadline: Date.now() + (this.timings.agentWaitSeconds + verdictSeconds) * 1000 + ANSWER_MS,
          onEvent: (event) => (event === 'await' ? startConfirming(false) : observer.phase(host, 'rolling back')),
        });
      } catch (error) {
        if (error instanceof ActivationRefused || error instanceof NotStarted) throw error;
        if (!(error instanceof ReadTimeout) && !(error instanceof TransportError && (error.kind === 'lost' || error.kind === 'timeout'))) throw error;
        report = await this.outcomeAfterDrop(host, held, id, error, () => startConfirming(true));
      }
      ended.abort();
      const confirmed = await confirming;
      if (report === null) {
        const problem = `the connection was lost before the activation started; nothing changed on ${host}`;
        observer.phase(host, 'failed', problem);
        return { host, status: 'failed', problems: [problem], activation: null, unchanged: true };
      }
      report = { ...report, steps: report.steps?.map((step) => ({ ...step, text: describeStep(steps[step.n - 1] ?? step.op) })) };
      observer.activated(host, report);
      if (report.recovered !== null) observer.notice(host, recoveredNotice(id, report.recovered, report.result));
      if (report.result === 'ok') {
        observer.phase(host, 'done');
        return { host, status: 'deployed', problems: [], activation: report };
      }
      // A validate command said no before anything changed (and the host removed what it staged).
      if (report.result === 'refused') {
        observer.phase(host, 'refused', report.errors.join('; '));
        return { host, status: 'refused', problems: [...report.errors], activation: report, unchanged: true };
      }
      // Why the verdict never reached the host (an SSH login refused, say), when that is why it rolled back.
      const unconfirmed = confirmed && 'problem' in confirmed && confirmed.problem !== null && !report.confirmed ? [`the confirmation${wait?.fresh ? ' over a new connection' : ''} failed: ${oneLine(confirmed.problem)}`] : [];
      const problems = [...report.errors, ...unconfirmed];
      observer.phase(host, report.result === 'rolled-back' ? 'rolled back' : 'failed', problems.join('; '));
      return { host, status: report.result, problems, activation: report };
    } catch (error) {
      const nothing = !started || error instanceof ActivationRefused || error instanceof NotStarted;
      const problem = nothing && !(error instanceof ActivationRefused) ? `${message(error)}; nothing changed on ${host}` : message(error);
      observer.phase(host, 'failed', problem);
      return { host, status: 'failed', problems: [problem], activation: null, ...(nothing ? { unchanged: true } : {}) };
    } finally {
      ended.abort();
      await confirming;
      this.held.delete(host);
      await held.session.connection.close().catch(() => undefined);
    }
  }

  /**
   * Tries `work` on its locked host against a scratch root (deploy --dry-run): the host stages
   * the revisions there and runs the activation's steps, links and adoption against copies of
   * what it has at each target, validate commands for real, systemctl not at all; then removes
   * it. Nothing else changes on the host. `unchanged` when every step went through, `refused`
   * when a step failed as it would in a deploy. The host's lock ends with it.
   */
  async dryRun(work: HostWork, record: HostState): Promise<HostOutcome> {
    const { observer } = this.options;
    const host = work.plan.host;
    const held = this.held.get(host);
    if (!held) return { host, status: 'failed', problems: [`${host} is not locked`], activation: null };
    try {
      const steps = activationSteps(work.plan, work.deployed, work.desired, { settleMs: work.settleMs });
      const input = await activationArchive(steps, record, revisionsToStage(work, held.session.facts), (app, path) => work.content(host, app, path));
      observer.phase(host, 'activating', 'dry run in a scratch root');
      const sent = await held.session.dryRun(activationId(), input, {
        timeoutSeconds: this.options.activationTimeoutSeconds,
        deadline: Date.now() + this.timings.agentWaitSeconds * 1000 + ANSWER_MS,
      });
      // Every step sent, with what became of it: the ones after a failure did not run.
      const ran = new Map((sent.steps ?? []).map((step) => [step.n, step]));
      const report = { ...sent, steps: steps.map((line, i): StepOutcome => ({ n: i + 1, op: line.split('\t')[0], status: ran.get(i + 1)?.status ?? 'not run', text: describeStep(line) })) };
      observer.activated(host, report);
      if (report.result === 'ok') {
        observer.phase(host, 'done');
        return { host, status: 'unchanged', problems: [], activation: report };
      }
      const status = report.result === 'failed' ? 'failed' : 'refused';
      observer.phase(host, status, report.errors.join('; '));
      return { host, status, problems: [...report.errors], activation: report, unchanged: true };
    } catch (error) {
      const problem = `the dry run did not finish: ${message(error)}; nothing changed on ${host}`;
      observer.phase(host, 'failed', problem);
      return { host, status: 'failed', problems: [problem], activation: null, unchanged: true };
    } finally {
      this.held.delete(host);
      await held.session.connection.close().catch(() => undefined);
    }
  }

  /**
   * Learns over a fresh connection what became of activation `id` after its connection
   * dropped: its report, or null when the host never started it. Keeps trying to reach the
   * host for `reconnectSeconds`; the host's agent then waits for the activation to end.
   */
  private async outcomeAfterDrop(host: string, held: Held, id: string, cause: unknown, reconnected: () => void): Promise<ActivationReport | null> {
    const { observer, reconnectSeconds } = this.options;
    const deadline = Date.now() + reconnectSeconds * 1000;
    let lastError: unknown = cause;
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      observer.phase(host, 'reconnecting', `the connection dropped during the activation; attempt ${attempt}, for at most ${reconnectSeconds} s`);
      await held.session.connection.close().catch(() => undefined);
      // An activation that awaits the verdict ends only with it (or rolls back without it).
      reconnected();
      let connection: Connection | null = null;
      try {
        connection = await this.options.connect(held.target);
        const opened = await this.open(host, connection, { targets: [], units: [] });
        if (opened.kind === 'busy') throw new OperationError(busyProblem(opened.holder));
        held.session = opened.session;
        try {
          return await opened.session.result(id, this.timings.agentWaitSeconds);
        } finally {
          await opened.session.end();
        }
      } catch (error) {
        lastError = error;
        await connection?.close().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 5000)));
      }
    }
    throw new OperationError(
      `lost the connection to ${host} during the activation and could not reach it again within ${reconnectSeconds} s (${message(lastError)}); ` +
        `the outcome is unknown: the next deploy, or 'deptool sync --limit ${host}', learns it from the host`,
    );
  }
}

/** The revisions to send along with the steps: those the host has as neither current nor previous, and those edited by hand there. */
function revisionsToStage(work: HostWork, facts: SessionFacts): AppSnapshot[] {
  const onHost = new Set([...facts.current, ...facts.previous].map(([app, rev]) => `${app}/${rev}`));
  // A revision edited by hand is sent again: staging replaces it with the verified copy.
  const restage = new Set(work.plan.overwrite?.apps ?? []);
  return work.plan.apps
    .filter((app) => app.action !== 'remove' && app.newRev && (!onHost.has(`${app.app}/${app.newRev}`) || restage.has(app.app)))
    .map((app) => work.desired.apps.get(app.app)!);
}

/** What the operator is told about an activation the host undid because it never finished. */
function recoveredNotice(id: string, by: 'session' | 'boot', result: string): string {
  const how = by === 'boot' ? 'the host went down during it; it was undone from its journal at boot' : 'its unit was stopped; it was undone from its journal before this run';
  const after = result === 'rolled-back' ? 'the host is back on what it ran before' : `an undo step failed: see /var/lib/deptool/activations/${id}/log on the host`;
  return `activation ${id} never finished (${how}): ${after}`;
}

/** The refusal of a host whose lock another deploy holds, from the agent's `busy` answer. */
function busyProblem(holder: string): string {
  if (holder.startsWith('activation ')) return `an activation is still running on the host: ${holder.slice('activation '.length)}; try again when it has ended`;
  return `locked by another deploy: ${describeHolder(holder)}`;
}

/** `alice@laptop since 2026-12-02 14:03:09 +0100 (pid 2211)` from lock.holder's `<holder> <unix time> <pid>` (the pid of the agent's session on the host). */
export function describeHolder(line: string, zone?: string): string {
  const match = /^(.*) (\d+) (\d+)$/.exec(line);
  if (!match) return line;
  return `${match[1]} since ${localTime(new Date(Number(match[2]) * 1000), zone)} (pid ${match[3]})`;
}
