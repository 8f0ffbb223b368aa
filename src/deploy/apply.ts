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

export async function applyPlan(run: ApplyRun, initial: ApplyTarget): Promise<ApplyResult> {
  const { deployer, observer, signal, settings } = run;
  let target = initial;
  const clock = new Stopwatch();
  const result = (outcomes: readonly HostOutcome[], extra: Partial<ApplyResult> = {}): ApplyResult => ({
    target,
    outcomes,
    synced: null,
    commit: null,
    recordError: null,
    interrupted: signal.aborted,
    declined: false,
    seconds: clock.seconds,
    ...extra,
  });
  const approve = async (next: ApplyTarget, stage: 'initial' | 'corrected'): Promise<boolean> => {
    clock.pause();
    try {
      return await run.approve(next, stage);
    } finally {
      clock.resume();
    }
  };
  const hosts = [...new Set([...target.plan.hosts.map((h) => h.host), ...(run.alsoCheck ?? [])])];
  if (hosts.length === 0) return result([]);
  if (target.plan.hosts.length > 0 && !(await approve(target, 'initial'))) return result([], { declined: true });

  // Lock and check every host before anything changes anywhere.
  const locks = await pool(hosts, settings.parallel, (host) =>
    signal.aborted ? Promise.resolve({ ok: false as const, problems: ['not started: the run was interrupted'] }) : deployer.lock(host, run.deployed.get(host), [...newUnits(target.plan, host).keys()]),
  );
  if (signal.aborted) {
    await deployer.releaseAll();
    return result(hosts.map((host) => skipped(host, 'the run was interrupted before any host changed')));
  }
  const assessments = new Map<string, Assessment>();
  const problems = new Map<string, string[]>();
  const drifted = new Map<string, readonly DriftItem[]>();
  for (const [i, host] of hosts.entries()) {
    const lock = locks[i];
    if (!lock.ok) {
      problems.set(host, lock.problems);
      continue;
    }
    const checks = { host, expectedHostname: run.targets.get(host)!.expectedHostname, allowDegraded: settings.allowDegraded, newUnits: newUnits(target.plan, host) };
    const assessment = assess(checks, lock.facts, lock.links, run.deployed.get(host));
    assessments.set(host, assessment);
    const hostProblems = [...assessment.problems];
    if (assessment.drift.length > 0 && settings.overwriteDrift) drifted.set(host, assessment.drift);
    else if (assessment.drift.length > 0) hostProblems.push(driftRefusal(host, assessment.drift));
    if (hostProblems.length > 0) problems.set(host, hostProblems);
  }
  if (problems.size === 0) {
    const stale = await movedSincePlan(run.store, run.ref, target.plan, run.deployed);
    if (stale.length > 0) for (const host of hosts) problems.set(host, stale);
  }

  // What hosts run that the store does not know is recorded first; the plan follows it.
  let deployed = run.deployed;
  let synced: ApplyResult['synced'] = null;
  const moved = [...assessments].filter(([, a]) => a.moved !== null);
  if (problems.size === 0 && moved.length > 0 && settings.dryRun) {
    for (const [host] of moved) observer.phase(host, 'locked', 'the store does not know what this host runs: a deploy, or deptool sync, records it first');
  } else if (problems.size === 0 && moved.length > 0) {
    const read: SyncedHost[] = [];
    const snapshots = new Map<string, HostSnapshot>();
    for (const [host, assessment] of moved) {
      observer.phase(host, 'syncing', 'recording what the host runs: the store did not know it');
      try {
        const state = assessment.moved!;
        const back = await readBack(run.store, run.deployer, host, appRevisions(state), new Set(), { expected: deployed.get(host), desired: target.desired.get(host), sourceDir: target.sourceDir });
        if (!sameState(hostState(back.snapshot), state)) {
          throw new RevisionMismatch(`the host's record (/var/lib/deptool/state.json) does not match the manifests of the revisions it names; run 'deptool deploy --overwrite-drift --limit ${host}'`);
        }
        read.push(back.synced);
        snapshots.set(host, back.snapshot);
      } catch (error) {
        problems.set(host, [error instanceof Error ? error.message : String(error)]);
      }
    }
    if (problems.size === 0) {
      const commit = await run.record(syncAttempt(read, deployed, target.plan.base, { ref: run.ref, author: run.author, trailers: run.trailers }));
      synced = { hosts: read.map((h) => ({ host: h.host, detail: h.detail })), commit };
      observer.synced(synced.hosts, commit);
      const next = new Map(deployed);
      for (const [host, snapshot] of snapshots) next.set(host, snapshot);
      deployed = next;
      target = await run.replan(deployed, commit);
    }
  }

  if (problems.size === 0) {
    // Hand edits the operator chose to replace are part of the plan they approve.
    if (drifted.size > 0) target = { ...target, plan: withOverwrites(target.plan, drifted, deployed, target.desired) };
    // A corrected plan may link units the hosts were not asked about when they were locked.
    for (const plan of target.plan.hosts) {
      const asked = newUnits(initial.plan, plan.host);
      const more = new Map([...newUnits(target.plan, plan.host)].filter(([unit]) => !asked.has(unit)));
      if (more.size === 0) continue;
      const found = foreignUnits(more, await deployer.units(plan.host, [...more.keys()]));
      if (found.length > 0) problems.set(plan.host, found);
    }
  }

  if (problems.size === 0) {
    if (!settings.dryRun && planDigest(target.plan) !== planDigest(initial.plan)) {
      if (!(await approve(target, 'corrected')) || signal.aborted) {
        await deployer.releaseAll();
        return result(
          hosts.map((host) => (signal.aborted ? skipped(host, 'the run was interrupted before any host changed') : { host, status: 'unchanged', problems: [], activation: null })),
          { synced, declined: !signal.aborted },
        );
      }
    }
    const still = new Set(target.plan.hosts.map((h) => h.host));
    for (const host of hosts) {
      if (still.has(host)) continue;
      await deployer.release(host);
      observer.phase(host, 'up to date');
    }
  }

  if (problems.size > 0 || signal.aborted) {
    await deployer.releaseAll();
    const outcomes = hosts.map((host): HostOutcome => {
      const found = problems.get(host);
      if (found) observer.phase(host, 'refused', found.join('; '));
      if (found) return { host, status: 'refused', problems: found, activation: null };
      return signal.aborted ? skipped(host, 'the run was interrupted before any host changed') : { host, status: 'unchanged', problems: [], activation: null };
    });
    return result(outcomes, { synced });
  }

  if (settings.dryRun) return result(await dryRun(run, target, deployed, new Set(moved.map(([host]) => host)), hosts), { synced });

  const outcomes = await pool(target.plan.hosts, settings.parallel, async (plan): Promise<HostOutcome> => {
    if (signal.aborted) {
      await deployer.release(plan.host);
      observer.phase(plan.host, 'skipped', 'not started: the run was interrupted');
      return skipped(plan.host, 'not started: the run was interrupted');
    }
    const desired = target.desired.get(plan.host)!;
    const work = { plan, deployed: deployed.get(plan.host), desired, content: target.content, settleMs: settings.settleMs };
    return deployer.activate(work, hostState(desired));
  });

  if (nothingChanged(outcomes)) return result(outcomes, { synced });
  const attempt = attemptFromPlan(target.plan, target.desired, target.sourceDir, {
    ref: run.ref,
    author: run.author,
    results: resultsOf(outcomes),
    trailers: { ...run.trailers, planDigest: planDigest(target.plan) },
  });
  try {
    const commit = await run.record(target.title ? { ...attempt, title: target.title } : attempt);
    return result(outcomes, { synced, commit });
  } catch (error) {
    return result(outcomes, { synced, recordError: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * A dry run's hosts, all locked and checked: each planned host's activation against a scratch
 * root on it. Not a host the store does not know (its plan would be made again over what it
 * runs), nor one with nothing planned.
 */
async function dryRun(run: ApplyRun, target: ApplyTarget, deployed: ClusterSnapshot, moved: ReadonlySet<string>, hosts: readonly string[]): Promise<HostOutcome[]> {
  const { deployer, settings, signal } = run;
  const planned = new Map(target.plan.hosts.map((plan) => [plan.host, plan]));
  return pool(hosts, settings.parallel, async (host): Promise<HostOutcome> => {
    const plan = planned.get(host);
    if (plan === undefined || moved.has(host) || signal.aborted) {
      await deployer.release(host);
      return signal.aborted ? skipped(host, 'not started: the run was interrupted') : { host, status: 'unchanged', problems: [], activation: null };
    }
    const desired = target.desired.get(host)!;
    return deployer.dryRun({ plan, deployed: deployed.get(host), desired, content: target.content, settleMs: settings.settleMs }, hostState(desired));
  });
}

function skipped(host: string, why: string): HostOutcome {
  return { host, status: 'skipped', problems: [why], activation: null };
}

