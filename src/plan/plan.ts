// The planner: a pure function from (deployed state, desired state) to a Plan.
// No I/O, no clock: the loader (src/plan/load.ts) reads the tree and the store.
import { appLinks, type AppSnapshot, type ClusterSnapshot, type FileEntry, type HostSnapshot } from '../tree/types.js';
import type { RolloutPolicy } from '../tree/rollout.js';
import { quadletUnit } from '../tree/validate.js';
import { planRollout } from './rollout.js';
import { PLAN_SCHEMA_VERSION, type AppPlan, type FileChange, type HostPlan, type Plan, type SymlinkChange } from './types.js';

export interface PlanInput {
  readonly cluster: string;
  /** Store commit the deployed state was read from (null: empty store). */
  readonly base: string | null;
  readonly deployed: ClusterSnapshot;
  readonly desired: ClusterSnapshot;
  /** Only these hosts are planned (already validated to exist); all when absent. */
  readonly limit?: ReadonlySet<string>;
  /** How the deploy goes through the hosts (deptool.json's `rollout` and overrides). */
  readonly rollout?: RolloutPolicy;
  /** Hosts locked at once (a test's small fleet can stand for a large one). */
  readonly lockedAtOnce?: number;
}

/** Byte-order comparison, so output does not depend on the machine's locale. */
export function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function revOf(app: AppSnapshot | undefined): string | null {
  return app ? app.treeOid.slice(0, 10) : null;
}

function sameEntry(a: FileEntry, b: FileEntry): boolean {
  return a.oid === b.oid && a.executable === b.executable;
}

function diffFiles(old: AppSnapshot | undefined, next: AppSnapshot | undefined): FileChange[] {
  const oldFiles = old?.files ?? new Map<string, FileEntry>();
  const newFiles = next?.files ?? new Map<string, FileEntry>();
  const changes: FileChange[] = [];
  for (const [path, entry] of newFiles) {
    const before = oldFiles.get(path);
    if (!before) changes.push({ path, change: 'add', old: null, new: entry });
    else if (!sameEntry(before, entry)) changes.push({ path, change: 'modify', old: before, new: entry });
  }
  for (const [path, entry] of oldFiles) {
    if (!newFiles.has(path)) changes.push({ path, change: 'remove', old: entry, new: null });
  }
  return changes.sort((a, b) => byBytes(a.path, b.path));
}

/** Elements of `a` not in `b`, sorted. */
function minus(a: Iterable<string>, b: Iterable<string>): string[] {
  const exclude = new Set(b);
  return [...new Set(a)].filter((x) => !exclude.has(x)).sort(byBytes);
}

function intersect(a: Iterable<string>, b: Iterable<string>): string[] {
  const keep = new Set(b);
  return [...new Set(a)].filter((x) => keep.has(x)).sort(byBytes);
}

function diffSymlinks(old: AppSnapshot | undefined, next: AppSnapshot | undefined): SymlinkChange[] {
  const before = old?.manifest.symlinks ?? new Map<string, string>();
  const after = next?.manifest.symlinks ?? new Map<string, string>();
  const changes: SymlinkChange[] = [];
  for (const [target, source] of after) {
    const previous = before.get(target);
    if (previous === undefined) changes.push({ target, change: 'link', source, oldSource: null });
    else if (previous !== source) changes.push({ target, change: 'link', source, oldSource: previous });
  }
  for (const [target, source] of before) {
    if (!after.has(target)) changes.push({ target, change: 'unlink', source, oldSource: null });
  }
  return changes.sort((a, b) => byBytes(a.target, b.target));
}

