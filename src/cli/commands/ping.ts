// `deptool ping`: connects to every host and reports SSH round trips (min, median, p95).
import { ExitCode, UsageError } from '../../errors.js';
import { hostCount } from '../../render/text.js';
import { ping, type PingStats } from '../../transport/ping.js';
import { loadCluster } from '../../tree/load.js';
import { listOption, type Parsed } from '../args.js';
import { connector } from '../connect.js';
import { clusterDir, storeDir, validateLimit } from '../context.js';
import type { Io } from '../io.js';
import { columns } from '../table.js';
import { Store } from '../../store/store.js';

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Where a host's ping is: still connecting, connected and timing round trips, or done. */
export type PingState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'pinging'; readonly connection: string; readonly connectMs: number }
  | { readonly kind: 'done'; readonly connection: string; readonly connectMs: number; readonly stats: PingStats }
  | { readonly kind: 'unreachable' };

const HEADER = ['HOST', 'CONNECTION', 'CONNECT', 'MIN', 'MEDIAN', 'P95'];

function cells(host: string, state: PingState): string[] {
  switch (state.kind) {
    case 'connecting':
      return [host, 'connecting…'];
    case 'pinging':
      return [host, state.connection, ms(state.connectMs), 'pinging…'];
    case 'done':
      return [host, state.connection, ms(state.connectMs), ms(state.stats.minMs), ms(state.stats.medianMs), ms(state.stats.p95Ms)];
    case 'unreachable':
      // The reason is often several lines (a host key to verify): below the table, not in a cell.
      return [host, 'unreachable (see below)'];
  }
}

/**
 * The hosts' results as they come. On a terminal a table redrawn in place (a row per host,
 * filled in as its ping ends); in a pipe the header, then each host's row the moment its
 * result is known, in that order (cells aligned to the host names, as the connection's width
 * is not known before it is).
 */
export class PingBoard {
  private readonly states = new Map<string, PingState>();
  private drawn = 0;

  constructor(
    private readonly write: (text: string) => void,
    hosts: readonly string[],
    private readonly live: boolean,
  ) {
    for (const host of hosts) this.states.set(host, { kind: 'connecting' });
    if (live) this.draw();
    else write(`${this.row(HEADER)}\n`);
  }

  private row(values: readonly string[]): string {
    const width = Math.max(...[...this.states.keys(), HEADER[0]].map((host) => host.length));
    return [values[0].padEnd(width), ...values.slice(1)].join('  ').trimEnd();
  }

  private draw(): void {
    if (this.drawn > 0) this.write(`\x1b[${this.drawn}A\x1b[J`);
    const table = columns([HEADER, ...[...this.states].map(([host, state]) => cells(host, state))]);
    this.write(table);
    this.drawn = this.states.size + 1;
  }

  update(host: string, state: PingState): void {
    this.states.set(host, state);
    if (this.live) this.draw();
    else if (state.kind === 'done' || state.kind === 'unreachable') this.write(`${this.row(cells(host, state))}\n`);
  }
}

export async function run(io: Io, args: Parsed): Promise<number> {
  const count = Number(args.values.count ?? 10);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`-n takes a positive whole number, not '${String(args.values.count)}'.`);
  const store = await Store.open(storeDir(io, args.values.store as string | undefined));
  const dir = await clusterDir(io, store, args.positionals[0]);
  const { tree, settings } = await loadCluster(dir, { cwd: io.cwd });
  const limit = validateLimit(tree, new Map(), listOption(args.values.limit));
  const hosts = [...tree.hosts.keys()].filter((h) => !limit || limit.has(h)).sort();
  const connect = await connector(io, { tree, settings }, { identity: args.values.identity as string | undefined, hosts, connectTimeout: args.values['connect-timeout'] });
  const failures = new Map<string, string>();
  const board = new PingBoard((text) => io.stdout.write(text), hosts, io.stdout.isTTY === true);
  await Promise.all(
    hosts.map(async (host) => {
      const target = connect.targets.get(host)!;
      const started = performance.now();
      try {
        const connection = await connect.connect(target);
        const connectMs = performance.now() - started;
        board.update(host, { kind: 'pinging', connection: connection.description, connectMs });
        try {
          board.update(host, { kind: 'done', connection: connection.description, connectMs, stats: await ping(connection, count) });
        } finally {
          await connection.close();
        }
      } catch (error) {
        failures.set(host, (error as Error).message);
        board.update(host, { kind: 'unreachable' });
      }
    }),
  );
  const reached = hosts.length - failures.size;
  io.stdout.write(`\n${reached} of ${hostCount(hosts.length)} reachable.\n`);
  if (failures.size > 0) io.stdout.write(`\n${[...failures].sort(([a], [b]) => (a < b ? -1 : 1)).map(([host, why]) => `${host}: ${why}`).join('\n\n')}\n`);
  return failures.size > 0 ? ExitCode.failed : ExitCode.ok;
}
