// `deptool sync`: pull what the hosts run into the store (Deptool's sync), so plans are made
// against the truth after another operator's deploy, an interrupted run, a lost store or hand edits.
import { userInfo, hostname as machineName } from 'node:os';
import { ExitCode } from '../../errors.js';
import { Deployer } from '../../deploy/deploy.js';
import { syncHosts, type HostSync } from '../../deploy/sync.js';
import { makePlan } from '../../plan/plan.js';
import { hostCount } from '../../render/text.js';
import { holderOf, number } from '../apply.js';
import { listOption, type Parsed } from '../args.js';
import { connector } from '../connect.js';
import { openCluster, validateLimit } from '../context.js';
import { useColor, type Io } from '../io.js';
import { Progress } from '../progress.js';

function line(host: HostSync): string {
  if (host.status === 'synced') {
    const accepted = host.accepted.length > 0 ? `\n    accepted hand edits: ${host.accepted.join('; ')}` : '';
    return `  ${host.host}: synced: ${host.detail}${accepted}`;
  }
  return `  ${host.host}: ${host.status}${host.problems.length > 0 ? `: ${host.problems.join('; ')}` : ''}`;
}

export async function run(io: Io, args: Parsed): Promise<number> {
  const cluster = await openCluster(io, { store: args.values.store as string | undefined, dir: args.positionals[0] });
  const { tree, deployed, store, ref, base } = cluster;
  const limit = validateLimit(tree, deployed, listOption(args.values.limit));
  const parallel = number(args.values.parallel, 'parallel', 32, { min: 1, integer: true });
  // Hosts the config tree has: only they have connection settings.
  let hosts = [...tree.hosts.keys()].filter((host) => !limit || limit.has(host)).sort();
  if (args.values.changed) {
    const plan = makePlan({ cluster: tree.cluster, base, deployed, desired: tree.hosts, limit });
    const changed = new Set(plan.hosts.map((h) => h.host));
    hosts = hosts.filter((host) => changed.has(host));
  }
  if (hosts.length === 0) {
    io.stdout.write(`No hosts to sync in cluster '${tree.cluster}'.\n`);
    return ExitCode.ok;
  }
  const connect = await connector(io, cluster, { identity: args.values.identity as string | undefined, hosts, connectTimeout: args.values['connect-timeout'] });
  const progress = new Progress(io, hosts, io.stdout.isTTY === true, useColor(io));
  const controller = new AbortController();
  const stop = io.onInterrupt?.(() => {
    controller.abort();
    progress.print('Interrupted: no new host will be read; the hosts read so far are recorded. Press Ctrl-C again to exit at once.\n');
  });
  try {
    const result = await syncHosts(
      {
        store,
        ref,
        base,
        deployed,
        tree,
        targets: connect.targets,
        deployer: new Deployer({
          targets: connect.targets,
          connect: connect.connect,
          invocation: connect.invocation,
          holder: holderOf(io),
          activationTimeoutSeconds: 300,
          reconnectSeconds: 60,
          observer: progress,
          signal: controller.signal,
        }),
        parallel,
        signal: controller.signal,
        observer: progress,
        author: { name: userInfo().username, email: `${userInfo().username}@${machineName()}` },
        trailers: { actor: holderOf(io) },
        record: (attempt) => store.recordAttempt(attempt),
      },
      hosts,
    );
    const synced = result.hosts.filter((h) => h.status === 'synced');
    const refused = result.hosts.filter((h) => h.status === 'refused' || h.status === 'skipped');
    const lines = [
      '',
      result.commit === null
        ? `The store already matched ${hostCount(result.hosts.length - refused.length)}; nothing was recorded.`
        : `Recorded what ${hostCount(synced.length)} ${synced.length === 1 ? 'runs' : 'run'} as commit ${result.commit.slice(0, 10)}:`,
      ...synced.map(line),
    ];
    if (refused.length > 0) lines.push(`Not synced: ${hostCount(refused.length)}:`, ...refused.map(line));
    io.stdout.write(`${lines.join('\n')}\n`);
    if (result.interrupted) return ExitCode.interrupted;
    return refused.length > 0 ? ExitCode.failed : ExitCode.ok;
  } finally {
    stop?.();
  }
}
