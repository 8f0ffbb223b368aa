// A tiny test-side driver for agent/deptool-agent.sh: ustar streams, step files, and runners for a sandbox or a fleet host.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { AGENT_FILE as AGENT_NAME, AGENT_SCRIPT } from '../../src/deploy/agent-script.js';
import { DEPTOOL_DIR as DEPTOOL, installCommand } from '../../src/deploy/protocol.js';
import type { Fleet } from '../e2e/fleet/fleet.js';
import { shellQuote } from '../e2e/fleet/fleet.js';

export { AGENT_SHA256, AGENT_VERSION } from '../../src/deploy/agent-script.js';
export { AGENT_NAME, DEPTOOL };
/** The agent's path in this checkout (the driver ships the same file, see src/deploy/agent-script.ts). */
export const AGENT_FILE = fileURLToPath(new URL('../../agent/deptool-agent.sh', import.meta.url));

// --- ustar ----------------------------------------------------------------------------------

export interface TarEntry {
  readonly path: string;
  readonly type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  readonly content?: string | Buffer;
  readonly mode?: number;
  readonly linkname?: string;
}

const TYPE_FLAG = { file: '0', hardlink: '1', symlink: '2', dir: '5' } as const;

function octal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

/** Splits a long name into ustar's prefix and name fields at a '/'. */
function splitName(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`path too long for ustar: ${path}`);
}

