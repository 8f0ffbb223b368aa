// `deploy --overwrite-drift`: a host's plan extended to replace what was edited by hand, so
// the plan the operator approves lists every hand edit it overwrites.
import { byBytes, hostUnitsOf, revOf } from '../plan/plan.js';
import { planRollout } from '../plan/rollout.js';
import type { AppPlan, HostPlan, Plan } from '../plan/types.js';
import { appLinks, type ClusterSnapshot, type HostSnapshot } from '../tree/types.js';
import { describeDrift, type DriftItem } from './assess.js';
import { hostState } from './steps.js';

const NO_EDIT_ROLLBACK = 'it overwrites hand edits on the host, which a rollback cannot put back';

function overwriteHost(plan: HostPlan, drift: readonly DriftItem[], deployed: HostSnapshot | undefined, desired: HostSnapshot): HostPlan {
  const wanted = hostState(desired);
  // Apps whose files or revision on the host are not what deptool left: sent again, units restarted.
  const apps = new Set<string>();
  for (const item of drift) {
    if ((item.kind === 'file' || item.kind === 'permission' || item.kind === 'current' || item.kind === 'revision') && desired.apps.has(item.app)) apps.add(item.app);
  }
  const links = drift.flatMap((item) => {
    if (item.kind !== 'link') return [];
    const value = Object.values(wanted.apps).find((app) => item.target in app.links)?.links[item.target];
    return value === undefined ? [] : [{ target: item.target, value }];
  });
  const planned = new Map(plan.apps.map((app) => [app.app, app]));
  for (const name of apps) {
    if (planned.has(name)) continue;
    const app = desired.apps.get(name)!;
    const hostUnits = hostUnitsOf(app.manifest);
    const forced: AppPlan = {
      app: name,
      action: 'update',
      oldRev: revOf(deployed?.apps.get(name)),
      newRev: revOf(app),
      files: [],
      symlinks: [],
      sysusers: { link: [], unlink: [] },
      runSysusers: false,
      units: { link: [], unlink: [], disable: [], enable: [], restart: [...app.manifest.unitsEnabled].sort(byBytes) },
      // A quadlet edited by hand is put back through `current`: the generator must read it again.
      ...(appLinks(app.files.keys()).quadlets.length > 0 ? { quadlets: { link: [], unlink: [] } } : {}),
      ...(hostUnits ? { hostUnits } : {}),
    };
    planned.set(name, forced);
  }
  return {
    ...plan,
    apps: [...planned.values()].sort((a, b) => byBytes(a.app, b.app)),
    rollback: { available: false, reasons: [...plan.rollback.reasons, NO_EDIT_ROLLBACK] },
    overwrite: { edits: drift.map(describeDrift), apps: [...apps].sort(byBytes), links: links.sort((a, b) => byBytes(a.target, b.target)) },
  };
}

/** `plan` with each drifted host (`drift`: host -> its hand edits) planned to replace its edits. */
export function withOverwrites(plan: Plan, drift: ReadonlyMap<string, readonly DriftItem[]>, deployed: ClusterSnapshot, desired: ClusterSnapshot): Plan {
  const hosts = new Map(plan.hosts.map((host) => [host.host, host]));
  for (const [name, items] of drift) {
    const base = hosts.get(name) ?? { host: name, newHost: !deployed.has(name), apps: [], rollback: { available: true, reasons: [] } };
    hosts.set(name, overwriteHost(base, items, deployed.get(name), desired.get(name) ?? { name, apps: new Map() }));
  }
  const sorted = [...hosts.values()].sort((a, b) => byBytes(a.host, b.host));
  // The stages follow the hosts: a host added for its hand edits takes its place in them.
  const rollout = planRollout(sorted.map((h) => h.host), plan.rollout?.policy);
  const corrected: Plan = { schema: plan.schema, cluster: plan.cluster, base: plan.base, hosts: sorted, upToDate: plan.upToDate.filter((host) => !drift.has(host)), untracked: plan.untracked };
  return rollout ? { ...corrected, rollout } : corrected;
}
