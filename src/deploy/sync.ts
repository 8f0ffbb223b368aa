// `deptool sync` and the Action's sync mode: read what hosts run into the store, as one
// commit. The hosts are the truth. Hand edits are accepted as they are: the edited
// revision is recorded under its new id, and the host's record is relabelled to it
// (nothing restarts: what runs does not change). Links changed by hand cannot be expressed
// in the config tree, so such a host is refused with the way to put them back.
import type { AppPlan, HostPlan } from '../plan/types.js';
import type { Store } from '../store/store.js';
import type { Attempt, AttemptTrailers, Identity } from '../store/types.js';
import type { ClusterSnapshot, ConfigTree, HostSnapshot } from '../tree/types.js';
import type { Target } from '../transport/targets.js';
import { pool } from './apply.js';
import { assess, describeDrift, parseState, sameState } from './assess.js';
import { syncAttempt, type SyncedHost } from './attempt.js';
import type { DeployObserver, Deployer } from './deploy.js';
import { appRevisions, readBack } from './readback.js';
import { hostState } from './steps.js';

export interface SyncRun {
  readonly store: Store;
  readonly ref: string;
  readonly base: string | null;
  /** What the store says is deployed, at `base`. */
  readonly deployed: ClusterSnapshot;
  /** The config tree: revisions it has need no download. */
  readonly tree: ConfigTree;
  readonly targets: ReadonlyMap<string, Target>;
  readonly deployer: Deployer;
  readonly parallel: number;
  /** The first Ctrl-C or SIGTERM: no new host is read; hosts read so far are recorded. */
  readonly signal: AbortSignal;
  readonly observer: DeployObserver;
  readonly author: Identity;
  readonly trailers: AttemptTrailers;
  /** Records the sync (the CLI commits it, the Action also pushes it) and returns its commit. */
  record(attempt: Attempt): Promise<string>;
}

export type SyncStatus = 'up to date' | 'synced' | 'refused' | 'skipped';

export interface HostSync {
  readonly host: string;
  readonly status: SyncStatus;
  /** Why a host was refused, one sentence each. */
  readonly problems: readonly string[];
  /** What the store said and what the host runs, for a synced host. */
  readonly detail: string | null;
  /** Hand edits were accepted: the host's record now names the edited revisions. */
  readonly accepted: readonly string[];
}

export interface SyncResult {
  readonly hosts: readonly HostSync[];
  /** The sync's record; null when every host was up to date (or none could be read). */
  readonly commit: string | null;
  readonly interrupted: boolean;
}

interface Read {
  readonly synced: SyncedHost;
  readonly snapshot: HostSnapshot;
  /** The host's record must be rewritten (hand edits accepted, or a record edited or lost). */
  readonly relabel: HostPlan | null;
  readonly accepted: string[];
}

const NO_UNITS = { link: [], unlink: [], disable: [], enable: [], restart: [] } as const;

/** A plan that only renames revisions on the host: flips `current` to the accepted revision, restarts nothing. */
function relabelPlan(host: string, from: ReadonlyMap<string, string>, to: HostSnapshot): HostPlan {
  const apps: AppPlan[] = [];
  for (const app of to.apps.values()) {
    const rev = app.treeOid.slice(0, 10);
    if (from.get(app.name) === rev) continue;
    apps.push({ app: app.name, action: 'update', oldRev: from.get(app.name) ?? null, newRev: rev, files: [], symlinks: [], sysusers: { link: [], unlink: [] }, runSysusers: false, units: NO_UNITS });
  }
  return { host, newHost: false, apps, rollback: { available: true, reasons: [] } };
}

