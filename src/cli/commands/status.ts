// `deptool status`: per host, the last deploy from the store and what is not deployed yet.
import { listOption, type Parsed } from '../args.js';
import { planCluster } from '../context.js';
import type { Io } from '../io.js';
import { columns } from '../table.js';
import { localTime } from '../../render/time.js';

export async function run(io: Io, args: Parsed): Promise<number> {
  const { plan, tree, store, ref, deployed } = await planCluster(io, {
    store: args.values.store as string | undefined,
    dir: args.positionals[0],
    limit: listOption(args.values.limit),
  });
  const hosts = [...plan.hosts.map((h) => h.host), ...plan.upToDate].sort();
  if (hosts.length === 0 && plan.untracked.length === 0) {
    io.stdout.write(`No hosts in cluster '${tree.cluster}'.\n`);
    return 0;
  }
  const last = await store.lastResults(ref, hosts);
  const pending = new Map(plan.hosts.map((h) => [h.host, h]));
  const rows = [['HOST', 'LAST DEPLOY', 'COMMIT', 'RESULT', 'STATE']];
  for (const host of hosts) {
    const record = last.get(host);
    const hostPlan = pending.get(host);
    let state = 'up to date';
    if (hostPlan && !deployed.has(host)) state = 'new host';
    else if (hostPlan) state = `not deployed: ${hostPlan.apps.map((a) => `${a.action} ${a.app}`).join(', ')}`;
    rows.push(record ? [host, localTime(record.date, io.env.TZ), record.commit.slice(0, 10), record.result.status, state] : [host, '-', '-', '-', state]);
  }
  for (const host of plan.untracked) rows.push([host, '-', '-', '-', 'in the store, not in the config tree (left alone)']);
  io.stdout.write(columns(rows));
  return 0;
}