/** A ustar archive of the entries in order, written by hand so tests control every member exactly. */
export function tar(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const data = type === 'file' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    const header = Buffer.alloc(512);
    const [prefix, name] = splitName(entry.path);
    header.write(name, 0, 100, 'utf8');
    octal(header, 100, 8, entry.mode ?? (type === 'dir' ? 0o755 : 0o644));
    octal(header, 108, 8, 0);
    octal(header, 116, 8, 0);
    octal(header, 124, 12, data.length);
    octal(header, 136, 12, 0);
    header.fill(' ', 148, 156);
    header.write(TYPE_FLAG[type], 156, 1, 'latin1');
    header.write(entry.linkname ?? '', 157, 100, 'utf8');
    header.write('ustar\0', 257, 6, 'latin1');
    header.write('00', 263, 2, 'latin1');
    header.write(prefix, 345, 155, 'utf8');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

// --- revisions and steps ----------------------------------------------------------------------

export type AppFile = string | { readonly content: string; readonly executable: boolean };
export type AppFiles = Readonly<Record<string, AppFile>>;

export interface Revision {
  readonly app: string;
  readonly rev: string;
  readonly files: AppFiles;
  /** The permissions list sent as `<app>/<rev>.perms`, if any. */
  readonly perms?: string;
}

const contentOf = (file: AppFile) => (typeof file === 'string' ? file : file.content);
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A content-addressed revision id (the driver uses the git tree id; any 10 hex digits will do here). */
export function revision(app: string, files: AppFiles, perms?: string): Revision {
  const canonical = JSON.stringify([Object.keys(files).sort().map((path) => [path, files[path]]), perms ?? null]);
  return { app, rev: sha256(canonical).slice(0, 10), files, ...(perms === undefined ? {} : { perms }) };
}

/** `sha256sum` lines for the files, as the agent expects next to the revision (`*` marks an executable, as the driver writes it). */
export function checksumList(files: AppFiles): string {
  return Object.keys(files)
    .sort()
    .map((path) => {
      const file = files[path];
      return `${sha256(contentOf(file))} ${typeof file !== 'string' && file.executable ? '*' : ' '}${path}\n`;
    })
    .join('');
}

export function revisionEntries({ app, rev, files, perms }: Revision): TarEntry[] {
  return [
    ...Object.entries(files).map(([path, file]): TarEntry => ({
      path: `${app}/${rev}/${path}`,
      content: contentOf(file),
      mode: typeof file !== 'string' && file.executable ? 0o755 : 0o644,
    })),
    { path: `${app}/${rev}.sha256`, content: checksumList(files) },
    ...(perms === undefined ? [] : [{ path: `${app}/${rev}.perms`, content: perms }]),
  ];
}

/** The `stage` input for some revisions. */
export function stageTar(...revisions: readonly Revision[]): Buffer {
  return tar(revisions.flatMap(revisionEntries));
}

export type Step = readonly (string | number)[];

/** The `activate` input: the steps (one per line, tab-separated) and the state.json to install. */
export function activationTar(steps: readonly Step[], state = '{}\n'): Buffer {
  return tar([
    { path: 'steps', content: steps.map((step) => `${step.join('\t')}\n`).join('') },
    { path: 'state.json', content: state },
  ]);
}

// --- output -------------------------------------------------------------------------------------

export interface ActivationOutput {
  /** Every line but the status and output blocks and the result. */
  readonly lines: string[];
  /** `systemctl status` text per unit, in the order logged (a unit may appear twice). */
  readonly statuses: { unit: string; text: string }[];
  /** The output of each failed validate step, by step number. */
  readonly outputs: { step: number; text: string }[];
  readonly result: string | undefined;
}

/**
 * Parses an activation's log as `activate` and `result` print it (status blocks are
 * byte-counted), skipping blank lines.
 */
export function parseActivation(stdout: Buffer): ActivationOutput {
  const lines: string[] = [];
  const statuses: { unit: string; text: string }[] = [];
  const outputs: { step: number; text: string }[] = [];
  let result: string | undefined;
  let at = 0;
  while (at < stdout.length) {
    const end = stdout.indexOf(0x0a, at);
    const line = stdout.subarray(at, end === -1 ? stdout.length : end).toString('utf8');
    at = end === -1 ? stdout.length : end + 1;
    const status = /^status (\S+) (\d+)$/.exec(line);
    const output = /^output (\d+) (\d+)$/.exec(line);
    if (status) {
      const length = Number(status[2]);
      statuses.push({ unit: status[1], text: stdout.subarray(at, at + length).toString('utf8') });
      at += length;
    } else if (output) {
      const length = Number(output[2]);
      outputs.push({ step: Number(output[1]), text: stdout.subarray(at, at + length).toString('utf8') });
      at += length;
    } else if (line.startsWith('result ')) {
      result = line.slice('result '.length);
    } else if (line !== '') {
      lines.push(line);
    }
  }
  return { lines, statuses, outputs, result };
}

export interface SessionFacts {
  readonly pid: string;
  /** Every fact line before `state` (session, agent, hostname, system, failed, activation, current, previous). */
  readonly lines: string[];
  readonly state: string;
}

/** Parses `session` output up to `ready`; undefined while incomplete. */
export function parseSession(stdout: Buffer): SessionFacts | undefined {
  const lines: string[] = [];
  let at = 0;
  for (;;) {
    const end = stdout.indexOf(0x0a, at);
    if (end === -1) return undefined;
    const line = stdout.subarray(at, end).toString('utf8');
    at = end + 1;
    const state = /^state (\d+)$/.exec(line);
    if (!state) {
      lines.push(line);
      continue;
    }
    const length = Number(state[1]);
    if (stdout.length < at + length + 'ready\n'.length) return undefined;
    const tail = stdout.subarray(at + length, at + length + 'ready\n'.length).toString('utf8');
    if (tail !== 'ready\n') throw new Error(`session output does not end in ready: ${stdout.toString('utf8')}`);
    const pid = lines.find((fact) => fact.startsWith('session '))?.slice('session '.length) ?? '';
    return { pid, lines, state: stdout.subarray(at, at + length).toString('utf8') };
  }
}

// --- runners --------------------------------------------------------------------------------------

export interface AgentResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly raw: Buffer;
}

export interface Session {
  readonly pid: string;
  readonly facts: SessionFacts;
  readonly child: ChildProcessWithoutNullStreams;
  /** Closes the session's stdin (what the driver does at the end) and waits for it to exit. */
  close(): Promise<number>;
}