async function readHost(run: SyncRun, host: string): Promise<HostSync | Read> {
  const refuse = async (problems: string[]): Promise<HostSync> => {
    await run.deployer.release(host);
    run.observer.phase(host, 'refused', problems.join('; '));
    return { host, status: 'refused', problems, detail: null, accepted: [] };
  };
  const expected = run.deployed.get(host);
  const locked = await run.deployer.lock(host, expected, []);
  if (!locked.ok) return refuse(locked.problems);
  const target = run.targets.get(host)!;
  // Reading a host changes nothing there: an unhealthy host can be read as well as any.
  const assessment = assess({ host, expectedHostname: target.expectedHostname, allowDegraded: true, newUnits: new Map() }, locked.facts, locked.links, expected);
  if (assessment.problems.length > 0) return refuse([...assessment.problems]);
  if (assessment.drift.length === 0 && assessment.moved === null) {
    await run.deployer.release(host);
    run.observer.phase(host, 'up to date');
    return { host, status: 'up to date', problems: [], detail: null, accepted: [] };
  }
  const sources = { expected, desired: run.tree.hosts.get(host), sourceDir: run.tree.dir };
  run.observer.phase(host, 'syncing');
  try {
    if (assessment.drift.length === 0) {
      const state = assessment.moved!;
      const back = await readBack(run.store, run.deployer, host, appRevisions(state), new Set(), sources);
      if (!sameState(hostState(back.snapshot), state)) {
        return refuse([`the host's record (/var/lib/deptool/state.json) does not match the manifests of the revisions it names; run 'deptool deploy --overwrite-drift --limit ${host}'`]);
      }
      return { ...back, relabel: null, accepted: [] };
    }
    // Hand edits: what runs is what `current` names, with the files as they are.
    const unfit = assessment.drift.filter((item) => item.kind === 'link' || item.kind === 'revision' || item.kind === 'permission');
    if (unfit.length > 0) {
      return refuse([
        `${unfit.map(describeDrift).join('; ')}: the config tree cannot say that, so sync cannot accept it. Run 'deptool deploy --overwrite-drift --limit ${host}' to put it back`,
      ]);
    }
    const edited = new Set(assessment.drift.flatMap((item) => (item.kind === 'file' ? [item.app] : [])));
    const current = locked.facts.current;
    const back = await readBack(run.store, run.deployer, host, current, edited, sources);
    const wanted = hostState(back.snapshot);
    const targets = Object.values(wanted.apps).flatMap((app) => Object.keys(app.links));
    const links = new Map(locked.links);
    for (const [t, value] of await run.deployer.links(host, targets.filter((t) => !links.has(t)))) links.set(t, value);
    const wrong = Object.values(wanted.apps).flatMap((app) => Object.entries(app.links).filter(([t, value]) => links.get(t) !== value).map(([t]) => t));
    if (wrong.length > 0) {
      return refuse([`the links ${wrong.join(', ')} do not match the manifests the host runs; run 'deptool deploy --overwrite-drift --limit ${host}' to put them back`]);
    }
    const recorded = parseState(locked.facts.state);
    const plan = relabelPlan(host, current, back.snapshot);
    const relabel = plan.apps.length > 0 || recorded === null || recorded === 'invalid' || !sameState(recorded, wanted) ? plan : null;
    return { ...back, relabel, accepted: assessment.drift.map(describeDrift) };
  } catch (error) {
    return refuse([error instanceof Error ? error.message : String(error)]);
  }
}

/** Reads `hosts` into the store: one commit for every host whose state it did not know. */
export async function syncHosts(run: SyncRun, hosts: readonly string[]): Promise<SyncResult> {
  const { deployer, observer, signal } = run;
  const reads = await pool(hosts, run.parallel, async (host): Promise<HostSync | Read> => {
    if (!signal.aborted) return readHost(run, host);
    observer.phase(host, 'skipped', 'not read: the run was interrupted');
    return { host, status: 'skipped', problems: ['not read: the run was interrupted'], detail: null, accepted: [] };
  });
  const read = reads.filter((r): r is Read => 'synced' in r);
  let commit: string | null = null;
  try {
    if (read.length > 0) {
      commit = await run.record(syncAttempt(read.map((r) => r.synced), run.deployed, run.base, { ref: run.ref, author: run.author, trailers: run.trailers }));
    }
    // The host's record follows what it runs, now that the store holds the revisions.
    for (const r of read) {
      const host = r.synced.host;
      if (r.relabel === null) {
        await deployer.release(host);
      } else {
        const contents = r.synced.apps;
        const outcome = await deployer.activate(
          {
            plan: r.relabel,
            deployed: run.deployed.get(host),
            desired: r.snapshot,
            content: (_host, app, path) => Promise.resolve(contents.get(app)!.get(path)!.content!),
            settleMs: 0,
          },
          hostState(r.snapshot),
        );
        if (outcome.status !== 'deployed') r.accepted.push(`the host's record could not be rewritten: ${outcome.problems.join('; ')}`);
      }
      observer.phase(host, 'synced', r.synced.detail);
    }
  } finally {
    await deployer.releaseAll();
  }
  return {
    hosts: reads.map((r) => ('synced' in r ? { host: r.synced.host, status: 'synced', problems: [], detail: r.synced.detail, accepted: r.accepted } : r)),
    commit,
    interrupted: signal.aborted,
  };
}
