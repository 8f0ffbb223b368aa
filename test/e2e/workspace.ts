// A deptool workspace for e2e tests: a temp dir with a store, a cluster dir and a
// HOME whose ~/.ssh/config reaches the fleet, and helpers to write the tree and run the CLI,
// in-process or as a real process that a test can signal.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from '../helpers/cli.js';
import { writeTree, type TreeSpec } from '../helpers/write-tree.js';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { bootFleet, type BootOptions, type Fleet } from './fleet/fleet.js';

export interface Workspace {
  readonly dir: string;
  readonly cluster: string;
  /** The store's git dir. */
  readonly store: string;
  /** Replaces the cluster dir's content with these files (`host/app/path` -> content). */
  write(files: TreeSpec, options?: { settings?: unknown }): Promise<void>;
  deptool(...args: string[]): Promise<CliResult>;
  /** Starts `node dist/cli.js ARGS` (built by scripts/test.mjs) in the workspace, as an operator's shell would. */
  start(...args: string[]): CliProcess;
  remove(): Promise<void>;
}

export interface CliExit extends CliResult {
  /** The signal that killed it, when one did. */
  readonly signal: NodeJS.Signals | null;
}

/** The CLI as a real process: its output as it comes, and signals as a terminal sends them. */
export interface CliProcess {
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first stdout line matching `pattern`; rejects when the process exits first or after `timeoutMs`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  readonly exited: Promise<CliExit>;
}

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

function startCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let waiters: (() => void)[] = [];
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let ended = false;
  const exited = new Promise<CliExit>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      wake();
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
  });
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    line(pattern, timeoutMs = 60_000) {
      const find = () => stdout.split('\n').find((text) => pattern.test(text));
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} after ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`)), timeoutMs);
        const finish = (error: Error | null, found?: string) => {
          clearTimeout(timer);
          waiters = waiters.filter((waiter) => waiter !== check);
          if (error) reject(error);
          else resolve(found!);
        };
        const check = () => {
          const found = find();
          if (found !== undefined) finish(null, found);
          else if (ended) finish(new Error(`deptool ${args.join(' ')} exited before printing a line matching ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
        };
        waiters.push(check);
        check();
      });
    },
    kill(signal) {
      child.kill(signal);
    },
    exited,
  };
}

export async function workspace(fleet: Fleet, name = 'prod'): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'deptool-e2e-'));
  const home = join(dir, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  await copyFile(fleet.sshConfigFile, join(home, '.ssh', 'config'));
  const cluster = join(dir, name);
  const env = { HOME: home, DEPTOOL_HOLDER: 'e2e@test' };
  const deptool = (...args: string[]) => runCli(args, { cwd: dir, env });
  const init = await deptool('init', name);
  if (init.code !== 0) throw new Error(`deptool init failed: ${init.stderr}`);
  return {
    dir,
    cluster,
    store: join(dir, '.deptool'),
    deptool,
    start: (...args) => startCli(args, dir, env),
    async write(files, options) {
      await rm(cluster, { recursive: true, force: true });
      await writeTree(cluster, files);
      if (options?.settings !== undefined) await writeFile(join(cluster, 'deptool.json'), JSON.stringify(options.settings, null, 2));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface FleetFixture {
  readonly fleet: Fleet;
  readonly ws: Workspace;
  /** A loopback port leased for the hosts' services. */
  readonly port: number;
}

/** Boots a fleet and a workspace before the file's tests and removes both after them. */
export function fleetFixture(options: BootOptions): FleetFixture {
  let state: FleetFixture | undefined;
  const get = (): FleetFixture => state ?? assert.fail('the fleet fixture is used before its before() hook ran');
  before(async () => {
    const fleet = await bootFleet(options);
    state = { fleet, port: await fleet.allocatePort(), ws: await workspace(fleet) };
  });
  after(async () => {
    await state?.ws.remove();
    await state?.fleet.stop();
  });
  return {
    get fleet() {
      return get().fleet;
    },
    get ws() {
      return get().ws;
    },
    get port() {
      return get().port;
    },
  };
}
