// Boots throwaway Debian hosts (systemd as PID 1 + sshd, in systemd-nspawn overlays) for deploy e2e tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  BASE_ROOTFS,
  FLEET_TMP_ROOT,
  childPids,
  createHostCgroups,
  isRunning,
  leasePort,
  mountsUnder,
  ownerStamp,
  processComm,
  fleetProcesses,
  releasePortSync,
  removeCgroupTree,
  run,
  runOk,
  signal,
  sleepSync,
  unmountSync,
  waitFor,
} from './system.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Log in as this user instead of root (e.g. 'deploy', which has passwordless sudo). */
  user?: string;
  /** Bytes for the remote command's stdin. */
  input?: string;
  /** Kills ssh and rejects after this long (default 60 s). */
  timeoutMs?: number;
}

export interface FleetHost {
  /** Host name: its /etc/hostname and its `Host` entry in sshConfigFile. */
  readonly name: string;
  /** Its sshd's port on 127.0.0.1. */
  readonly port: number;
  readonly address: '127.0.0.1';
  /** The host's merged rootfs (overlay of the shared base) on this machine; writes land in the host only. */
  readonly root: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 KEY`, the host's own key. */
  readonly knownHostsLine: string;
  /** The nspawn machine name, unique on this machine. */
  readonly machine: string;
}

export interface Fleet {
  readonly hosts: readonly FleetHost[];
  /** The fleet's private temp dir (keys, configs, per-host overlays and console logs). */
  readonly dir: string;
  /** known_hosts with every host's line. */
  readonly knownHostsFile: string;
  /** The client private key (OpenSSH format), authorized for root and deploy on every host. */
  readonly privateKeyPem: string;
  /** The client public key line. */
  readonly publicKey: string;
  /** The same private key as a 0600 file, for `ssh -i` baselines. */
  readonly identityFile: string;
  /** An ssh_config with a Host entry per host (HostName, Port, User root, IdentityFile, UserKnownHostsFile, strict checking). */
  readonly sshConfigFile: string;
  /** What the harness had to work around while booting (e.g. a reset-failed), for diagnostics. */
  readonly events: readonly string[];
  host(name: string): FleetHost;
  /** `ssh -F sshConfigFile` + the argv quoted for the remote shell; never throws on a non-zero exit. */
  exec(host: string | FleetHost, command: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Powers the host off (SIGTERM to its nspawn); `hard` kills it like a power cut. Its overlay stays. */
  stopHost(name: string, options?: { hard?: boolean }): Promise<void>;
  /** Boots a stopped host again on the same overlay, port and keys; resolves when it is running. */
  startHost(name: string): Promise<void>;
  /** SIGKILLs every sshd of the host (listener and sessions), like a dropped connection; systemd restarts the listener. */
  killSshd(name: string): Promise<void>;
  /** A free loopback port leased until stop(), for services the test runs on a host (hosts share the port space). */
  allocatePort(): Promise<number>;
  /** Pids of the fleet's (or one host's) nspawn and container processes; empty after stop(). */
  processes(name?: string): number[];
  /** Kills every host, unmounts the overlays and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface BootOptions {
  count: number;
  /** Host names are `${prefix}01`, `${prefix}02`, ... (default 'host'). */
  prefix?: string;
  /** Explicit host names (length must equal count). */
  hostnames?: string[];
  /** Per-host boot deadline (default 30 s). */
  timeoutMs?: number;
}

/** Why this machine cannot run a fleet at all, or undefined; bootFleet fails with it. */
export function fleetUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the e2e fleet needs Linux (systemd-nspawn)';
  if (process.getuid?.() !== 0) return 'the e2e fleet needs root (overlay mounts, systemd-nspawn)';
  return undefined;
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const BOOT_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
/** systemd's exit status for "could not move the process into its cgroup". */
const EXIT_CGROUP = '219';
/**
 * Joins the cgroups given as arguments, then execs the rest: a constant script with all
 * input passed as arguments. See createHostCgroups for why each host needs its own.
 */
const JOIN_CGROUPS_THEN_EXEC = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1/cgroup.procs" || exit 125; shift; n=$((n - 1)); done; exec "$@"';

let fleetSeq = 0;

interface HostState {
  host: FleetHost;
  dir: string;
  consoleLog: string;
  cgroups: string[];
  pid?: number;
  exited: boolean;
  exitInfo: string;
}

/** Quotes one argument for a POSIX shell (what sshd hands the command line to). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function tail(file: string, lines = 40): string {
  try {
    // The console is a pty: lines end in \r\r\n.
    return readFileSync(file, 'utf8').replace(/\r/g, '').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no console log)';
  }
}

/** The SSH identification string answers once sshd accepts connections; cheaper to poll than ssh itself. */
function sshBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1').startsWith('SSH-')));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

function passwdEntry(rootfs: string, user: string): { uid: number; gid: number; home: string } {
  for (const line of readFileSync(join(rootfs, 'etc/passwd'), 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user) return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? `/home/${user}` };
  }
  throw new Error(`user ${user} is missing from the base rootfs; re-run scripts/fleet/setup.sh`);
}

class FleetImpl implements Fleet {
  readonly hosts: FleetHost[] = [];
  readonly events: string[] = [];
  readonly knownHostsFile: string;
  readonly identityFile: string;
  readonly sshConfigFile: string;
  privateKeyPem = '';
  publicKey = '';
  private readonly states = new Map<string, HostState>();
  private readonly ports: number[] = [];
  private stopped = false;
  /** Numbers this process's fleets, so machine names stay unique when one process boots several. */
  private readonly seq = ++fleetSeq;

  constructor(
    readonly dir: string,
    private readonly base: string,
    private readonly timeoutMs: number,
  ) {
    this.knownHostsFile = join(dir, 'known_hosts');
    this.identityFile = join(dir, 'client', 'id_ed25519');
    this.sshConfigFile = join(dir, 'ssh_config');
  }

  host(name: string): FleetHost {
    return this.state(name).host;
  }

  private state(name: string): HostState {
    const state = this.states.get(name);
    if (!state) throw new Error(`no host ${name} in this fleet (hosts: ${[...this.states.keys()].join(', ')})`);
    return state;
  }

  async allocatePort(): Promise<number> {
    const port = await leasePort();
    this.ports.push(port);
    return port;
  }

  async createClientKey(): Promise<void> {
    mkdirSync(join(this.dir, 'client'), { mode: 0o700 });
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deptool-fleet-client', '-f', this.identityFile]);
    chmodSync(this.identityFile, 0o600);
    this.privateKeyPem = readFileSync(this.identityFile, 'utf8');
    this.publicKey = readFileSync(`${this.identityFile}.pub`, 'utf8').trim();
  }

  /** Mounts the host's overlay and writes what makes it this host (name, port, keys) into it. */
  async prepareHost(name: string, index: number): Promise<void> {
    const port = await this.allocatePort();
    const machine = `dtf-${process.pid}-${this.seq}-${index + 1}`;
    const dir = join(this.dir, 'hosts', name);
    const root = join(dir, 'root');
    for (const sub of ['upper', 'work', 'root']) mkdirSync(join(dir, sub), { recursive: true });
    // For reap.sh, which finds a crashed fleet's hosts by their cgroups.
    writeFileSync(join(dir, 'machine'), `${machine}\n`);
    const state: HostState = {
      host: { name, port, address: '127.0.0.1', root, knownHostsLine: '', machine },
      dir,
      consoleLog: join(dir, 'console.log'),
      cgroups: [],
      exited: true,
      exitInfo: 'not started',
    };
    this.states.set(name, state);
    await runOk('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${this.base},upperdir=${dir}/upper,workdir=${dir}/work`, root]);

    writeFileSync(join(root, 'etc/hostname'), `${name}\n`);
    // sudo resolves its own host name and warns on every call when it cannot.
    writeFileSync(join(root, 'etc/hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
    // Unique per host and stable across its restarts, like a real machine's.
    writeFileSync(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`, { mode: 0o444 });
    writeFileSync(
      join(root, 'etc/ssh/sshd_config.d/deptool-fleet.conf'),
      [
        '# Written by the deptool e2e fleet: hosts share the loopback, so each sshd has its own port.',
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        'HostKey /etc/ssh/ssh_host_ed25519_key',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        '',
      ].join('\n'),
    );
    const hostKey = join(root, 'etc/ssh/ssh_host_ed25519_key');
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${name}`, '-f', hostKey]);
    const [type, key] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
    state.host = { ...state.host, knownHostsLine: `[127.0.0.1]:${port} ${type} ${key}` };

    this.authorize(root, '/root', 0, 0);
    const deploy = passwdEntry(root, 'deploy');
    this.authorize(root, deploy.home, deploy.uid, deploy.gid);
  }

  private authorize(root: string, home: string, uid: number, gid: number): void {
    const sshDir = join(root, home, '.ssh');
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    chmodSync(sshDir, 0o700);
    chownSync(sshDir, uid, gid);
    const file = join(sshDir, 'authorized_keys');
    writeFileSync(file, `${this.publicKey}\n`, { mode: 0o600 });
    chownSync(file, uid, gid);
  }

  writeClientConfig(): void {
    writeFileSync(this.knownHostsFile, this.hosts.map((host) => `${host.knownHostsLine}\n`).join(''));
    const entries = this.hosts.map((host) =>
      [
        `Host ${host.name}`,
        `  HostName ${host.address}`,
        `  Port ${host.port}`,
        '  User root',
        `  IdentityFile ${this.identityFile}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${this.knownHostsFile}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  CheckHostIP no',
        '  BatchMode yes',
        '  ConnectTimeout 10',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    );
    writeFileSync(this.sshConfigFile, entries.join('\n'));
  }

  async exec(host: string | FleetHost, command: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const name = typeof host === 'string' ? host : host.name;
    this.state(name);
    if (command.length === 0) throw new Error('exec needs a command');
    const args = ['-F', this.sshConfigFile];
    if (options.user !== undefined) args.push('-l', options.user);
    // sshd joins the arguments with spaces and hands them to the login shell, so each
    // one is quoted to arrive as exactly one argument.
    args.push(name, command.map(shellQuote).join(' '));
    return await run('ssh', args, { input: options.input, timeoutMs: options.timeoutMs ?? 60_000 });
  }

  private spawnHost(state: HostState): void {
    if (this.stopped) throw new Error('the fleet is stopped');
    for (const cgroup of state.cgroups) removeCgroupTree(cgroup);
    try {
      state.cgroups = createHostCgroups(state.host.machine);
    } catch (error) {
      state.cgroups = [];
      this.events.push(`${state.host.name}: no own cgroup (${String(error)}); hosts may see the 219/CGROUP flake`);
    }
    const nspawn = [
      'systemd-nspawn',
      '-D',
      state.host.root,
      '--boot',
      `--machine=${state.host.machine}`,
      // No system bus here: without these nspawn fails with "Failed to open system bus".
      '--register=no',
      '--keep-unit',
      // The host's journal stays inside the host, not under this machine's /var/log/journal.
      '--link-journal=no',
      '--console=read-only',
      // Plain text in console.log, whose tail goes into boot errors.
      '--setenv=SYSTEMD_COLORS=0',
    ];
    const log = openSync(state.consoleLog, 'a');
    try {
      // detached = setsid: the runner's Ctrl-C (sent to its process group) must not reach
      // nspawn directly; our own handlers stop the hosts and unmount in order.
      const child = spawn('/bin/sh', ['-c', JOIN_CGROUPS_THEN_EXEC, 'fleet-nspawn', String(state.cgroups.length), ...state.cgroups, ...nspawn], {
        detached: true,
        stdio: ['ignore', log, log],
      });
      state.pid = child.pid;
      state.exited = false;
      state.exitInfo = '';
      child.on('exit', (code, sig) => {
        state.exited = true;
        state.exitInfo = sig ? `killed by ${sig}` : `exited with ${code}`;
      });
      child.on('error', (error) => {
        state.exited = true;
        state.exitInfo = `could not start: ${error.message}`;
      });
      // A test that forgets stop() must not hang the runner: the exit handler reaps instead.
      child.unref();
    } finally {
      closeSync(log);
    }
  }

  private bootError(state: HostState, reason: string): Error {
    return new Error(`host ${state.host.name} (${state.host.machine}, port ${state.host.port}) ${reason}\n--- last lines of ${state.consoleLog} ---\n${tail(state.consoleLog)}`);
  }

  /** Waits until sshd answers and systemd reports the boot finished and healthy. */
  private async waitReady(state: HostState, started: number): Promise<void> {
    const deadline = started + this.timeoutMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    const notReady = (what: string) => () => this.bootError(state, `not ready after ${this.timeoutMs} ms: ${what}`);
    const exitedCheck = () => {
      if (state.exited) throw this.bootError(state, `stopped while booting (nspawn ${state.exitInfo})`);
    };
    await waitFor(
      async () => {
        exitedCheck();
        return (await sshBanner(state.host.port)) ? true : undefined;
      },
      { timeoutMs: remaining(), intervalMs: 25, onTimeout: notReady('sshd never answered') },
    );
    let resets = 0;
    for (;;) {
      exitedCheck();
      if (remaining() === 0) throw notReady('systemd never reported running')();
      let result: ExecResult;
      try {
        result = await this.exec(state.host, ['systemctl', 'is-system-running', '--wait'], { timeoutMs: remaining() + 1000 });
      } catch (error) {
        throw this.bootError(state, `not ready: ${error instanceof Error ? error.message : String(error)}`);
      }
      const status = result.stdout.trim();
      if (status === 'running') {
        this.events.push(`${state.host.name}: running after ${Date.now() - started} ms`);
        return;
      }
      if (status === 'degraded') {
        const failed = await this.failedUnits(state.host);
        // Units that could not be put in their cgroup (219/CGROUP) are a harness
        // artefact of booting many hosts at once, not a problem of the host.
        if (failed.length > 0 && failed.every((unit) => unit.status === EXIT_CGROUP) && resets < 3) {
          resets++;
          this.events.push(`${state.host.name}: reset-failed after ${failed.map((unit) => `${unit.id} ${unit.status}/CGROUP`).join(', ')}`);
          await this.exec(state.host, ['systemctl', 'reset-failed']);
          continue;
        }
        const detail = await this.exec(state.host, ['systemctl', '--failed', '--no-pager']);
        throw this.bootError(state, `booted degraded:\n${detail.stdout}`);
      }
      // 255 is ssh's own failure (sshd restarting during boot); anything else is a state
      // like "starting" that --wait gave up on. Both are retried until the deadline.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async failedUnits(host: FleetHost): Promise<{ id: string; status: string }[]> {
    const list = await this.exec(host, ['systemctl', 'list-units', '--state=failed', '--no-legend', '--plain', '--full']);
    const ids = list.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0])
      .filter((id): id is string => Boolean(id));
    if (ids.length === 0) return [];
    const show = await this.exec(host, ['systemctl', 'show', '--property=Id,ExecMainStatus', ...ids]);
    return show.stdout
      .trim()
      .split('\n\n')
      .map((block) => ({
        id: /^Id=(.*)$/m.exec(block)?.[1] ?? '?',
        status: /^ExecMainStatus=(.*)$/m.exec(block)?.[1] ?? '?',
      }));
  }

  async startHost(name: string, started = Date.now()): Promise<void> {
    const state = this.state(name);
    if (!state.exited) return;
    this.spawnHost(state);
    await this.waitReady(state, started);
  }

  /** SIGKILL to the container's init takes its whole pid namespace down, and nspawn then exits by itself. */
  private killContainer(state: HostState): void {
    if (state.pid === undefined || state.exited) return;
    const children = childPids(state.pid);
    // Before nspawn has forked the container there is nothing to orphan; afterwards
    // killing nspawn itself would leave the container running, reparented to PID 1.
    if (children.length === 0) signal(state.pid, 'SIGKILL');
    for (const pid of children) signal(pid, 'SIGKILL');
  }

  async stopHost(name: string, options: { hard?: boolean } = {}): Promise<void> {
    const state = this.state(name);
    if (state.exited || state.pid === undefined) return;
    const exited = () => (state.exited ? true : undefined);
    if (options.hard) {
      this.killContainer(state);
    } else {
      // nspawn turns SIGTERM into an orderly poweroff of the container.
      signal(state.pid, 'SIGTERM');
      try {
        await waitFor(exited, { timeoutMs: STOP_TIMEOUT_MS, onTimeout: () => new Error('poweroff timed out') });
        this.cleanupCgroups(state);
        return;
      } catch {
        this.events.push(`${name}: poweroff took over ${STOP_TIMEOUT_MS} ms; killed`);
        this.killContainer(state);
      }
    }
    await waitFor(
      () => {
        if (state.exited) return true;
        // The container may have been forked after the first kill; keep killing it.
        this.killContainer(state);
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50, onTimeout: () => this.bootError(state, `did not stop (nspawn pid ${state.pid})`) },
    );
    this.cleanupCgroups(state);
  }

  private cleanupCgroups(state: HostState): void {
    state.cgroups = state.cgroups.filter((cgroup) => !removeCgroupTree(cgroup));
  }

  processes(name?: string): number[] {
    const states = name === undefined ? [...this.states.values()] : [this.state(name)];
    const dir = name === undefined ? this.dir : this.state(name).dir;
    return fleetProcesses(
      dir,
      states.map((state) => state.host.machine),
    );
  }

  async killSshd(name: string): Promise<void> {
    const pids = this.processes(name).filter((pid) => processComm(pid) === 'sshd');
    if (pids.length === 0) throw new Error(`no sshd runs on ${name}`);
    for (const pid of pids) signal(pid, 'SIGKILL');
    await waitFor(() => (pids.every((pid) => !isRunning(pid)) ? true : undefined), {
      timeoutMs: 5000,
      onTimeout: () => new Error(`sshd of ${name} survived SIGKILL`),
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    await Promise.allSettled([...this.states.keys()].map((name) => this.stopHost(name, { hard: true })));
    this.stopped = true;
    this.cleanupSync();
  }

  /**
   * Synchronous teardown, also used from the process exit handler where nothing async
   * runs: kill what still runs, unmount, remove cgroups, leases and the temp dir.
   */
  cleanupSync(): void {
    this.stopped = true;
    for (const state of this.states.values()) this.killContainer(state);
    const deadline = Date.now() + 5000;
    const running = () => this.processes();
    while (running().length > 0 && Date.now() < deadline) sleepSync(20);
    for (const pid of running()) signal(pid, 'SIGKILL');
    for (const point of mountsUnder(this.dir)) unmountSync(point);
    for (const state of this.states.values()) this.cleanupCgroups(state);
    for (const port of this.ports.splice(0)) releasePortSync(port);
    if (mountsUnder(this.dir).length === 0) rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
    if (live.size === 0) uninstallExitHandlers();
  }

  async prepare(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((name, index) => this.prepareHost(name, index)));
    this.hosts.push(...names.map((name) => this.state(name).host));
  }
}

// --- crash safety -------------------------------------------------------------------

const live = new Set<FleetImpl>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let handlersInstalled = false;

function cleanupAll(): void {
  for (const fleet of [...live]) {
    try {
      fleet.cleanupSync();
    } catch {
      // Keep going: reap.sh is the last resort.
    }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  cleanupAll();
  uninstallExitHandlers();
  // Die of the same signal, as if we had not intercepted it, unless someone else handles it.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAll);
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

function uninstallExitHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', cleanupAll);
  for (const sig of SIGNALS) process.off(sig, onSignal);
}

// --- entry point --------------------------------------------------------------------

function hostNames(options: BootOptions): string[] {
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error(`count must be a positive integer, not ${options.count}`);
  const names = options.hostnames ?? Array.from({ length: options.count }, (_, i) => `${options.prefix ?? 'host'}${String(i + 1).padStart(2, '0')}`);
  if (names.length !== options.count) throw new Error(`hostnames has ${names.length} names for count ${options.count}`);
  for (const name of names) {
    if (!HOST_NAME.test(name)) throw new Error(`invalid host name ${JSON.stringify(name)}: use lowercase letters, digits and inner '-'`);
  }
  if (new Set(names).size !== names.length) throw new Error(`duplicate host names: ${names.join(', ')}`);
  return names;
}

/** Boots `count` hosts in parallel; resolves when every one runs sshd and systemd is `running`. */
export async function bootFleet(options: BootOptions): Promise<Fleet> {
  const unavailable = fleetUnavailable();
  if (unavailable) throw new Error(unavailable);
  const names = hostNames(options);
  if (!existsSync(BASE_ROOTFS)) throw new Error(`no base rootfs at ${BASE_ROOTFS}: run scripts/fleet/setup.sh (as root) first`);
  // Resolved once: setup.sh may publish a newer base while this fleet runs.
  const base = realpathSync(BASE_ROOTFS);
  if (/[,:\\]/.test(base)) throw new Error(`the base rootfs path ${base} cannot be an overlay lowerdir (',', ':' or '\\')`);

  mkdirSync(FLEET_TMP_ROOT, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(FLEET_TMP_ROOT, `${process.pid}-`));
  // reap.sh cleans fleets whose owner is gone; pid + start time survive pid reuse.
  writeFileSync(join(dir, 'owner'), `${ownerStamp()}\n`);
  const fleet = new FleetImpl(dir, base, options.timeoutMs ?? BOOT_TIMEOUT_MS);
  live.add(fleet);
  installExitHandlers();
  try {
    await fleet.createClientKey();
    await fleet.prepare(names);
    fleet.writeClientConfig();
    const results = await Promise.allSettled(names.map((name) => fleet.startHost(name)));
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason instanceof Error ? result.reason.message : result.reason)] : []));
    if (errors.length > 0) throw new Error(`${errors.length} of ${names.length} fleet hosts failed to boot:\n\n${errors.join('\n\n')}`);
    return fleet;
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}
