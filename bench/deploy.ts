// Benchmark: `deptool deploy` of a one-file change plus unit restart on real hosts (1 and 20), against `ssh host true` and Ansible.
//
// Usage: node --import tsx bench/deploy.ts [--runs N] [--hosts 1,20]   (root, after scripts/fleet/setup.sh and npm run build)
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bootFleet, fleetUnavailable, type Fleet } from '../test/e2e/fleet/fleet.js';
import { AnsibleBaseline, ansibleVersion } from './deploy-ansible.js';
import { median, seconds, timed, timedOk, waitServes, withCpu, type Cpu, type Timed } from './deploy-run.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, hosts: { type: 'string', default: '1,20' } } });
const RUNS = Number(values.runs);
const SIZES = values.hosts.split(',').map(Number);
const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');
/** deploy's default --parallel: bigger fleets are also measured with every host at once, to show what the default costs. */
const DEFAULT_PARALLEL = 32;
const PHASES = ['connecting', 'locked', 'uploading', 'activating', 'done'] as const;

type Phase = (typeof PHASES)[number];

interface DeployRun {
  readonly seconds: number;
  /** Seconds since spawn of the first output line (the plan): node startup, loading the tree and the store. */
  readonly firstOutput: number;
  /** Per phase, when the first and the last host reached it. */
  readonly phases: ReadonlyMap<Phase, { first: number; last: number }>;
  readonly cpu: Cpu;
}

interface FleetFigures {
  hosts: number;
  floor: number;
  /** Machine CPU seconds of each floor run. */
  floorCpu: number[];
  /** The default path: confirmation over a new connection on (confirm_timeout 30), no checks. */
  settle0: DeployRun[];
  /** The same with confirmation off (--confirm-timeout 0): what confirmation costs. */
  settle0Unconfirmed: DeployRun[];
  settle1: DeployRun[];
  allParallel: DeployRun[] | null;
  ansibleWarm: number[];
  ansibleCpu: Cpu[];
  ansibleFirst: number;
  /** 1 host only: the same pending change through cheaper commands, to split the deploy's time, and bare systemd calls on the host. */
  commands: { node: number[]; help: number[]; plan: number[]; dryRun: number[]; restart: number[]; transientUnit: number[] } | null;
}

function phasesOf(run: Timed): Map<Phase, { first: number; last: number }> {
  const phases = new Map<Phase, { first: number; last: number }>();
  for (const { at, text } of run.lines) {
    const phase = /^ {2}\S+: ([a-z ]+?)(?: \(.*\))?$/.exec(text)?.[1] as Phase | undefined;
    if (phase === undefined || !PHASES.includes(phase)) continue;
    const seen = phases.get(phase);
    phases.set(phase, seen ? { first: Math.min(seen.first, at), last: Math.max(seen.last, at) } : { first: at, last: at });
  }
  return phases;
}

/** `ssh host true` to every host at once; wall time until the last one exits, and the machine's CPU meanwhile. */
async function sshFloor(fleet: Fleet): Promise<{ seconds: number; cpu: number }> {
  const started = performance.now();
  const { value: results, cpu } = await withCpu(() => Promise.all(fleet.hosts.map((host) => timed('ssh', ['-F', fleet.sshConfigFile, host.name, 'true']))));
  const elapsed = (performance.now() - started) / 1000;
  const failed = results.find((result) => result.code !== 0);
  if (failed) throw new Error(`ssh true failed (exit ${failed.code}): ${failed.stderr}`);
  return { seconds: elapsed, cpu: cpu.machine };
}

