// Where a deploy's CPU goes: a one-file change plus unit restart (settle 0) on N real hosts,
// measured as the hosts' own CPU (their cgroups' cpu.stat: sshd, the agent, systemd, the
// restarted service) and the driver's (the deptool process and its children).
//
// Usage: node --import tsx bench/deploy-cpu.ts [--hosts N] [--runs N] [--perf] [--cpu-prof DIR]
//   (root, after scripts/fleet/setup.sh and npm run build)
// --perf samples the whole machine with `perf record` during each deploy and prints the CPU by
// program, in ms per host (other work on the machine shows up too); --cpu-prof writes the driver's V8 profiles to DIR.
// --compare OTHER_CLI alternates blocks of runs between OTHER_CLI (e.g. an older build's dist/cli.js) and this
// one on the same hosts, each block after an untimed deploy that installs its agent: noise on the machine hits both.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bootFleet, fleetUnavailable } from '../test/e2e/fleet/fleet.js';
import { CGROUP_NAME } from '../test/e2e/fleet/system.js';
import { median, timedOk, timed } from './deploy-run.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    perf: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    compare: { type: 'string' },
  },
});
const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');

/** CPU seconds a host's processes used so far: its cgroup v2 tree's cpu.stat (kept for every cgroup, controller or not). */
async function hostCpu(machine: string): Promise<number> {
  const stat = await readFile(join('/sys/fs/cgroup/unified', CGROUP_NAME, machine, 'cpu.stat'), 'utf8');
  return Number(/^usage_usec (\d+)$/m.exec(stat)![1]) / 1e6;
}

const PERF_HZ = 997;

/** `perf report` by program: CPU ms per host of each (a sample is 1/PERF_HZ s of CPU). */
async function perfByProgram(data: string, hosts: number): Promise<string> {
  const report = await timed('perf', ['report', '-i', data, '--sort', 'comm', '--stdio', '-n', '--percent-limit', '0.5']);
  return report.stdout
    .split('\n')
    .map((line) => /^\s+[\d.]+%\s+(\d+)\s+(.+?)\s*$/.exec(line))
    .filter((m) => m !== null)
    .slice(0, 25)
    .map((m) => `  ${((Number(m[1]) * 1000) / PERF_HZ / hosts).toFixed(1).padStart(6)} ms/host  ${m[2]}`)
    .join('\n');
}

async function main(): Promise<void> {
  const unavailable = fleetUnavailable();
  if (unavailable) throw new Error(unavailable);
  const fleet = await bootFleet({ count: Number(values.hosts) });
  try {
    const dir = join(fleet.dir, 'cpu');
    const home = join(dir, 'home');
    await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    await copyFile(fleet.sshConfigFile, join(home, '.ssh', 'config'));
    const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };
    const write = async (path: string, content: string) => {
      await mkdir(dirname(join(dir, 'prod', path)), { recursive: true });
      await writeFile(join(dir, 'prod', path), content);
    };
    await timedOk('deptool init', process.execPath, [CLI, 'init', 'prod'], { cwd: dir, env });
    for (const host of fleet.hosts) {
      const exec = `/usr/bin/python3 -m http.server ${await fleet.allocatePort()} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
      await write(`${host.name}/site/manifest.json`, '{ "systemd": { "units_enabled": ["site.service"] } }\n');
      await write(`${host.name}/site/systemd/site.service`, `[Unit]\nDescription=site\n[Service]\nExecStart=${exec}\n[Install]\nWantedBy=multi-user.target\n`);
      await write(`${host.name}/site/index.html`, 'setup\n');
    }
    await timedOk('deptool deploy (setup)', process.execPath, [CLI, 'deploy', '--yes'], { cwd: dir, env });

    const n = fleet.hosts.length;
    const variants = values.compare ? [values.compare, CLI, values.compare, CLI] : [CLI];
    const figures = new Map<string, { hosts: number[]; driver: number[] }>();
    let change = 0;
    for (const cli of variants) {
      const { hosts, driver } = figures.get(cli) ?? { hosts: [], driver: [] };
      figures.set(cli, { hosts, driver });
      if (values.compare) {
        for (const host of fleet.hosts) await write(`${host.name}/site/index.html`, `change ${++change}\n`);
        await timedOk('deptool deploy (agent install)', process.execPath, [cli, 'deploy', '--yes', '--settle', '0'], { cwd: dir, env });
        console.log(cli);
      }
      for (let i = 1; i <= Number(values.runs); i++) {
        for (const host of fleet.hosts) await write(`${host.name}/site/index.html`, `change ${++change}\n`);
        const perfData = join(dir, `perf.${i}`);
        const perf = values.perf ? spawn('perf', ['record', '-q', '-a', '-e', 'cpu-clock', '-F', String(PERF_HZ), '-o', perfData], { stdio: 'ignore' }) : null;
        if (perf) await new Promise((r) => setTimeout(r, 500));
        const before = await Promise.all(fleet.hosts.map((host) => hostCpu(host.machine)));
        const node = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
        const run = await timedOk(`deptool deploy #${i}`, process.execPath, [...node, cli, 'deploy', '--yes', '--settle', '0'], { cwd: dir, env });
        // The restarted services finish starting, and the agent its last cleanup, after the driver's answer.
        await new Promise((r) => setTimeout(r, 1000));
        const after = await Promise.all(fleet.hosts.map((host) => hostCpu(host.machine)));
        const onHosts = after.reduce((sum, x, k) => sum + x - before[k], 0);
        hosts.push(onHosts);
        driver.push(run.cpu.own);
        console.log(
          `run ${i}: ${run.seconds.toFixed(2)} s wall; hosts ${onHosts.toFixed(2)} s CPU (${((onHosts * 1000) / n).toFixed(0)} ms/host), ` +
            `driver ${run.cpu.own.toFixed(2)} s (${((run.cpu.own * 1000) / n).toFixed(0)} ms/host), machine ${run.cpu.machine.toFixed(2)} s`,
        );
        if (perf) {
          perf.kill('SIGINT');
          await new Promise((r) => perf.once('exit', r));
          console.log(await perfByProgram(perfData, n));
        }
      }
    }
    for (const [cli, { hosts, driver }] of figures) {
      console.log(
        `${cli}: median of ${hosts.length} runs, ${n} hosts: hosts ${((median(hosts) * 1000) / n).toFixed(0)} ms/host, driver ${median(driver).toFixed(2)} s ` +
          `(${((median(driver) * 1000) / n).toFixed(0)} ms/host)`,
      );
    }
  } finally {
    await fleet.stop();
  }
}

await main();
