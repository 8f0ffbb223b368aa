// `deptool init [DIR]`: create the store and the cluster directory, record the default cluster.
import { mkdir, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import { Store } from '../../store/store.js';
import { validateName } from '../../tree/names.js';
import type { Parsed } from '../args.js';
import { displayPath, recordDefaultCluster, storeDir } from '../context.js';
import type { Io } from '../io.js';

export async function run(io: Io, args: Parsed): Promise<number> {
  const dir = storeDir(io, args.values.store as string | undefined);
  const existed = await stat(dir).then(() => true, () => false);
  const store = existed ? await Store.open(dir) : await Store.init(dir);
  io.stdout.write(existed ? `Using existing store at '${displayPath(io, dir)}'.\n` : `Initialized store at '${displayPath(io, dir)}'.\n`);

  const positional = args.positionals[0];
  if (positional === undefined) {
    io.stdout.write("Create a cluster with 'deptool init DIR' to record it as the default.\n");
    return 0;
  }
  const cluster = resolve(io.cwd, positional);
  const nameIssue = validateName(basename(cluster), 'cluster', displayPath(io, cluster));
  if (nameIssue) throw new ConfigError([nameIssue]);
  const info = await stat(cluster).catch(() => null);
  if (info && !info.isDirectory()) {
    throw new ConfigError([{ path: displayPath(io, cluster), message: 'exists and is not a directory', hint: 'Choose another name for the cluster directory.' }]);
  }
  if (!info) await mkdir(cluster, { recursive: true });
  await recordDefaultCluster(store, cluster);
  const verb = info ? 'Recorded existing cluster directory' : 'Created cluster directory';
  io.stdout.write(`${verb} '${displayPath(io, cluster)}' and recorded it as the default.\n`);
  return 0;
}