function planApp(name: string, old: AppSnapshot | undefined, next: AppSnapshot | undefined): AppPlan | null {
  if (old && next && old.treeOid === next.treeOid) return null;
  const action = !old ? 'add' : !next ? 'remove' : 'update';
  const files = diffFiles(old, next);
  const oldLinks = appLinks(old?.files.keys() ?? []);
  const newLinks = appLinks(next?.files.keys() ?? []);
  const oldUnitPaths = [...oldLinks.units, ...oldLinks.dropIns];
  const newUnitPaths = [...newLinks.units, ...newLinks.dropIns];
  const oldEnabled = old?.manifest.unitsEnabled ?? [];
  const newEnabled = next?.manifest.unitsEnabled ?? [];
  const hostUnits = hostUnitsOf((next ?? old)!.manifest);
  const quadletsChanged = files.some((f) => f.path.startsWith('quadlets/'));
  return {
    app: name,
    action,
    oldRev: revOf(old),
    newRev: revOf(next),
    files,
    symlinks: diffSymlinks(old, next),
    sysusers: { link: minus(newLinks.sysusers, oldLinks.sysusers), unlink: minus(oldLinks.sysusers, newLinks.sysusers) },
    runSysusers: files.some((f) => isSysusersFile(f.path)),
    units: {
      link: minus(newUnitPaths, oldUnitPaths),
      unlink: minus(oldUnitPaths, newUnitPaths),
      disable: minus(oldEnabled, newEnabled),
      enable: minus(newEnabled, oldEnabled),
      // Any change to an app restarts its enabled units; newly enabled ones start on enable.
      restart: intersect(oldEnabled, newEnabled),
    },
    ...(quadletsChanged ? { quadlets: { link: minus(newLinks.quadlets, oldLinks.quadlets), unlink: minus(oldLinks.quadlets, newLinks.quadlets) } } : {}),
    ...(hostUnits ? { hostUnits } : {}),
    ...(next && next.manifest.validate.length > 0 ? { validate: next.manifest.validate } : {}),
    ...(next && next.manifest.checks.length > 0 ? { checks: next.manifest.checks } : {}),
  };
}

/** The host units an app's change restarts and reloads, sorted; null when it lists none. */
export function hostUnitsOf(manifest: AppSnapshot['manifest']): AppPlan['hostUnits'] | null {
  if (manifest.unitsRestarted.length + manifest.unitsReloaded.length === 0) return null;
  return { restart: [...manifest.unitsRestarted].sort(byBytes), reload: [...manifest.unitsReloaded].sort(byBytes) };
}

/**
 * What a rollback of the host could not put back, in plain words. Deptool marks every plan
 * that adds a link or enables a unit; our agent undoes those exactly (it removes the links it
 * made, puts back adopted files, disables what it enabled: docs/agent-protocol.md), so only
 * what its undo journal has no inverse for counts: the users and groups systemd-sysusers
 * creates, and a unit started from a new quadlet, which a rollback unlinks without stopping.
 */
function rollbackReasons(apps: readonly AppPlan[]): string[] {
  const reasons: string[] = [];
  for (const app of apps) {
    for (const file of app.files) {
      if (file.change !== 'remove' && isSysusersFile(file.path)) {
        reasons.push(`it runs systemd-sysusers for ${app.app}/${file.path}, and a rollback does not delete the users and groups it creates`);
      }
    }
    const started = new Set([...(app.hostUnits?.restart ?? []), ...(app.hostUnits?.reload ?? [])]);
    for (const quadlet of app.quadlets?.link ?? []) {
      const unit = quadletUnit(quadlet);
      if (started.has(unit)) reasons.push(`it starts ${unit} from the new quadlet ${app.app}/quadlets/${quadlet}, and a rollback removes the quadlet without stopping ${unit}`);
    }
  }
  return reasons;
}

function isSysusersFile(path: string): boolean {
  return path.startsWith('sysusers/') && path.indexOf('/', 'sysusers/'.length) === -1;
}

function planHost(name: string, deployed: HostSnapshot | undefined, desired: HostSnapshot): HostPlan | null {
  const oldApps = deployed?.apps ?? new Map<string, AppSnapshot>();
  const names = [...new Set([...oldApps.keys(), ...desired.apps.keys()])].sort(byBytes);
  const apps = names.flatMap((app) => planApp(app, oldApps.get(app), desired.apps.get(app)) ?? []);
  if (apps.length === 0) return null;
  const reasons = rollbackReasons(apps);
  return { host: name, newHost: deployed === undefined, apps, rollback: { available: reasons.length === 0, reasons } };
}

export function makePlan(input: PlanInput): Plan {
  const inScope = (host: string) => !input.limit || input.limit.has(host);
  const hosts: HostPlan[] = [];
  const upToDate: string[] = [];
  for (const name of [...input.desired.keys()].sort(byBytes)) {
    if (!inScope(name)) continue;
    const plan = planHost(name, input.deployed.get(name), input.desired.get(name)!);
    if (plan) hosts.push(plan);
    else upToDate.push(name);
  }
  const untracked = [...input.deployed.keys()].filter((h) => !input.desired.has(h) && inScope(h)).sort(byBytes);
  const rollout = planRollout(hosts.map((h) => h.host), input.rollout, input.lockedAtOnce);
  return { schema: PLAN_SCHEMA_VERSION, cluster: input.cluster, base: input.base, hosts, upToDate, untracked, ...(rollout ? { rollout } : {}) };
}