/** A deptool workspace as a user has it: a store and cluster in `dir`, and a HOME whose ~/.ssh/config reaches the fleet. */
async function deptoolWorkspace(fleet: Fleet, dir: string) {
  const home = join(dir, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  await copyFile(fleet.sshConfigFile, join(home, '.ssh', 'config'));
  const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };
  const cli = (...args: string[]) => timed(process.execPath, [CLI, ...args], { cwd: dir, env });
  const init = await cli('init', 'prod');
  if (init.code !== 0) throw new Error(`deptool init failed: ${init.stdout}${init.stderr}`);

  const ports = new Map<string, number>();
  for (const host of fleet.hosts) ports.set(host.name, await fleet.allocatePort());
  const write = async (path: string, content: string) => {
    await mkdir(dirname(join(dir, 'prod', path)), { recursive: true });
    await writeFile(join(dir, 'prod', path), content);
  };
  for (const host of fleet.hosts) {
    const exec = `/usr/bin/python3 -m http.server ${ports.get(host.name)} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
    await write(`${host.name}/site/manifest.json`, '{ "systemd": { "units_enabled": ["site.service"] } }\n');
    await write(`${host.name}/site/systemd/site.service`, `[Unit]\nDescription=site\n[Service]\nExecStart=${exec}\n[Install]\nWantedBy=multi-user.target\n`);
  }

  /** Writes a new index.html for every host; returns what each must serve afterwards. */
  const change = async (tag: string) => {
    const content = new Map(fleet.hosts.map((host) => [host.name, `${host.name} deptool ${tag}\n`]));
    for (const [host, body] of content) await write(`${host}/site/index.html`, body);
    return content;
  };
  /** Runs the deploy; anything short of every host deployed and serving the new file fails the benchmark. */
  const deploy = async (tag: string, content: Map<string, string>, ...flags: string[]): Promise<Timed> => {
    const result = await timedOk(`deptool deploy (${tag})`, process.execPath, [CLI, 'deploy', '--yes', ...flags], { cwd: dir, env });
    const hosts = fleet.hosts.length;
    if (!result.stdout.includes(`Changes deployed successfully to ${hosts} host${hosts === 1 ? '' : 's'}`)) {
      throw new Error(`deptool deploy (${tag}) did not deploy to every host:\n${result.stdout}${result.stderr}`);
    }
    await Promise.all([...content].map(([host, body]) => waitServes(ports.get(host)!, body, `deptool on ${host}`)));
    return result;
  };
  return { cli, change, deploy };
}

async function measure(fleet: Fleet): Promise<FleetFigures> {
  const hosts = fleet.hosts.length;
  // Under the fleet's own temp dir, so fleet.stop() removes it even when a signal ends the run.
  const work = join(fleet.dir, 'bench');
  const floors: { seconds: number; cpu: number }[] = [];
  for (let i = 0; i < Math.max(RUNS, 5); i++) floors.push(await sshFloor(fleet));

  const ws = await deptoolWorkspace(fleet, join(work, 'deptool'));
  await ws.deploy('setup', await ws.change('setup'));
  const figures: FleetFigures = {
    hosts,
    floor: median(floors.map((f) => f.seconds)),
    floorCpu: floors.map((f) => f.cpu),
    settle0: [],
    settle0Unconfirmed: [],
    settle1: [],
    allParallel: hosts > DEFAULT_PARALLEL ? [] : null,
    ansibleWarm: [],
    ansibleCpu: [],
    ansibleFirst: 0,
    commands: hosts === 1 ? { node: [], help: [], plan: [], dryRun: [], restart: [], transientUnit: [] } : null,
  };
  const record = (run: Timed): DeployRun => ({ seconds: run.seconds, firstOutput: run.lines[0]?.at ?? run.seconds, phases: phasesOf(run), cpu: run.cpu });
  for (let i = 1; i <= RUNS; i++) {
    const content = await ws.change(`settle0-${i}`);
    if (figures.commands) {
      // Untimed for the table: the same pending change through ever more of the deploy.
      figures.commands.node.push((await timedOk('node -e 0', process.execPath, ['-e', '0'])).seconds);
      figures.commands.help.push((await timedOk('deptool --help', process.execPath, [CLI, '--help'])).seconds);
      const plan = await ws.cli('plan');
      const dry = await ws.cli('deploy', '--dry-run');
      if (plan.code !== 0 || dry.code !== 0) throw new Error(`plan or dry run failed:\n${plan.stdout}${plan.stderr}${dry.stdout}${dry.stderr}`);
      figures.commands.plan.push(plan.seconds);
      figures.commands.dryRun.push(dry.seconds);
    }
    figures.settle0.push(record(await ws.deploy(`settle=0 #${i}`, content, '--settle', '0')));
  }
  for (let i = 1; i <= RUNS; i++) {
    figures.settle0Unconfirmed.push(record(await ws.deploy(`settle=0 unconfirmed #${i}`, await ws.change(`unconfirmed-${i}`), '--settle', '0', '--confirm-timeout', '0')));
  }
  for (let i = 1; i <= RUNS; i++) figures.settle1.push(record(await ws.deploy(`settle=1 #${i}`, await ws.change(`settle1-${i}`))));
  for (let i = 1; i <= RUNS && figures.allParallel; i++) {
    figures.allParallel.push(record(await ws.deploy(`parallel=${hosts} #${i}`, await ws.change(`parallel-${i}`), '--settle', '0', '--parallel', String(hosts))));
  }

  for (let i = 1; i <= RUNS && figures.commands; i++) {
    // What the activation's restart and its transient unit (systemd-run --wait) cost by themselves, timed on the host.
    const script =
      'a=$(date +%s%N); systemctl restart site.service; b=$(date +%s%N); ' +
      'systemd-run --collect --wait --quiet --service-type=oneshot /bin/true; c=$(date +%s%N); echo $(((b - a) / 1000)) $(((c - b) / 1000))';
    const onHost = await fleet.exec(fleet.hosts[0], ['sh', '-c', script]);
    if (onHost.code !== 0) throw new Error(`timing a restart on the host failed: ${onHost.stderr}`);
    const [restart, transient] = onHost.stdout.trim().split(' ').map((us) => Number(us) / 1e6);
    figures.commands.restart.push(restart);
    figures.commands.transientUnit.push(transient);
  }

  const { ansible, firstRun } = await AnsibleBaseline.setup(fleet, join(work, 'ansible'));
  try {
    figures.ansibleFirst = firstRun;
    for (let i = 1; i <= RUNS; i++) {
      const run = await ansible.run(`warm-${i}`);
      figures.ansibleWarm.push(run.seconds);
      figures.ansibleCpu.push(run.cpu);
    }
  } finally {
    await ansible.closeConnections();
  }
  return figures;
}