export interface OpenSession {
  /** Resolves when `ready` arrives; rejects if the agent exits first (e.g. busy) with its output. */
  readonly ready: Promise<Session>;
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code (and output) when the agent exits. */
  readonly exited: Promise<AgentResult>;
}

/** Runs agent commands somewhere: spawn() returns the process speaking the agent's stdin/stdout. */
export abstract class AgentRunner {
  abstract spawn(args: readonly string[]): ChildProcessWithoutNullStreams;

  /** Runs one command to completion, with `input` on stdin. */
  run(args: readonly string[], input?: Buffer | string, timeoutMs = 120_000): Promise<AgentResult> {
    return collect(this.spawn(args), input, timeoutMs);
  }

  /** `run` for a command that needs the session token. */
  command(session: Session | string, name: string, args: readonly (string | number)[] = [], input?: Buffer | string): Promise<AgentResult> {
    const pid = typeof session === 'string' ? session : session.pid;
    return this.run([name, '--session', pid, ...args.map(String)], input);
  }

  /** `session` with the driver's arguments: the holder, how long to wait for an activation in flight, then targets. */
  startSession(holder: string, wait = 120, ...targets: string[]): OpenSession {
    const child = this.spawn(['session', holder, String(wait), ...targets]);
    const exited = collect(child, undefined, 600_000, false);
    const chunks: Buffer[] = [];
    const ready = new Promise<Session>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        let facts: SessionFacts | undefined;
        try {
          facts = parseSession(Buffer.concat(chunks));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (facts) {
          resolve({
            pid: facts.pid,
            facts,
            child,
            close: async () => {
              child.stdin.end();
              return (await exited).code;
            },
          });
        }
      });
      void exited.then((result) => reject(new SessionEnded(result)));
    });
    // A session that ends in `busy` is the expected outcome of some tests.
    ready.catch(() => undefined);
    return { ready, child, exited };
  }

  async session(holder = 'test'): Promise<Session> {
    return await this.startSession(holder).ready;
  }
}

export class SessionEnded extends Error {
  constructor(readonly result: AgentResult) {
    super(`session ended with ${result.code}: ${result.stdout}${result.stderr}`);
  }
}

function collect(child: ChildProcessWithoutNullStreams, input: Buffer | string | undefined, timeoutMs: number, endInput = true): Promise<AgentResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // The agent may exit before reading all its input (a refused request).
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent ${child.spawnargs.join(' ')} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const raw = Buffer.concat(out);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: raw.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), raw });
    });
    if (input !== undefined) child.stdin.end(input);
    else if (endInput) child.stdin.end();
  });
}

/** The agent under dash on this machine, sandboxed with `--root`; `env` replaces the environment (e.g. a PATH that logs commands). */
export class SandboxAgent extends AgentRunner {
  constructor(
    readonly root: string,
    readonly env?: NodeJS.ProcessEnv,
  ) {
    super();
  }

  spawn(args: readonly string[]): ChildProcessWithoutNullStreams {
    return spawn('dash', [AGENT_FILE, '--root', this.root, ...args], { stdio: 'pipe', env: this.env ?? process.env });
  }
}

/** The agent installed on a fleet host, run as root over its own ssh connection per command. */
export class FleetAgent extends AgentRunner {
  readonly path = `${DEPTOOL}/bin/${AGENT_NAME}`;

  constructor(
    readonly fleet: Fleet,
    readonly host: string,
  ) {
    super();
  }

  spawn(args: readonly string[]): ChildProcessWithoutNullStreams {
    const command = [this.path, ...args].map(shellQuote).join(' ');
    return spawn('ssh', ['-F', this.fleet.sshConfigFile, this.host, command], { stdio: 'pipe' });
  }

  /** Installs the agent with the driver's constant command, so a truncated upload never becomes an agent. */
  async install(): Promise<void> {
    const installed = await this.fleet.exec(this.host, installCommand({ sudo: false, root: null }), { input: AGENT_SCRIPT });
    if (installed.code !== 0) throw new Error(`agent install on ${this.host} failed: ${installed.stderr}`);
  }
}
