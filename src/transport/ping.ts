// Round-trip timing of a trivial command over an open connection, for `deptool ping`.
import { performance } from 'node:perf_hooks';
import type { Connection } from './connection.js';
import { TransportError } from './connection.js';

export interface PingStats {
  readonly count: number;
  readonly minMs: number;
  readonly medianMs: number;
  /** Nearest-rank 95th percentile: with fewer than 20 samples, the slowest one. */
  readonly p95Ms: number;
  readonly samplesMs: readonly number[];
}

/**
 * Runs `true` `count` times, one after another (each is a new session channel, the cost
 * every deploy step pays), and summarises the round trips.
 */
export async function ping(connection: Connection, count: number, now: () => number = () => performance.now()): Promise<PingStats> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`ping count must be a positive integer, not ${count}`);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = now();
    const result = await connection.exec(['true']);
    samples.push(now() - started);
    if (result.code !== 0) {
      throw new TransportError('protocol', `${connection.description}: \`true\` exited with ${result.code ?? result.signal}: ${result.stderr.toString('utf8').trim()}`);
    }
  }
  return summarize(samples);
}

export function summarize(samples: readonly number[]): PingStats {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
  return { count: samples.length, minMs: sorted[0], medianMs: median, p95Ms: p95, samplesMs: samples };
}