const fingerprint = () => createHash('sha256').update(readFileSync(CLI)).digest('hex').slice(0, 12);
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const pad = (text: string, width: number) => text.padEnd(width);
const ratio = (x: number) => `${x.toFixed(1)}x`;
const med = (runs: readonly DeployRun[]) => median(runs.map((run) => run.seconds));

function printTable(all: readonly FleetFigures[]): void {
  const columns = [
    ['hosts', 6],
    ['floor(ssh true)', 17],
    ['deptool settle=0', 18],
    ['ratio', 7],
    ['deptool settle=1s', 19],
    ['ratio', 7],
    ['ansible', 9],
    ['deptool(settle=0) speedup', 0],
  ] as const;
  console.log(columns.map(([name, width]) => pad(name, width)).join('').trimEnd());
  for (const f of all) {
    const s0 = med(f.settle0);
    const s1 = med(f.settle1);
    const ansible = median(f.ansibleWarm);
    const cells = [String(f.hosts), seconds(f.floor), seconds(s0), ratio(s0 / f.floor), seconds(s1), ratio(s1 / f.floor), seconds(ansible), ratio(ansible / s0)];
    console.log(cells.map((cell, i) => pad(cell, columns[i][1])).join('').trimEnd());
  }
}

/** CPU seconds: the machine's (hosts, sshd and clients alike) and the client's own process tree, with ms per host. */
function printCpu(all: readonly FleetFigures[]): void {
  const cell = (cpuSeconds: number, hosts: number) => `${cpuSeconds.toFixed(2)} s (${Math.round((cpuSeconds * 1000) / hosts)} ms/host)`;
  const columns = [
    ['hosts', 6],
    ['floor machine', 24],
    ['deptool s=0 machine', 24],
    ['deptool s=0 own', 24],
    ['ansible machine', 24],
    ['ansible own', 0],
  ] as const;
  console.log('');
  console.log('CPU seconds, user + system, median of the runs: "machine" is all of it (hosts, sshd, clients), "own" the client process and its children');
  console.log(columns.map(([name, width]) => pad(name, width)).join('').trimEnd());
  for (const f of all) {
    const n = f.hosts;
    const cells = [
      String(n),
      cell(median(f.floorCpu), n),
      cell(median(f.settle0.map((r) => r.cpu.machine)), n),
      cell(median(f.settle0.map((r) => r.cpu.own)), n),
      cell(median(f.ansibleCpu.map((c) => c.machine)), n),
      cell(median(f.ansibleCpu.map((c) => c.own)), n),
    ];
    console.log(cells.map((c, i) => pad(c, columns[i][1])).join('').trimEnd());
  }
}

