// Builds the store records of a run: a deploy attempt from its plan (the commit title and,
// for hosts whose changes really landed, the app subtrees to write), and a sync of what hosts run.
import { join } from 'node:path';
import type { AppPlan, Plan } from '../plan/types.js';
import type { ClusterSnapshot } from '../tree/types.js';
import type { AppWrite, Attempt, HostResult, WriteFile } from '../store/types.js';

function list(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** `Update caddy on webserver`, `Add nginx, remove caddy on web1`, `Update caddy on 3 hosts`. */
export function attemptTitle(plan: Plan): string {
  if (plan.hosts.length === 0) return `Nothing to deploy in cluster '${plan.cluster}'`;
  const apps = plan.hosts.flatMap((h) => h.apps);
  const byAction = (action: AppPlan['action']) => [...new Set(apps.filter((a) => a.action === action).map((a) => a.app))].sort();
  const phrases = (['add', 'update', 'remove'] as const)
    .map((action) => [action, byAction(action)] as const)
    .filter(([, names]) => names.length > 0)
    .map(([action, names]) => `${action} ${list(names)}`);
  const what = phrases.join(', ');
  const onlyRemovals = apps.every((a) => a.action === 'remove');
  const where = plan.hosts.length === 1 ? plan.hosts[0].host : `${plan.hosts.length} hosts`;
  return `${what.charAt(0).toUpperCase()}${what.slice(1)} ${onlyRemovals ? 'from' : 'on'} ${where}`;
}

export interface AttemptOptions {
  readonly ref: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly date?: Date;
  /** Per-host outcome; hosts without one count as deployed (what a plain record of the plan means). */
  readonly results?: readonly HostResult[];
  readonly trailers?: Attempt['trailers'];
}

/**
 * The attempt for `plan`: `desired` is what deployed hosts now run; files are read from
 * `sourceDir` (`<host>/<app>/<path>`, the config tree), or, when it is null, must already
 * be in the store (a rollback to a stored version).
 */
export function attemptFromPlan(plan: Plan, desired: ClusterSnapshot, sourceDir: string | null, options: AttemptOptions): Attempt {
  const results: HostResult[] = plan.hosts.map(
    (h) => options.results?.find((r) => r.host === h.host) ?? { host: h.host, status: 'deployed' },
  );
  const writes = new Map<string, Map<string, AppWrite | null>>();
  for (const host of plan.hosts) {
    if (results.find((r) => r.host === host.host)?.status !== 'deployed') continue;
    const apps = new Map<string, AppWrite | null>();
    for (const app of host.apps) {
      const target = desired.get(host.host)?.apps.get(app.app);
      if (app.action === 'remove' || !target) {
        apps.set(app.app, null);
        continue;
      }
      const files = new Map<string, { executable: boolean; oid: string; source?: string }>();
      for (const [path, entry] of target.files) {
        const source = sourceDir === null ? undefined : join(sourceDir, host.host, app.app, path);
        files.set(path, { executable: entry.executable, oid: entry.oid, source });
      }
      apps.set(app.app, { files });
    }
    writes.set(host.host, apps);
  }
  return {
    ref: options.ref,
    parent: plan.base,
    title: attemptTitle(plan),
    results,
    writes,
    trailers: options.trailers,
    author: options.author,
    date: options.date,
  };
}

/** What one host runs, as read back from it, for the store to record. */
export interface SyncedHost {
  readonly host: string;
  /** app -> its files, with where the store gets each one's content when it lacks it. */
  readonly apps: ReadonlyMap<string, ReadonlyMap<string, WriteFile>>;
  /** What the store said before, in one line (for the record's detail). */
  readonly detail: string;
}

/** `Sync web1`, `Sync web1, web2`, `Sync 5 hosts`. */
function syncTitle(hosts: readonly SyncedHost[]): string {
  return `Sync ${hosts.length <= 3 ? hosts.map((h) => h.host).join(', ') : `${hosts.length} hosts`}`;
}

/**
 * The record of what `hosts` run, replacing what the store said (`deployed`): apps the
 * store has there but the host does not are removed from it.
 */
export function syncAttempt(hosts: readonly SyncedHost[], deployed: ClusterSnapshot, base: string | null, options: Omit<AttemptOptions, 'results'>): Attempt {
  const writes = new Map<string, Map<string, AppWrite | null>>();
  for (const synced of hosts) {
    const apps = new Map<string, AppWrite | null>();
    for (const app of deployed.get(synced.host)?.apps.keys() ?? []) if (!synced.apps.has(app)) apps.set(app, null);
    for (const [app, files] of synced.apps) apps.set(app, { files });
    writes.set(synced.host, apps);
  }
  return {
    ref: options.ref,
    parent: base,
    title: syncTitle(hosts),
    results: hosts.map((h) => ({ host: h.host, status: 'synced', detail: h.detail })),
    writes,
    trailers: options.trailers,
    author: options.author,
    date: options.date,
  };
}
