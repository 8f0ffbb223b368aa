// Counts the processes a one-file deploy (plus unit restart, settle 0) starts on one real host, by program:
// strace -f on the host's PID 1 and sshd catches the SSH logins, the agent and its transient unit.
//
// Usage: node --import tsx bench/deploy-execs.ts [--runs N] [--verbose]   (root, strace, after scripts/fleet/setup.sh and npm run build)
// --verbose prints every exec, in order.
import { spawn } from 'node:child_process';
import { mkdir, copyFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bootFleet, fleetUnavailable } from '../test/e2e/fleet/fleet.js';
import { processComm } from '../test/e2e/fleet/system.js';
import { timedOk } from './deploy-run.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1' }, verbose: { type: 'boolean', default: false } } });
const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');

async function main(): Promise<void> {
  const unavailable = fleetUnavailable();
  if (unavailable) throw new Error(unavailable);
  const fleet = await bootFleet({ count: 1 });
  try {
    const host = fleet.hosts[0];
    const dir = join(fleet.dir, 'execs');
    const home = join(dir, 'home');
    await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    await copyFile(fleet.sshConfigFile, join(home, '.ssh', 'config'));
    const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };
    const cli = (...args: string[]) => timedOk(`deptool ${args[0]}`, process.execPath, [CLI, ...args], { cwd: dir, env });
    const write = async (path: string, content: string) => {
      await mkdir(dirname(join(dir, 'prod', path)), { recursive: true });
      await writeFile(join(dir, 'prod', path), content);
    };
    await cli('init', 'prod');
    const port = await fleet.allocatePort();
    const exec = `/usr/bin/python3 -m http.server ${port} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
    await write(`${host.name}/site/manifest.json`, '{ "systemd": { "units_enabled": ["site.service"] } }\n');
    await write(`${host.name}/site/systemd/site.service`, `[Unit]\nDescription=site\n[Service]\nExecStart=${exec}\n[Install]\nWantedBy=multi-user.target\n`);
    await write(`${host.name}/site/index.html`, 'setup\n');
    await cli('deploy', '--yes');

    const procs = fleet.processes(host.name).map((pid) => ({ pid, comm: processComm(pid) }));
    const init = procs.find((p) => p.comm === 'systemd');
    const sshd = procs.filter((p) => p.comm === 'sshd');
    if (!init || sshd.length === 0) throw new Error(`no systemd or sshd in ${host.root}: ${JSON.stringify(procs)}`);
    for (let i = 1; i <= Number(values.runs); i++) {
      await write(`${host.name}/site/index.html`, `change ${i}\n`);
      const out = join(dir, `strace.${i}`);
      const tracer = spawn('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', out, '-p', String(init.pid), ...sshd.flatMap((p) => ['-p', String(p.pid)])], {
        stdio: 'ignore',
      });
      // strace has no "attached" signal; it attaches within milliseconds.
      await new Promise((r) => setTimeout(r, 500));
      const run = await cli('deploy', '--yes', '--settle', '0');
      // The agent's last cleanup may still be running when the driver has its answer.
      await new Promise((r) => setTimeout(r, 300));
      tracer.kill('SIGINT');
      await new Promise((r) => tracer.once('exit', r));
      // Failed execve calls are PATH lookups, not processes.
      const lines = (await readFile(out, 'utf8')).split('\n').filter((l) => /execve\("/.test(l) && !/= -1 /.test(l));
      const counts = new Map<string, number>();
      for (const line of lines) {
        const program = /execve\("([^"]*)"/.exec(line)![1].split('/').pop()!;
        counts.set(program, (counts.get(program) ?? 0) + 1);
      }
      console.log(`run ${i}: ${lines.length} execs on the host (deploy took ${run.seconds.toFixed(2)} s under strace)`);
      console.log(`  ${[...counts].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')}`);
      if (values.verbose) console.log(lines.join('\n'));
    }
  } finally {
    await fleet.stop();
  }
}

await main();