function printTargets(all: readonly FleetFigures[]): void {
  const of = (hosts: number) => all.find((f) => f.hosts === hosts);
  const targets: { name: string; hosts: number; met: (f: FleetFigures) => [boolean, string] }[] = [
    { name: 'deptool settle=0 <= 3x floor on 1 host', hosts: 1, met: (f) => [med(f.settle0) / f.floor <= 3, ratio(med(f.settle0) / f.floor)] },
    { name: 'deptool settle=0 <= 2x floor on 20 hosts', hosts: 20, met: (f) => [med(f.settle0) / f.floor <= 2, ratio(med(f.settle0) / f.floor)] },
    {
      name: 'deptool settle=0 >= 5x faster than ansible on 20 hosts',
      hosts: 20,
      met: (f) => [median(f.ansibleWarm) / med(f.settle0) >= 5, ratio(median(f.ansibleWarm) / med(f.settle0))],
    },
  ];
  console.log('');
  console.log('targets (settle 0): <= 3x floor on 1 host, <= 2x floor on 20 hosts, >= 5x faster than ansible on 20 hosts');
  for (const target of targets) {
    const f = of(target.hosts);
    if (!f) {
      console.log(`  n/a   ${target.name} (not measured in this run)`);
      continue;
    }
    const [ok, actual] = target.met(f);
    console.log(`  ${pad(ok ? 'PASS' : 'MISS', 6)}${target.name}: ${actual}`);
  }
}

function printNotes(all: readonly FleetFigures[]): void {
  console.log('');
  console.log(`median of ${RUNS} runs each (the floor: of ${Math.max(RUNS, 5)}); each run deploys a new index.html to every host and restarts its unit.`);
  console.log('ansible: Debian\'s ansible-playbook, copy + handler restart, pipelining, forks = hosts, strict host keys, gather_facts: false and');
  console.log('  interpreter_python set (both make Ansible faster: the baseline is conservative). The table shows runs reusing the SSH');
  console.log('  connections of the previous run (Ansible\'s default ControlPersist=60s); its first run, with fresh connections as a first deploy of the day:');
  for (const f of all) {
    console.log(`  ${f.hosts} host(s): ansible first run ${seconds(f.ansibleFirst)}, deptool settle=0 speedup ${ratio(f.ansibleFirst / med(f.settle0))}`);
  }
  console.log('deptool runs confirm each host over a new SSH connection (confirm_timeout 30, the default); without it (--confirm-timeout 0):');
  for (const f of all) {
    const off = med(f.settle0Unconfirmed);
    console.log(`  ${f.hosts} host(s): settle=0 unconfirmed ${seconds(off)}, ${ratio(off / f.floor)} floor; confirmation costs ${ratio(med(f.settle0) / off)} of that`);
  }
  for (const f of all) {
    if (f.allParallel) {
      console.log(
        `deptool settle=0 --parallel ${f.hosts} on ${f.hosts} hosts (the default is ${DEFAULT_PARALLEL}): ${seconds(med(f.allParallel))}, ` +
          `${ratio(med(f.allParallel) / f.floor)} floor, ${ratio(median(f.ansibleWarm) / med(f.allParallel))} faster than ansible`,
      );
    }
  }
}

