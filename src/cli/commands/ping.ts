// `deptool ping`: connects to every host and reports SSH round trips (min, median, p95).
import { ExitCode, UsageError } from '../../errors.js';
import { ping } from '../../transport/ping.js';
import { loadCluster } from '../../tree/load.js';
import { listOption, type Parsed } from '../args.js';
import { connector } from '../connect.js';
import { clusterDir, storeDir, validateLimit } from '../context.js';
import type { Io } from '../io.js';
import { columns } from '../table.js';
import { Store } from '../../store/store.js';

const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function run(io: Io, args: Parsed): Promise<number> {
  const count = Number(args.values.count ?? 10);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`-n takes a positive whole number, not '${String(args.values.count)}'.`);
  const store = await Store.open(storeDir(io, args.values.store as string | undefined));
  const dir = await clusterDir(io, store, args.positionals[0]);
  const { tree, settings } = await loadCluster(dir, { cwd: io.cwd });
  const limit = validateLimit(tree, new Map(), listOption(args.values.limit));
  const hosts = [...tree.hosts.keys()].filter((h) => !limit || limit.has(h)).sort();
  const connect = await connector(io, { tree, settings }, { identity: args.values.identity as string | undefined, hosts, connectTimeout: args.values['connect-timeout'] });
  const failures: string[] = [];
  const rows = await Promise.all(
    hosts.map(async (host): Promise<string[]> => {
      const target = connect.targets.get(host)!;
      const started = performance.now();
      try {
        const connection = await connect.connect(target);
        const connected = performance.now() - started;
        try {
          const stats = await ping(connection, count);
          return [host, connection.description, ms(connected), ms(stats.minMs), ms(stats.medianMs), ms(stats.p95Ms)];
        } finally {
          await connection.close();
        }
      } catch (error) {
        // The reason is often several lines (a host key to verify): below the table, not in a cell.
        failures.push(`${host}: ${(error as Error).message}`);
        return [host, 'unreachable (see below)'];
      }
    }),
  );
  io.stdout.write(columns([['HOST', 'CONNECTION', 'CONNECT', 'MIN', 'MEDIAN', 'P95'], ...rows]));
  if (failures.length > 0) io.stdout.write(`\n${failures.sort().join('\n\n')}\n`);
  return failures.length > 0 ? ExitCode.failed : ExitCode.ok;
}
