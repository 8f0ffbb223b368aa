// Low-level Linux helpers for the e2e fleet: /proc scans, cgroups, loopback port leases, mounts.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Where every fleet keeps its per-host overlays; scripts/fleet/reap.sh reads the same variable. */
export const FLEET_TMP_ROOT = process.env.DEPTOOL_FLEET_TMP ?? '/tmp/deptool-fleet';
/** Port leases: one file per port, so parallel test processes never pick the same port. */
export const PORT_LOCK_DIR = '/run/deptool-fleet/ports';
/** The base rootfs that scripts/fleet/setup.sh builds and points `current` at. */
export const BASE_ROOTFS = process.env.DEPTOOL_FLEET_BASE ?? '/var/cache/deptool-fleet/current/rootfs';
/** Every host's cgroups live under this name in each hierarchy, for reap.sh to find. */
export const CGROUP_NAME = 'deptool-fleet';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program (argument array, no shell) and collects its output; rejects only on spawn failure or timeout. */
export function run(
  file: string,
  args: readonly string[],
  options: { input?: string | Buffer; timeoutMs?: number } = {},
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms: ${[file, ...args].join(' ')}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (options.input !== undefined && child.stdin) child.stdin.end(options.input);
  });
}

/** Like run(), but a non-zero exit is an error carrying stderr. */
export async function runOk(file: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new Error(`${[file, ...args].join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or throws `onTimeout()` at the deadline. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; onTimeout: () => Error },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw options.onTimeout();
    await sleep(options.intervalMs ?? 25);
  }
}

/** Blocking sleep, for the synchronous exit handler only. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// --- processes ----------------------------------------------------------------------

/** The kernel's start time of a process (clock ticks since boot); with the pid it names a process uniquely. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** "pid starttime" of this process, written into lease and owner files. */
export function ownerStamp(pid = process.pid): string {
  return `${pid} ${processStartTime(pid) ?? '?'}`;
}

/** Whether the process a stamp names is still the same running process (not a reused pid). */
export function stampAlive(stamp: string): boolean {
  const [pid, start] = stamp.trim().split(' ');
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 && processStartTime(n) === start;
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The child processes of `pid` (for nspawn: the container's init, in our pid namespace). */
export function childPids(pid: number): number[] {
  return allPids().filter((candidate) => parentPid(candidate) === pid);
}

function processCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** `pid` and all its descendants (a container's init and everything in its pid namespace). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const candidate of allPids()) {
    const parent = parentPid(candidate);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), candidate]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (!existsSync(`/proc/${next}`)) continue;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/**
 * Processes of the fleet under `dir` whose hosts are named `machines`: the nspawn
 * processes pointed at a rootfs inside `dir`, and everything in the hosts' own cgroups.
 * (/proc/PID/root cannot tell: a container's pivot_root happens in its own mount
 * namespace, so from here every container process shows `/`.)
 */
export function fleetProcesses(dir: string, machines: readonly string[]): number[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const cgroups = machines.map((machine) => `/${CGROUP_NAME}/${machine}`);
  return allPids().filter((pid) => {
    // Zombies are gone in every way that matters and may wait a while for their reaper.
    if (pid === process.pid || !isRunning(pid)) return false;
    const argv = processCmdline(pid);
    if (argv.some((arg) => arg.includes('systemd-nspawn')) && argv.some((arg) => arg.startsWith(prefix))) return true;
    let membership: string;
    try {
      membership = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      return false;
    }
    return membership.split('\n').some((line) => {
      const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
      return cgroups.some((cgroup) => path === cgroup || path.startsWith(`${cgroup}/`));
    });
  });
}

/** Resident memory of processes, as proportional set size in bytes (shared pages split fairly). */
export function pssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // The process exited meanwhile.
    }
  }
  return total;
}

/** Whether a process exists and is not a zombie (an exited child nobody has reaped yet). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function processComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

// --- cgroups ------------------------------------------------------------------------

/**
 * The cgroup hierarchies systemd uses, as mount points: on a hybrid (v1) machine the
 * name=systemd one and the unified one, on a pure v2 machine just /sys/fs/cgroup.
 */
export function systemdCgroupMounts(): string[] {
  const mounts: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const mountPoint = before.split(' ')[4];
    const [fsType, , superOptions = ''] = after.split(' ');
    if (!mountPoint) continue;
    if (fsType === 'cgroup2' || (fsType === 'cgroup' && superOptions.split(',').includes('name=systemd'))) {
      mounts.push(mountPoint);
    }
  }
  return mounts;
}

/**
 * Creates one cgroup per host in each systemd hierarchy. Without it every nspawn run with
 * --keep-unit from the same cgroup puts its container under the same `payload` cgroup, so
 * the hosts' systemds create and delete each other's unit cgroups (the 219/CGROUP flake)
 * and see each other's processes in their units.
 */
export function createHostCgroups(machine: string): string[] {
  return systemdCgroupMounts().map((mount) => {
    const path = join(mount, CGROUP_NAME, machine);
    mkdirSync(path, { recursive: true });
    return path;
  });
}

/** Removes a host's cgroup trees depth-first; true when all are gone (a busy one stays). */
export function removeCgroupTree(path: string): boolean {
  if (!existsSync(path)) return true;
  let ok = true;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) ok = removeCgroupTree(join(path, entry.name)) && ok;
  }
  try {
    rmdirSync(path);
  } catch {
    ok = false;
  }
  return ok;
}

// --- ports --------------------------------------------------------------------------

function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Leases a free loopback port for this process: a lock file created with O_EXCL under
 * /run (other test processes skip it) and a bind that proves nobody listens there now.
 * Ports come from below the kernel's ephemeral range, so outgoing connections (ssh
 * clients) can never occupy a port a host's sshd is about to bind. Stale leases of dead
 * processes are skipped, not stolen (stealing races with another stealer); reap.sh
 * removes them.
 */
export async function leasePort(): Promise<number> {
  mkdirSync(PORT_LOCK_DIR, { recursive: true });
  const high = Math.min(ephemeralLow(), 65536) - 1;
  const low = Math.max(1024, high - 12_000);
  const span = high - low + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = low + ((start + i) % span);
    const lock = join(PORT_LOCK_DIR, String(port));
    let fd: number;
    try {
      fd = openSync(lock, 'wx', 0o644);
    } catch {
      continue;
    }
    writeSync(fd, `${ownerStamp()}\n`);
    closeSync(fd);
    if (await canBind(port)) return port;
    // Something outside the lease scheme listens there: drop the lease, try the next one.
    releasePortSync(port);
  }
  throw new Error(`no free loopback port in ${low}-${high}`);
}

export function releasePortSync(port: number): void {
  try {
    unlinkSync(join(PORT_LOCK_DIR, String(port)));
  } catch {
    // Already released.
  }
}

// --- mounts -------------------------------------------------------------------------

/** Mount points at or under `dir`, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(prefix)))
    .map((point) => point.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts, falling back to a lazy unmount when something still holds the mount. */
export function unmountSync(point: string): void {
  if (spawnSync('umount', [point], { stdio: 'ignore' }).status !== 0) {
    spawnSync('umount', ['-l', point], { stdio: 'ignore' });
  }
}
