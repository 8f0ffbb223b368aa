// One measured run for bench/plan.ts, in its own process: `floor-async` and
// `floor-sync` read and hash every file of the tree two ways (the floor is the
// faster); `plan` computes the full plan. Prints one JSON line.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadDeployed } from '../src/plan/load.js';
import { makePlan } from '../src/plan/plan.js';
import { Store } from '../src/store/store.js';
import { loadConfigTree } from '../src/tree/load.js';

const [mode, cluster, storeDir] = process.argv.slice(2) as [string, string, string];

function hash(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/** Walk, read and hash (git's blob sha1, as the plan does) every file, one at a time, synchronously. */
function floorSync(): string {
  let files = 0;
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else {
        const data = readFileSync(path);
        hash(data);
        files += 1;
        bytes += data.length;
      }
    }
  };
  walk(cluster);
  return `${files} files, ${(bytes / 1e6).toFixed(0)} MB`;
}

/** Walk, read and hash every file with 64 reads in flight. */
async function floorAsync(): Promise<string> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    const subdirs: Promise<void>[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) subdirs.push(walk(join(dir, entry.name)));
      else files.push(join(dir, entry.name));
    }
    await Promise.all(subdirs);
  }
  await walk(cluster);
  let next = 0;
  let bytes = 0;
  async function worker(): Promise<void> {
    while (next < files.length) {
      const data = await readFile(files[next++]);
      bytes += data.length;
      hash(data);
    }
  }
  await Promise.all(Array.from({ length: 64 }, worker));
  return `${files.length} files, ${(bytes / 1e6).toFixed(0)} MB`;
}

async function plan(): Promise<string> {
  const tree = await loadConfigTree(cluster, { cwd: cluster });
  const store = await Store.open(storeDir);
  const ref = `refs/heads/${basename(cluster)}`;
  const base = await store.tip(ref);
  const deployed = await loadDeployed(store, await store.readTree(base));
  const result = makePlan({ cluster: tree.cluster, base, deployed, desired: tree.hosts });
  const files = result.hosts.reduce((n, h) => n + h.apps.reduce((m, a) => m + a.files.length, 0), 0);
  return `${result.hosts.length} hosts to change, ${files} files changed`;
}

const started = performance.now();
const detail = mode === 'floor-sync' ? floorSync() : mode === 'floor-async' ? await floorAsync() : await plan();
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, detail }));
