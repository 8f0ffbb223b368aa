// `deptool rollback`: puts apps of one host back to their previous version (or to the
// version of a store commit) and records it as a new forward commit. The revision is
// normally still on the host, so this is a flip of `current` and a restart: O(1).
import { basename } from 'node:path';
import { UsageError } from '../../errors.js';
import { loadDeployed, loadPlanContents } from '../../plan/load.js';
import { makePlan } from '../../plan/plan.js';
import type { StoredApp, StoredCluster } from '../../store/types.js';
import { Store } from '../../store/store.js';
import { loadCluster } from '../../tree/load.js';
import type { AppSnapshot, HostSnapshot } from '../../tree/types.js';
import { APPLY_HELP, APPLY_OPTIONS, apply } from '../apply.js';
import { listOption, type CommandSpec, type Parsed } from '../args.js';
import { clusterDir, clusterRef, storeDir } from '../context.js';
import type { Io } from '../io.js';
import { diffText, show } from './diff.js';

export const spec: CommandSpec = {
  name: 'rollback',
  usage: 'deptool rollback [DIR] --host HOST [--app APP,...] [--to previous|COMMIT]',
  summary:
    "Put the apps of HOST (all, or those given with --app) back to their previous version, or to\n" +
    'their version in a store COMMIT (see deptool log). The revision is usually still on the host,\n' +
    'so this flips `current` back and restarts the units; it is recorded as a new commit.',
  options: { ...APPLY_OPTIONS, host: { type: 'string' }, app: { type: 'string', multiple: true }, to: { type: 'string' } },
  optionHelp: [
    '--host HOST       the host to roll back (required)',
    '--app APP,...     only these apps (repeatable; default: every app of the host)',
    "--to previous     each app's version before its last change (the default)",
    '--to COMMIT       the versions recorded in this store commit',
    ...APPLY_HELP,
  ],
  maxPositionals: 1,
};

/** The version to return to, from the app's history on the store branch. */
async function targetVersion(store: Store, ref: string, host: string, app: string, current: string, to: string): Promise<{ commit: string } | string> {
  if (to !== 'previous') {
    const commit = (await store.resolveCommit(to)) ?? null;
    if (commit === null) return `'${to}' is not a commit of the store; see 'deptool log'`;
    return { commit };
  }
  const history = await store.appHistory(ref, host, app);
  const previous = history.find((version) => version.treeOid !== current);
  if (!previous) return `app '${app}' has no previous version on ${host}`;
  if (previous.treeOid === null) return `app '${app}' did not exist on ${host} before ${previous.commit.slice(0, 10)}; remove it from the config tree instead`;
  return { commit: previous.commit };
}

export async function run(io: Io, args: Parsed): Promise<number> {
  const host = args.values.host as string | undefined;
  if (!host) throw new UsageError("rollback needs --host HOST.\nRun 'deptool rollback --help' for usage.");
  const to = (args.values.to as string | undefined) ?? 'previous';
  const store = await Store.open(storeDir(io, args.values.store as string | undefined));
  const dir = await clusterDir(io, store, args.positionals[0]);
  const cluster = await loadCluster(dir, { cwd: io.cwd });
  const ref = clusterRef(basename(dir));
  const base = await store.tip(ref);
  const deployed = await loadDeployed(store, await store.readTree(base));
  const current = deployed.get(host);
  if (!current || current.apps.size === 0) throw new UsageError(`The store has nothing deployed on host '${host}'.`);
  const apps = listOption(args.values.app) ?? [...current.apps.keys()];
  const unknown = apps.filter((app) => !current.apps.has(app));
  if (unknown.length > 0) throw new UsageError(`Host '${host}' has no app ${unknown.join(', ')} in the store; it has ${[...current.apps.keys()].join(', ')}.`);

  const problems: string[] = [];
  const stored: StoredCluster = new Map([[host, new Map<string, StoredApp>()]]);
  const versions = new Map<string, string>();
  for (const app of apps) {
    const version = await targetVersion(store, ref, host, app, current.apps.get(app)!.treeOid, to);
    if (typeof version === 'string') {
      problems.push(version);
      continue;
    }
    const found = await store.readApp(version.commit, host, app);
    if (!found) {
      problems.push(`commit ${version.commit.slice(0, 10)} has no app '${app}' on ${host}`);
      continue;
    }
    stored.get(host)!.set(app, found);
    versions.set(app, version.commit.slice(0, 10));
  }
  if (problems.length > 0) throw new UsageError(`Cannot roll back:\n${problems.map((p) => `  ${p}`).join('\n')}`);

  const targets = (await loadDeployed(store, stored)).get(host)!;
  const desiredApps = new Map<string, AppSnapshot>(current.apps);
  for (const [app, snapshot] of targets.apps) desiredApps.set(app, snapshot);
  const desiredHost: HostSnapshot = { name: host, apps: desiredApps };
  const desired = new Map(deployed).set(host, desiredHost);
  const plan = makePlan({ cluster: cluster.tree.cluster, base, deployed, desired, limit: new Set([host]) });

  // Only read when a revision is no longer on the host; then every file of the versions at once.
  let blobs: Promise<Map<string, Buffer>> | null = null;
  const content = async (_host: string, app: string, path: string) => {
    blobs ??= store.readBlobs([...targets.apps.values()].flatMap((a) => [...a.files.values()].map((f) => f.oid)));
    return (await blobs).get(desiredApps.get(app)!.files.get(path)!.oid)!;
  };
  const what = [...versions].map(([app, commit]) => `${app} to ${commit}`).join(', ');
  return apply(io, args, {
    cluster,
    store,
    ref,
    plan,
    deployed,
    desired,
    content,
    sourceDir: null,
    title: `Roll back ${what} on ${host}`,
    showDiff: async () => show(io, diffText(plan, await loadPlanContents(plan, store, (_h, app, path) => content(host, app, path)), false)),
  });
}
