// The one apply flow of `deploy`, `rollback` and the Action: approve the plan, lock and check
// every host, record into the store what hosts run that it did not know (and plan again),
// activate host by host, and record the attempt. The CLI and the Action differ only in how
// they approve, observe and record.
import { planDigest } from '../plan/json.js';
import { movedSincePlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import type { Store } from '../store/store.js';
import type { Attempt, AttemptTrailers, Identity } from '../store/types.js';
import type { ClusterSnapshot, HostSnapshot } from '../tree/types.js';
import { assess, driftRefusal, foreignUnits, sameState, type Assessment, type DriftItem } from './assess.js';
import { attemptFromPlan, syncAttempt, type SyncedHost } from './attempt.js';
import type { ContentReader, DeployObserver, Deployer, HostOutcome } from './deploy.js';
import { nothingChanged, resultsOf } from './outcome.js';
import { withOverwrites } from './overwrite.js';
import { RevisionMismatch } from './revisions.js';
import { appRevisions, readBack } from './readback.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostState } from './steps.js';
import type { Target } from '../transport/targets.js';

/** What the planned hosts must run afterwards, and where its contents come from. */
export interface ApplyTarget {
  readonly plan: Plan;
  readonly desired: ClusterSnapshot;
  readonly content: ContentReader;
  /** Where the store reads new files from (`<host>/<app>/<path>`, the config tree); null when they are already stored. */
  readonly sourceDir: string | null;
  /** Commit title; default from the plan. */
  readonly title?: string;
}

export interface ApplySettings {
  readonly settleMs: number;
  readonly parallel: number;
  readonly allowDegraded: boolean;
  /** Check everything and try each host's activation against a scratch root on it; change and record nothing. */
  readonly dryRun: boolean;
  /** Replace hand edits on the hosts instead of refusing them (the plan lists each one). */
  readonly overwriteDrift: boolean;
}

/** A host whose state the store did not know, recorded before the deploy. */
export interface SyncReport {
  readonly host: string;
  /** What the store said and what the host runs, in one line. */
  readonly detail: string;
}

export interface ApplyObserver extends DeployObserver {
  /** Hosts whose state was recorded into the store (commit `commit`) before anything changed. */
  synced(hosts: readonly SyncReport[], commit: string): void;
}

export interface ApplyRun {
  readonly store: Store;
  readonly ref: string;
  /** What the store says is deployed, at the plan's base. */
  readonly deployed: ClusterSnapshot;
  readonly targets: ReadonlyMap<string, Target>;
  /** Hosts with nothing planned that are locked and checked too (for hand edits to replace). */
  readonly alsoCheck?: readonly string[];
  readonly deployer: Deployer;
  readonly settings: ApplySettings;
  /** The first Ctrl-C or SIGTERM: no new host starts; activations in flight finish and are recorded. */
  readonly signal: AbortSignal;
  readonly observer: ApplyObserver;
  readonly author: Identity;
  /** Provenance for the records; the plan digest is added per record. */
  readonly trailers: Omit<AttemptTrailers, 'planDigest'>;
  /** Records one attempt (the CLI commits it, the Action also pushes it) and returns its commit. */
  record(attempt: Attempt): Promise<string>;
  /** The plan again, over a store that now records what some hosts run. */
  replan(deployed: ClusterSnapshot, base: string | null): Promise<ApplyTarget>;
  /**
   * Whether to go on with a plan: first before any host is contacted, then again, with the
   * hosts locked, when recording what they run changed the plan.
   */
  approve(target: ApplyTarget, stage: 'initial' | 'corrected'): Promise<boolean>;
}

export interface ApplyResult {
  /** The plan that was applied (after any correction). */
  readonly target: ApplyTarget;
  readonly outcomes: readonly HostOutcome[];
  /** The record of hosts read back into the store before the deploy. */
  readonly synced: { readonly hosts: readonly SyncReport[]; readonly commit: string } | null;
  /** The attempt's record; null when nothing changed on any host (or recording failed). */
  readonly commit: string | null;
  /** Why the attempt could not be recorded; the hosts did change. */
  readonly recordError: string | null;
  /** Stopped by Ctrl-C or SIGTERM. */
  readonly interrupted: boolean;
  /** The plan was not approved (first, or after its correction). */
  readonly declined: boolean;
  /** Seconds spent on the hosts and the store, not at a prompt. */
  readonly seconds: number;
  /** The rollout's failure budget stopped it: later hosts were not started. */
  readonly stopped: StoppedRollout | null;
}

/** Runs `work` over `items` with at most `limit` at once, in order of start. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Units a host's plan links that the host may not have yet, with the app that ships each. */
function newUnits(plan: Plan, host: string): Map<string, string> {
  const units = new Map<string, string>();
  for (const app of plan.hosts.find((h) => h.host === host)?.apps ?? []) {
    for (const unit of app.units.link) if (!unit.includes('/')) units.set(unit, app.app);
  }
  return units;
}

/** Time on the hosts and the store: the clock stops while a prompt waits for the operator. */
class Stopwatch {
  private spent = 0;
  private since = performance.now();
  pause(): void {
    this.spent += performance.now() - this.since;
  }
  resume(): void {
    this.since = performance.now();
  }
  get seconds(): number {
    return (this.spent + performance.now() - this.since) / 1000;
  }
}

/** Why a rollout stopped before its last stage. */
export interface StoppedRollout {
  /** 1-based index of the last stage that ran, and its kind. */
  readonly stage: number;
  readonly kind: 'canary' | 'batch';
  readonly failed: number;
  readonly maxFailed: number;
}

/**
 * One run of the apply flow: the plan as it stands (corrected as hosts are read back), what
 * the store says is deployed, and the outcome of each host so far.
 */
class Flow {
  target: ApplyTarget;
  deployed: ClusterSnapshot;
  synced: { hosts: SyncReport[]; commit: string } | null = null;
  readonly outcomes = new Map<string, HostOutcome>();
  stopped: StoppedRollout | null = null;
  /** Hosts a dry run found running what the store does not know: not read back, so not tried. */
  private readonly unrecorded = new Set<string>();
  private failed = 0;
  readonly clock = new Stopwatch();

  constructor(
    private readonly run: ApplyRun,
    initial: ApplyTarget,
  ) {
    this.target = initial;
    this.deployed = run.deployed;
  }

  async approve(next: ApplyTarget, stage: 'initial' | 'corrected'): Promise<boolean> {
    this.clock.pause();
    try {
      return await this.run.approve(next, stage);
    } finally {
      this.clock.resume();
    }
  }

  /** Releases `hosts` and gives each the same outcome. */
  async settle(hosts: readonly string[], outcome: (host: string) => HostOutcome): Promise<void> {
    for (const host of hosts) {
      await this.run.deployer.release(host);
      const result = outcome(host);
      if (result.status === 'refused') this.run.observer.phase(host, 'refused', result.problems.join('; '));
      if (result.status === 'skipped') this.run.observer.phase(host, 'skipped', result.problems.join('; '));
      this.outcomes.set(host, result);
    }
  }

  /**
   * Locks and checks `hosts`, all or nothing; records what moved hosts run and plans again;
   * puts hand edits into the plan (with --overwrite-drift) and asks again when the plan
   * changed. Returns the problems per refused host: none, and every host of the plan among
   * `hosts` stays locked, ready to change; hosts it no longer plans are released.
   */
  async prepare(hosts: readonly string[]): Promise<Map<string, string[]>> {
    const { run } = this;
    const { deployer, observer, signal, settings } = run;
    const before = this.target;
    const locks = await pool(hosts, settings.parallel, (host) =>
      signal.aborted ? Promise.resolve({ ok: false as const, problems: ['not started: the run was interrupted'] }) : deployer.lock(host, this.deployed.get(host), [...newUnits(before.plan, host).keys()]),
    );
    const problems = new Map<string, string[]>();
    if (signal.aborted) return problems;
    const assessments = new Map<string, Assessment>();
    const drifted = new Map<string, readonly DriftItem[]>();
    for (const [i, host] of hosts.entries()) {
      const lock = locks[i];
      if (!lock.ok) {
        problems.set(host, lock.problems);
        continue;
      }
      const checks = { host, expectedHostname: run.targets.get(host)!.expectedHostname, allowDegraded: settings.allowDegraded, newUnits: newUnits(before.plan, host) };
      const assessment = assess(checks, lock.facts, lock.links, this.deployed.get(host));
      assessments.set(host, assessment);
      const hostProblems = [...assessment.problems];
      if (assessment.drift.length > 0 && settings.overwriteDrift) drifted.set(host, assessment.drift);
      else if (assessment.drift.length > 0) hostProblems.push(driftRefusal(host, assessment.drift));
      if (hostProblems.length > 0) problems.set(host, hostProblems);
    }
    if (problems.size === 0) {
      const stale = await movedSincePlan(run.store, run.ref, before.plan, this.deployed);
      if (stale.length > 0) for (const host of hosts) problems.set(host, stale);
    }
    if (problems.size > 0) return problems;

    // What hosts run that the store does not know is recorded first; the plan follows it.
    const moved = [...assessments].filter(([, a]) => a.moved !== null);
    if (moved.length > 0 && settings.dryRun) {
      for (const [host] of moved) this.unrecorded.add(host);
      for (const [host] of moved) observer.phase(host, 'locked', 'the store does not know what this host runs: a deploy, or deptool sync, records it first');
    } else if (moved.length > 0) {
      const read: SyncedHost[] = [];
      const snapshots = new Map<string, HostSnapshot>();
      for (const [host, assessment] of moved) {
        observer.phase(host, 'syncing', 'recording what the host runs: the store did not know it');
        try {
          const state = assessment.moved!;
          const back = await readBack(run.store, deployer, host, appRevisions(state), new Set(), { expected: this.deployed.get(host), desired: before.desired.get(host), sourceDir: before.sourceDir });
          if (!sameState(hostState(back.snapshot), state)) {
            throw new RevisionMismatch(`the host's record (/var/lib/deptool/state.json) does not match the manifests of the revisions it names; run 'deptool deploy --overwrite-drift --limit ${host}'`);
          }
          read.push(back.synced);
          snapshots.set(host, back.snapshot);
        } catch (error) {
          problems.set(host, [error instanceof Error ? error.message : String(error)]);
        }
      }
      if (problems.size > 0) return problems;
      const commit = await run.record(syncAttempt(read, this.deployed, before.plan.base, { ref: run.ref, author: run.author, trailers: run.trailers }));
      const reports = read.map((h) => ({ host: h.host, detail: h.detail }));
      this.synced = { hosts: [...(this.synced?.hosts ?? []), ...reports], commit };
      observer.synced(reports, commit);
      const next = new Map(this.deployed);
      for (const [host, snapshot] of snapshots) next.set(host, snapshot);
      this.deployed = next;
      this.target = await run.replan(this.deployed, commit);
    }

    // Hand edits the operator chose to replace are part of the plan they approve.
    if (drifted.size > 0) this.target = { ...this.target, plan: withOverwrites(this.target.plan, drifted, this.deployed, this.target.desired) };
    // A corrected plan may link units the hosts were not asked about when they were locked.
    for (const plan of this.target.plan.hosts) {
      if (!hosts.includes(plan.host)) continue;
      const asked = newUnits(before.plan, plan.host);
      const more = new Map([...newUnits(this.target.plan, plan.host)].filter(([unit]) => !asked.has(unit)));
      if (more.size === 0) continue;
      const found = foreignUnits(more, await deployer.units(plan.host, [...more.keys()]));
      if (found.length > 0) problems.set(plan.host, found);
    }
    if (problems.size > 0) return problems;
    if (!settings.dryRun && planDigest(this.target.plan) !== planDigest(before.plan) && !(await this.approve(this.target, 'corrected'))) {
      for (const host of hosts) problems.set(host, [signal.aborted ? 'the run was interrupted before any host changed' : 'the corrected plan was not approved']);
      return problems;
    }
    const still = new Set(this.target.plan.hosts.map((h) => h.host));
    for (const host of hosts) {
      if (still.has(host)) continue;
      await deployer.release(host);
      observer.phase(host, 'up to date');
      this.outcomes.set(host, { host, status: 'unchanged', problems: [], activation: null });
    }
    return problems;
  }

  /**
   * A dry run of `hosts`, locked and checked: each planned host's activation against a scratch
   * root on it. Not a host the store does not know (its plan would be made again over what it
   * runs); hosts with nothing planned already have their outcome.
   */
  async dryRun(hosts: readonly string[]): Promise<void> {
    const { deployer, settings, signal } = this.run;
    const plans = this.target.plan.hosts.filter((plan) => hosts.includes(plan.host));
    const outcomes = await pool(plans, settings.parallel, async (plan): Promise<HostOutcome> => {
      if (this.unrecorded.has(plan.host) || signal.aborted) {
        await deployer.release(plan.host);
        return signal.aborted ? skipped(plan.host, 'not started: the run was interrupted') : { host: plan.host, status: 'unchanged', problems: [], activation: null };
      }
      const desired = this.target.desired.get(plan.host)!;
      const work = { plan, deployed: this.deployed.get(plan.host), desired, content: this.target.content, settleMs: settings.settleMs };
      return deployer.dryRun(work, hostState(desired));
    });
    for (const outcome of outcomes) this.outcomes.set(outcome.host, outcome);
  }

  /**
   * Stops the rollout after stage `stopped.stage`, when a stage is left to stop: a budget
   * exceeded by the last stage (a canary that is the whole fleet, say) stopped nothing, and the
   * run ends as its hosts did.
   */
  stop(stopped: StoppedRollout): void {
    if (stopped.stage < (this.target.plan.rollout?.stages.length ?? 1)) this.stopped = stopped;
  }

  /**
   * Activates the stage's hosts (those still planned), then counts its failures against the
   * budget. Once the budget is exceeded, or the run interrupted, no further host starts.
   */
  async runStage(hosts: readonly string[], index: number, kind: 'canary' | 'batch'): Promise<void> {
    const { run } = this;
    const { deployer, observer, signal, settings } = run;
    const plans = this.target.plan.hosts.filter((plan) => hosts.includes(plan.host));
    if (this.stopped !== null || signal.aborted) {
      const why = this.stopped !== null ? stoppedReason(this.stopped) : 'not started: the run was interrupted';
      await this.settle(plans.map((p) => p.host), (host) => skipped(host, why));
      return;
    }
    const pause = this.target.plan.rollout?.policy.pause ?? 0;
    if (index > 0 && pause > 0) {
      this.clock.pause();
      await sleep(pause * 1000, undefined, { signal }).catch(() => undefined);
      this.clock.resume();
    }
    const outcomes = await pool(plans, settings.parallel, async (plan): Promise<HostOutcome> => {
      if (signal.aborted) {
        await deployer.release(plan.host);
        observer.phase(plan.host, 'skipped', 'not started: the run was interrupted');
        return skipped(plan.host, 'not started: the run was interrupted');
      }
      const desired = this.target.desired.get(plan.host)!;
      const work = { plan, deployed: this.deployed.get(plan.host), desired, content: this.target.content, settleMs: settings.settleMs };
      return deployer.activate(work, hostState(desired));
    });
    for (const outcome of outcomes) this.outcomes.set(outcome.host, outcome);
    this.failed += outcomes.filter((o) => o.status === 'failed' || o.status === 'rolled-back').length;
    const budget = this.target.plan.rollout?.maxFailed ?? null;
    if (budget !== null && this.failed > budget) this.stop({ stage: index + 1, kind, failed: this.failed, maxFailed: budget });
  }
}

function stoppedReason(stopped: StoppedRollout): string {
  return `not started: the rollout stopped after its ${stopped.kind === 'canary' ? 'canary' : `stage ${stopped.stage}`}, with ${stopped.failed} failed host(s) against a budget of ${stopped.maxFailed}`;
}

export async function applyPlan(run: ApplyRun, initial: ApplyTarget): Promise<ApplyResult> {
  const { deployer, signal, settings } = run;
  const flow = new Flow(run, initial);
  const hosts = [...new Set([...initial.plan.hosts.map((h) => h.host), ...(run.alsoCheck ?? [])])];
  // In the plan's order, whatever order the stages ran in.
  const ordered = () => hosts.flatMap((host) => flow.outcomes.get(host) ?? []);
  const result = (extra: Partial<ApplyResult> = {}): ApplyResult => ({
    target: flow.target,
    outcomes: ordered(),
    synced: flow.synced,
    commit: null,
    recordError: null,
    interrupted: signal.aborted,
    declined: false,
    stopped: flow.stopped,
    seconds: flow.clock.seconds,
    ...extra,
  });
  if (hosts.length === 0) return result();
  if (initial.plan.hosts.length > 0 && !(await flow.approve(initial, 'initial'))) return result({ declined: true });

  /** Refused (or interrupted) hosts, and every other one of `group` released unchanged. */
  const refuse = async (group: readonly string[], problems: Map<string, string[]>) => {
    await flow.settle(group, (host) => {
      const found = problems.get(host);
      if (found) return { host, status: 'refused', problems: found, activation: null };
      return signal.aborted ? skipped(host, 'the run was interrupted before any host changed') : { host, status: 'unchanged', problems: [], activation: null };
    });
  };
  const declined = (problems: Map<string, string[]>) => [...problems.values()].some((p) => p[0] === 'the corrected plan was not approved');

  if (initial.plan.rollout?.locking !== 'per-stage') {
    // Lock and check every host before anything changes anywhere.
    const problems = await flow.prepare(hosts);
    if (problems.size > 0 || signal.aborted) {
      const wasDeclined = declined(problems);
      await refuse(hosts, wasDeclined ? new Map<string, string[]>() : problems);
      await deployer.releaseAll();
      return result({ declined: wasDeclined });
    }
    if (settings.dryRun) {
      await flow.dryRun(hosts);
      await deployer.releaseAll();
      return result();
    }
    const stages = flow.target.plan.rollout?.stages ?? [{ kind: 'batch' as const, hosts: flow.target.plan.hosts.map((h) => h.host) }];
    for (const [index, stage] of stages.entries()) await flow.runStage(stage.hosts, index, stage.kind);
  } else {
    // More hosts than the driver holds at once: each stage is locked and checked, all or nothing, before it changes.
    for (const [index, stage] of initial.plan.rollout.stages.entries()) {
      if (flow.stopped !== null || signal.aborted) {
        await flow.runStage(stage.hosts, index, stage.kind);
        continue;
      }
      const problems = await flow.prepare(stage.hosts);
      if (problems.size === 0 && settings.dryRun && !signal.aborted) {
        await flow.dryRun(stage.hosts);
        continue;
      }
      if (problems.size > 0 || signal.aborted) {
        const wasDeclined = declined(problems);
        await refuse(stage.hosts, wasDeclined ? new Map<string, string[]>() : problems);
        if (wasDeclined) return result({ declined: true });
        if (problems.size > 0) flow.stop({ stage: index + 1, kind: stage.kind, failed: 0, maxFailed: flow.target.plan.rollout?.maxFailed ?? 0 });
        continue;
      }
      await flow.runStage(stage.hosts, index, stage.kind);
    }
  }
  await deployer.releaseAll();

  const target = flow.target;
  const outcomes = ordered();
  if (settings.dryRun || nothingChanged(outcomes)) return result();
  const attempt = attemptFromPlan(target.plan, target.desired, target.sourceDir, {
    ref: run.ref,
    author: run.author,
    results: resultsOf(outcomes),
    trailers: { ...run.trailers, planDigest: planDigest(target.plan) },
  });
  try {
    const commit = await run.record(target.title ? { ...attempt, title: target.title } : attempt);
    return result({ commit });
  } catch (error) {
    return result({ recordError: error instanceof Error ? error.message : String(error) });
  }
}

function skipped(host: string, why: string): HostOutcome {
  return { host, status: 'skipped', problems: [why], activation: null };
}