function printBreakdown(all: readonly FleetFigures[]): void {
  console.log('');
  console.log('where deptool spends its time (settle=0, median of the runs; seconds since the process started, as first-last host):');
  const header = ['hosts', 'plan printed', ...PHASES, 'exit'];
  const widths = [7, 14, ...PHASES.map(() => 13), 0];
  console.log(header.map((h, i) => pad(h, widths[i])).join('').trimEnd());
  for (const f of all) {
    const at = (phase: Phase) => {
      const seen = f.settle0.map((run) => run.phases.get(phase)).filter((p) => p !== undefined);
      if (seen.length === 0) return '-';
      const first = median(seen.map((p) => p.first));
      const last = median(seen.map((p) => p.last));
      return f.hosts === 1 ? first.toFixed(2) : `${first.toFixed(2)}-${last.toFixed(2)}`;
    };
    const cells = [String(f.hosts), median(f.settle0.map((run) => run.firstOutput)).toFixed(2), ...PHASES.map(at), med(f.settle0).toFixed(2)];
    console.log(cells.map((c, i) => pad(c, widths[i])).join('').trimEnd());
  }
  console.log('  connecting -> locked: SSH handshake, agent hello, lock; locked -> uploading: drift check; uploading -> activating: staging;');
  console.log('  activating -> done: activation (symlink flip, restart, settle, status) and gc; done -> exit: release, store commit, summary.');
  const one = all.find((f) => f.commands);
  if (one?.commands) {
    const { node, help, plan, dryRun, restart, transientUnit } = one.commands;
    const full = med(one.settle0);
    console.log(
      `1 host, same pending change: node -e 0 ${seconds(median(node))}, deptool --help ${seconds(median(help))}, plan ${seconds(median(plan))}, ` +
        `deploy --dry-run ${seconds(median(dryRun))}, deploy --settle 0 ${seconds(full)}`,
    );
    // A difference of two medians can dip below zero when a step costs less than the noise.
    const step = (from: number, to: number) => seconds(Math.max(0, to - from));
    console.log(
      `  => node ${seconds(median(node))}, loading the bundle ${step(median(node), median(help))}, tree + store + plan ${step(median(help), median(plan))}, ` +
        `connect + lock + checks ${step(median(plan), median(dryRun))}, staging + activation + store record ${step(median(dryRun), full)}`,
    );
    console.log(
      `  of which on the host: a bare \`systemctl restart site.service\` ${seconds(median(restart))}, ` +
        `an empty \`systemd-run --wait\` transient unit (how the agent runs an activation) ${seconds(median(transientUnit))}`,
    );
  }
}

async function main(): Promise<void> {
  const unavailable = fleetUnavailable();
  if (unavailable) throw new Error(unavailable);
  if (!existsSync(CLI)) throw new Error(`no ${CLI}: run npm run build first`);
  const ansible = await ansibleVersion();
  if (ansible === null) throw new Error('no working ansible-playbook: run scripts/fleet/setup.sh first');
  if (!Number.isInteger(RUNS) || RUNS < 1 || SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--runs and --hosts take positive whole numbers');

  // Hosts, sshd, ssh clients and deptool share this machine's CPUs: its size and load explain the figures.
  const build = fingerprint();
  console.log(`${cpus().length} CPUs, load average ${load()} at start; node ${process.version}; ${ansible}; dist/cli.js ${build}`);
  const all: FleetFigures[] = [];
  for (const count of SIZES) {
    const started = performance.now();
    const fleet = await bootFleet({ count });
    try {
      console.log(`${count} host(s) booted in ${seconds((performance.now() - started) / 1000)}; measuring ...`);
      all.push(await measure(fleet));
    } finally {
      await fleet.stop();
    }
    console.log(`  done in ${seconds((performance.now() - started) / 1000)}`);
  }
  console.log(`load average ${load()} at the end`);
  // A rebuild during the run (npm run build elsewhere) would mix two versions of deptool in the figures.
  if (fingerprint() !== build) console.log(`WARNING: dist/cli.js changed during the run (now ${fingerprint()}): the figures mix two builds`);
  console.log('');
  printTable(all);
  printCpu(all);
  printTargets(all);
  printNotes(all);
  printBreakdown(all);
}

await main();
