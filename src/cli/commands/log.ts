// `deptool log`: the cluster's deployment history from the store, newest first.
import { basename } from 'node:path';
import { UsageError } from '../../errors.js';
import { Store } from '../../store/store.js';
import type { Parsed } from '../args.js';
import { clusterDir, clusterRef, storeDir } from '../context.js';
import type { Io } from '../io.js';
import { localTime } from '../../render/time.js';

const TRAILER_LABELS = [
  ['planDigest', 'plan digest'],
  ['runUrl', 'run'],
  ['pullRequest', 'pull request'],
  ['actor', 'by'],
] as const;

export async function run(io: Io, args: Parsed): Promise<number> {
  const number = args.values.number as string | undefined;
  const limit = number === undefined ? undefined : Number(number);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`-n takes a positive whole number, not '${number}'.`);
  const store = await Store.open(storeDir(io, args.values.store as string | undefined));
  const dir = await clusterDir(io, store, args.positionals[0]);
  const records = await store.log(clusterRef(basename(dir)), { limit, host: args.values.host as string | undefined });
  if (records.length === 0) {
    io.stdout.write(`No deploys recorded for cluster '${basename(dir)}' yet.\n`);
    return 0;
  }
  const out: string[] = [];
  for (const record of records) {
    out.push(`${record.commit.slice(0, 10)}  ${localTime(record.date, io.env.TZ)}  ${record.author.name}`);
    out.push(`    ${record.title}`);
    for (const result of record.results) {
      out.push(`    ${result.host}: ${result.status}${result.detail ? ` (${result.detail})` : ''}`);
    }
    for (const [key, label] of TRAILER_LABELS) {
      const value = record.trailers[key];
      if (value) out.push(`    ${label}: ${value}`);
    }
    out.push('');
  }
  io.stdout.write(out.join('\n'));
  return 0;
}
