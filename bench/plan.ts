// Benchmark: plan a generated cluster of 1,000 hosts x 5 apps x 20 files (100,000 files)
// with 1% of files changed, against the floor of merely reading and hashing every file.
// Prints times, peak memory and ratios; the target is plan <= 3x floor and < 500 MB.
//
// Usage: node --import tsx bench/plan.ts [--hosts N] [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Store } from '../src/store/store.js';
import { attemptFromPlan } from '../src/deploy/attempt.js';
import { makePlan } from '../src/plan/plan.js';
import { loadConfigTree } from '../src/tree/load.js';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' } } });
const HOSTS = Number(values.hosts);
const RUNS = Number(values.runs);
const APPS = 5;
const FILES = 20;

/** Deterministic content of roughly 1 KiB, so runs are comparable. */
function content(host: number, app: number, file: number, version: number): string {
  const line = `host ${host} app ${app} file ${file} version ${version} `;
  return line.repeat(Math.ceil(1024 / line.length)) + '\n';
}

async function generate(root: string): Promise<void> {
  const jobs: Promise<void>[] = [];
  for (let h = 0; h < HOSTS; h++) {
    for (let a = 0; a < APPS; a++) {
      const dir = join(root, `host${String(h).padStart(4, '0')}`, `app${a}`, 'conf');
      jobs.push(
        mkdir(dir, { recursive: true }).then(async () => {
          for (let f = 0; f < FILES; f++) await writeFile(join(dir, `file${f}.conf`), content(h, a, f, 1));
        }),
      );
      if (jobs.length >= 64) await Promise.all(jobs.splice(0));
    }
  }
  await Promise.all(jobs);
}

interface Measured {
  seconds: number;
  maxRssMb: number;
  detail: string;
}

/** Each measurement runs in a fresh process so peak memory is its own. */
function measure(mode: 'floor-sync' | 'floor-async' | 'plan', cluster: string, store: string): Measured {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'plan-child.ts'), mode, cluster, store], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`${mode} run failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Measured;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const work = mkdtempSync(join(tmpdir(), 'deptool-bench-plan-'));
try {
  const cluster = join(work, 'prod');
  const storeDir = join(work, '.deptool');
  console.log(`Generating ${HOSTS} hosts x ${APPS} apps x ${FILES} files = ${HOSTS * APPS * FILES} files ...`);
  let started = performance.now();
  await generate(cluster);
  const store = await Store.init(storeDir);
  const tree = await loadConfigTree(cluster, { cwd: work });
  const first = makePlan({ cluster: 'prod', base: null, deployed: new Map(), desired: tree.hosts });
  await store.recordAttempt(attemptFromPlan(first, tree.hosts, tree.dir, { ref: 'refs/heads/prod', author: { name: 'bench', email: 'bench@localhost' } }));
  console.log(`  generated and recorded in the store in ${((performance.now() - started) / 1000).toFixed(1)}s`);

  // Change 1% of files: the first file of the first app on every host.
  started = performance.now();
  for (let h = 0; h < HOSTS; h++) {
    await writeFile(join(cluster, `host${String(h).padStart(4, '0')}`, 'app0', 'conf', 'file0.conf'), content(h, 0, 0, 2));
  }
  console.log(`  changed ${HOSTS} files (1%) in ${((performance.now() - started) / 1000).toFixed(1)}s`);

  const syncFloors: Measured[] = [];
  const asyncFloors: Measured[] = [];
  const plans: Measured[] = [];
  for (let i = 0; i < RUNS; i++) {
    syncFloors.push(measure('floor-sync', cluster, storeDir));
    asyncFloors.push(measure('floor-async', cluster, storeDir));
    plans.push(measure('plan', cluster, storeDir));
  }
  const syncFloor = median(syncFloors.map((m) => m.seconds));
  const asyncFloor = median(asyncFloors.map((m) => m.seconds));
  // The floor is the faster of the two plain ways to read and hash every file.
  const floors = syncFloor <= asyncFloor ? syncFloors : asyncFloors;
  const floor = Math.min(syncFloor, asyncFloor);
  const plan = median(plans.map((m) => m.seconds));
  const planRss = Math.max(...plans.map((m) => m.maxRssMb));
  const floorRss = Math.max(...floors.map((m) => m.maxRssMb));
  console.log('');
  console.log(`read + hash every file, sync:  ${syncFloor.toFixed(3)} s median of ${RUNS}`);
  console.log(`read + hash every file, async: ${asyncFloor.toFixed(3)} s median of ${RUNS}`);
  console.log(`floor (the faster):             ${floor.toFixed(3)} s, peak RSS ${floorRss.toFixed(0)} MB  [${floors[0].detail}]`);
  console.log(`plan  (tree + store + plan):    ${plan.toFixed(3)} s median of ${RUNS}, peak RSS ${planRss.toFixed(0)} MB  [${plans[0].detail}]`);
  console.log(`ratio plan / floor: ${(plan / floor).toFixed(2)}x (target <= 3x); peak memory ${planRss.toFixed(0)} MB (target < 500 MB)`);
  const ok = plan / floor <= 3 && planRss < 500;
  console.log(ok ? 'PASS' : 'MISS');
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
