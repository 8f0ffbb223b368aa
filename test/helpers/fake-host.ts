// A host in memory that speaks the agent protocol (agent/deptool-agent.sh) through a fake
// Connection: sessions with their facts, `links`, `export`, `activate` (a real tar, parsed and
// checked as the agent checks it, its log streamed), the `await` step and `confirm`, `result`,
// TCP connections made by the host (to this machine), commands a test answers, and dropped
// connections or refused logins where a test wants them. It parses what the driver sends, so a
// test fails when the driver sends something wrong.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { PassThrough, Readable, type Duplex } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { AGENT_FILE, AGENT_SCRIPT, AGENT_SHA256, AGENT_VERSION } from '../../src/deploy/agent-script.js';
import { AGENT_PATH, DEPTOOL_DIR } from '../../src/deploy/protocol.js';
import { checksumLine } from '../../src/deploy/revisions.js';
import { appLinkTargets, hostState } from '../../src/deploy/steps.js';
import { appTreeOid, gitBlobOid } from '../../src/tree/hash.js';
import { TransportError, type Channel, type Connection, type ExecOptions, type ExecResult, type ExitStatus } from '../../src/transport/connection.js';
import { snapshot, type FileSpec } from './snapshot.js';

export interface FakeFile {
  readonly content: Buffer;
  readonly executable: boolean;
}

export interface FakeRevision {
  readonly files: Map<string, FakeFile>;
  /** The `<rev>.sha256` text; null when the host lost it. */
  list: string | null;
}

interface FakeApp {
  current: string | null;
  previous: string | null;
  readonly revisions: Map<string, FakeRevision>;
}

/**
 * Where a connection drops: while the session reports its facts, while the activation's input is
 * sent, once the activation has run, just before it awaits the driver's verdict, or once the verdict came.
 */
export type DropPoint = 'before-ready' | 'upload' | 'activation' | 'before-await' | 'after-confirm';

export type ActivationResult = 'ok' | 'rolled-back' | 'failed' | 'refused';

/** One activation the host received, as it parsed it. */
export interface ReceivedActivation {
  readonly id: string;
  /** Each step's tab-separated fields. */
  readonly steps: readonly (readonly string[])[];
  /** The state.json sent along, or null. */
  readonly state: string | null;
  /** `app/rev` of each revision staged from the input. */
  readonly staged: readonly string[];
  readonly log: string[];
  result: ActivationResult;
  /** `check` lines of the driver's verdict, as the log keeps them. */
  readonly checks: string[];
}

/** What an activation awaiting the driver's verdict got: `ok`, a rejection, or nothing in time. */
type Verdict = { readonly kind: 'ok' } | { readonly kind: 'failed'; readonly why: string };

/** An activation in flight: whether (and what) it awaits, and when it has ended. */
interface Running {
  awaiting: { readonly connectSeconds: number; readonly verdictSeconds: number; connected: boolean; settle: (verdict: Verdict) => void; readonly verdict: Promise<Verdict> } | null;
  /** Wakes `confirm` commands waiting for the await step or the end. */
  readonly waiters: (() => void)[];
  ended: boolean;
}

const UNIT_DIR = '/etc/systemd/system';
/** Steps the agent skips in a sandbox or a dry run (it runs no systemctl, chown or systemd-sysusers there). */
const SYSTEMD_STEPS = new Set(['sysusers', 'perms', 'disable', 'daemon-reload', 'reenable', 'enable', 'restart', 'reload', 'verify', 'status']);
const isName = (s: string) => /^[A-Za-z0-9._-]+$/.test(s) && s !== '.' && s !== '..';
const isRev = (s: string) => /^[0-9a-f]{10}$/.test(s);
const isId = (s: string) => /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/.test(s);
const isUint = (s: string) => /^[0-9]+$/.test(s);
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);
/** Absolute and normalised: no `.`, `..` or empty components, no control characters. */
const isAbs = (s: string) => s.startsWith('/') && !/\/\.\.?\//.test(`${s}/`) && !`${s}/`.includes('//') && !hasControl(s);
const isUnit = (s: string) => /^[A-Za-z0-9:_.@\\-]+$/.test(s) && !s.startsWith('-') && !s.startsWith('.');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The agent's checksum list: `<sha256>  <path>` or `<sha256> *<path>`; null when a line is malformed. */
function parseList(text: string): Map<string, string> | null {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) return null;
    sums.set(match[2], match[1]);
  }
  return sums;
}

/** What differs between a revision's files and its list (what the agent's `sha256sum -c` and file count find). */
function compare(files: ReadonlyMap<string, FakeFile>, list: string): { modified: string[]; extra: string[] } | null {
  const sums = parseList(list);
  if (sums === null) return null;
  const modified = [...sums].filter(([path, sum]) => files.get(path) === undefined || sha256(files.get(path)!.content) !== sum).map(([path]) => path);
  const extra = [...files.keys()].filter((path) => !sums.has(path));
  return { modified: modified.sort(), extra: extra.sort() };
}

interface Member {
  readonly name: string;
  readonly type: string;
  readonly mode: number;
  readonly content: Buffer;
}

async function untar(data: Buffer): Promise<Member[]> {
  const members: Member[] = [];
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => {
        chunks.push(chunk as Buffer);
      });
      stream.on('end', () => {
        members.push({ name: header.name, type: header.type ?? 'file', mode: header.mode ?? 0, content: Buffer.concat(chunks) });
        next();
      });
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  Readable.from([data]).pipe(reader);
  await done;
  return members;
}

async function makeTar(entries: readonly { name: string; content?: Buffer; mode: number }[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve) => archive.on('end', resolve));
  for (const entry of entries) {
    if (entry.content === undefined) archive.entry({ name: entry.name, type: 'directory', mode: entry.mode });
    else archive.entry({ name: entry.name, type: 'file', mode: entry.mode, size: entry.content.length }, entry.content);
  }
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** The driver's stdin as the agent reads it: lines with `read`, then the rest for a tar. */
class Input {
  private data = Buffer.alloc(0);
  private eof = false;
  private wake: (() => void) | null = null;

  push(chunk: Buffer): void {
    this.data = Buffer.concat([this.data, chunk]);
    this.notify();
  }

  end(): void {
    this.eof = true;
    this.notify();
  }

  /** The driver has sent the end of its input. */
  get ended(): boolean {
    return this.eof;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private more(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** The next line; null at the end (a last line without its newline is dropped, as `read` does in a loop). */
  async line(): Promise<string | null> {
    for (;;) {
      const at = this.data.indexOf(10);
      if (at >= 0) {
        const line = this.data.subarray(0, at).toString('utf8');
        this.data = this.data.subarray(at + 1);
        return line;
      }
      if (this.eof) return null;
      await this.more();
    }
  }

  async rest(): Promise<Buffer> {
    while (!this.eof) await this.more();
    const all = this.data;
    this.data = Buffer.alloc(0);
    return all;
  }
}

/** One command running on the fake host. */
class Proc {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly input = new Input();
  done = false;
  /** The connection dropped before the driver's input had all left it. */
  inputCut = false;
  readonly exited: Promise<ExitStatus>;
  private settle!: { resolve(status: ExitStatus): void; reject(error: Error): void };

  constructor(readonly onEnd: (proc: Proc) => void) {
    this.exited = new Promise<ExitStatus>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.exited.catch(() => undefined);
  }

  out(data: string | Buffer): void {
    if (!this.done) this.stdout.write(data);
  }

  err(text: string): void {
    if (!this.done) this.stderr.write(text);
  }

  exit(code: number): void {
    if (this.done) return;
    this.done = true;
    this.input.end();
    this.stdout.end();
    this.stderr.end();
    this.settle.resolve({ code, signal: null });
    this.onEnd(this);
  }

  /** What the driver sees when the connection drops: `exited` rejects, the streams end. */
  lose(description: string): void {
    if (this.done) return;
    this.done = true;
    this.settle.reject(new TransportError('lost', `${description}: the connection was lost`));
    this.input.end();
    this.stdout.end();
    this.stderr.end();
    this.onEnd(this);
  }
}

class FakeConnection implements Connection {
  readonly description: string;
  private readonly procs = new Set<Proc>();
  private state: 'open' | 'closed' | 'lost' = 'open';

  constructor(private readonly host: FakeHost) {
    this.description = `fake:${host.name}`;
  }

  private start(argv: readonly string[]): Proc {
    if (this.state !== 'open') throw new TransportError('lost', `${this.description}: \`${argv[0]}\` could not start: the connection is ${this.state}`);
    const proc = new Proc((p) => {
      this.procs.delete(p);
      this.host.ended(p);
    });
    this.procs.add(proc);
    this.host.commands.push([...argv]);
    return proc;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const proc = this.start(argv);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    proc.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    proc.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const stdin = options.stdin;
    if (stdin === undefined) proc.input.end();
    else if (Buffer.isBuffer(stdin)) {
      proc.input.push(stdin);
      proc.input.end();
    } else {
      stdin.on('data', (chunk: Buffer) => proc.input.push(chunk));
      stdin.once('end', () => proc.input.end());
    }
    void this.host.run(argv, proc, this);
    const [status] = await Promise.all([proc.exited, once(proc.stdout, 'end'), once(proc.stderr, 'end')]);
    return { ...status, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) };
  }

  open(argv: readonly string[]): Promise<Channel> {
    // A start that throws (a lost connection) becomes a rejection, as over SSH.
    return new Promise((resolve) => {
      const proc = this.start(argv);
      void this.host.run(argv, proc, this);
      resolve({
        stdout: proc.stdout,
        stderr: proc.stderr,
        write: (data) => {
          if (!proc.done) proc.input.push(Buffer.from(data));
        },
        end: () => proc.input.end(),
        inputDone: () => proc.input.ended && !proc.inputCut,
        exited: proc.exited,
      });
    });
  }

  /** A TCP connection "made by the host": the fake host's network is this machine's. */
  forward(host: string, port: number): Promise<Duplex> {
    if (this.state !== 'open') return Promise.reject(new TransportError('lost', `${this.description}: cannot connect to ${host}:${port}: the connection is ${this.state}`));
    this.host.forwards.push(`${host}:${port}`);
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve(socket);
      });
      socket.once('error', (error) => reject(new TransportError('unreachable', `${this.description} cannot connect to ${host}:${port}: ${error.message}`)));
    });
  }

  close(): Promise<void> {
    if (this.state === 'open') this.state = 'closed';
    // Commands still running get end of file on stdin, as over SSH.
    for (const proc of this.procs) proc.input.end();
    return Promise.resolve();
  }

  /** The connection drops: every command on it is lost to the driver. */
  lose(): void {
    this.state = 'lost';
    for (const proc of [...this.procs]) proc.lose(this.description);
  }
}

interface Lock {
  readonly pid: number;
  readonly holder: string;
  readonly proc: Proc;
}

/** What the next activation does: fail at its first step named `step` (the first step when there is none) and end `result`. */
export interface Failure {
  readonly result: 'rolled-back' | 'failed';
  readonly step?: string;
}

export class FakeHost {
  /** What /etc/hostname says. */
  hostname: string;
  /** `systemctl is-system-running`. */
  system = 'running';
  failedUnits: string[] = [];
  /** Answer every session with `busy <this>` (another deploy holds the lock). */
  busy: string | null = null;
  /** Say `waiting <activation> <holder>` before locking (an activation of a driver that is gone was in flight). */
  waiting: { readonly activation: string; readonly holder: string } | null = null;
  /** unit -> its unit file outside deptool, e.g. `/lib/systemd/system/ssh.service`. */
  readonly foreignUnits = new Map<string, string>();
  /** The agent of this version is installed. */
  installed = true;
  /** Connecting fails as an unreachable host does. */
  unreachable = false;
  /** Drop the connection at this point, once. */
  dropAt: DropPoint | null = null;
  /** The next activation fails. */
  failNext: Failure | null = null;
  /** Refuse the next activation with this `error` line before it starts (a full disk, say). */
  refuseNext: string | null = null;
  /** Append bytes to each exported file on the way (a corrupted download). */
  tamperExports = false;
  /** The next validate step fails with this exit status and output (a config the host's own tool rejects). */
  failValidate: { readonly status: number; readonly output: string } | null = null;
  /** Targets where the host has a regular file (`!` in `links`) whose content differs from what deptool links there: adoption refuses it. */
  readonly differentFiles = new Set<string>();
  /** Dry runs received (`dry-run` on a session), oldest first; none of them changed the host. */
  readonly dryRuns: ReceivedActivation[] = [];
  /** New logins fail, as after a change that locked the deploy user out. */
  refuseLogins = false;
  /** The next activation locks logins out from its await step on, until its rollback (a bad sshd_config, say). */
  breaksLogins = false;
  /** Answers commands that are not the agent (exec health checks): their exit status and output. */
  execHandler: ((argv: readonly string[]) => { readonly code: number; readonly output: string }) | null = null;

  readonly apps = new Map<string, FakeApp>();
  /** target -> link value, or `!` for something that is not a symlink. */
  readonly links = new Map<string, string>();
  /** Units enabled by deptool's steps. */
  readonly enabled = new Set<string>();
  /** state.json; empty when there is none. */
  state = '';
  readonly activations = new Map<string, ReceivedActivation>();
  readonly order: string[] = [];
  /** Every command started on the host, as argv. */
  readonly commands: string[][] = [];
  /** Every request read on a session's stdin, split into fields. */
  readonly requests: string[][] = [];
  /** Sessions that reached `ready`. */
  sessions = 0;
  connections = 0;
  /** `confirm` commands that reached an awaiting activation (`connected`). */
  confirmations = 0;
  /** `host:port` of every TCP connection the driver had the host make. */
  readonly forwards: string[] = [];
  private readonly running = new Map<string, Running>();
  /** Requests the agent refuses as malformed (exit 2): a driver bug when not empty. */
  readonly usageErrors: string[] = [];
  private lock: Lock | null = null;
  private nextPid = 4000;

  constructor(readonly name: string) {
    this.hostname = name;
  }

  get locked(): boolean {
    return this.lock !== null;
  }

  /** Activations received, oldest first. */
  get received(): ReceivedActivation[] {
    return this.order.map((id) => this.activations.get(id)!);
  }

  connect(): Promise<Connection> {
    this.connections++;
    if (this.unreachable) return Promise.reject(new TransportError('unreachable', `fake:${this.name}: connection refused`));
    if (this.refuseLogins) return Promise.reject(new TransportError('auth', `fake:${this.name}: Authentication as root failed`));
    return Promise.resolve(new FakeConnection(this));
  }

  /**
   * Puts the host in the state a deploy of `files` (`app/path` keys) leaves: revisions with
   * their lists, `current` (the old one becomes `previous`), links, enabled units, state.json.
   * Apps not named are removed. Returns app -> revision.
   */
  seed(files: Record<string, FileSpec>): Map<string, string> {
    const host = snapshot(Object.fromEntries(Object.entries(files).map(([key, spec]) => [`${this.name}/${key}`, spec])), [this.name]).get(this.name)!;
    const revs = new Map<string, string>();
    for (const [name, app] of this.apps) {
      if (host.apps.has(name)) continue;
      app.previous = null;
      app.current = null;
    }
    for (const [target, value] of [...this.links]) if (value.startsWith(`${DEPTOOL_DIR}/`)) this.links.delete(target);
    this.enabled.clear();
    for (const app of host.apps.values()) {
      const rev = app.treeOid.slice(0, 10);
      const fakeFiles = new Map<string, FakeFile>();
      for (const [path, entry] of app.files) {
        const spec = files[`${app.name}/${path}`];
        fakeFiles.set(path, { content: Buffer.from(typeof spec === 'string' ? spec : spec.content), executable: entry.executable });
      }
      this.install(app.name, rev, fakeFiles);
      const state = this.app(app.name);
      if (state.current !== rev) {
        state.previous = state.current;
        state.current = rev;
      }
      for (const [target, value] of appLinkTargets(app)) this.links.set(target, value);
      for (const unit of app.manifest.unitsEnabled) this.enabled.add(unit);
      revs.set(app.name, rev);
    }
    this.state = `${JSON.stringify(hostState(host), null, 2)}\n`;
    return revs;
  }

  /** A hand edit of a file of an app's current revision. */
  edit(app: string, path: string, content: string): void {
    const rev = this.apps.get(app)?.current;
    const revision = rev ? this.apps.get(app)!.revisions.get(rev) : undefined;
    if (!revision) throw new Error(`${this.name} has no current revision of ${app}`);
    const old = revision.files.get(path);
    revision.files.set(path, { content: Buffer.from(content), executable: old?.executable ?? false });
  }

  /** The content of a file of an app's current revision, as the host serves it. */
  file(app: string, path: string): string | null {
    const rev = this.apps.get(app)?.current;
    return rev ? (this.apps.get(app)!.revisions.get(rev)?.files.get(path)?.content.toString('utf8') ?? null) : null;
  }

  current(app: string): string | null {
    return this.apps.get(app)?.current ?? null;
  }

  private app(name: string): FakeApp {
    let app = this.apps.get(name);
    if (!app) {
      app = { current: null, previous: null, revisions: new Map() };
      this.apps.set(name, app);
    }
    return app;
  }

  /** A revision with its checksum list: the one given (a staged revision's), or made as the driver makes it. */
  private install(app: string, rev: string, files: Map<string, FakeFile>, list?: string): void {
    const lines = [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, file]) => checksumLine(path, file.content, file.executable));
    this.app(app).revisions.set(rev, { files, list: list ?? `${lines.join('\n')}\n` });
  }

  /** A command ended: a session's lock goes with it. */
  ended(proc: Proc): void {
    if (this.lock?.proc === proc) this.lock = null;
  }

  private usage(proc: Proc, why: string): void {
    this.usageErrors.push(why);
    proc.err(`error ${why}\n`);
    proc.exit(2);
  }

  private refuse(proc: Proc, ...lines: string[]): void {
    for (const line of lines) proc.out(`error ${line}\n`);
    proc.exit(3);
  }

  /** Runs one command as the agent (or the installer) would. */
  async run(argv: readonly string[], proc: Proc, connection: FakeConnection): Promise<void> {
    const [program = '', ...args] = argv;
    if (program === 'sh' && args[0] === '-c') return await this.installAgent(args, proc);
    if (program !== AGENT_PATH && this.execHandler !== null) {
      const { code, output } = this.execHandler(argv);
      proc.out(output);
      return proc.exit(code);
    }
    if (program !== AGENT_PATH || !this.installed) {
      proc.err(`sh: 1: ${program}: not found\n`);
      return proc.exit(127);
    }
    const [command = '', ...rest] = args;
    if (command === 'session') return await this.session(rest, proc, connection);
    if (command === 'result') return await this.result(rest, proc);
    if (command === 'confirm') return await this.confirm(rest, proc);
    return this.usage(proc, `unknown command: ${command}`);
  }

  private async installAgent(args: readonly string[], proc: Proc): Promise<void> {
    const [, , , dir, sum, file] = args;
    const script = await proc.input.rest();
    if (dir !== `${DEPTOOL_DIR}/bin` || file !== AGENT_FILE || sum !== AGENT_SHA256 || sha256(script) !== sum || script.toString('utf8') !== AGENT_SCRIPT) {
      proc.err('agent upload corrupted\n');
      return proc.exit(1);
    }
    this.installed = true;
    proc.exit(0);
  }

  private async session(args: readonly string[], proc: Proc, connection: FakeConnection): Promise<void> {
    const [holder = '', wait = '', ...rest] = args;
    if (holder === '' || hasControl(holder)) return this.usage(proc, 'bad holder');
    if (!isUint(wait)) return this.usage(proc, `bad wait: ${wait}`);
    const units: string[] = [];
    while (rest[0] === '--unit') {
      const unit = rest[1] ?? '';
      if (!isUnit(unit)) return this.usage(proc, `bad unit: ${unit}`);
      units.push(unit);
      rest.splice(0, 2);
    }
    const targets = rest;
    for (const target of targets) if (!isAbs(target)) return this.usage(proc, `not a normalised absolute path: ${target}`);
    if (this.busy !== null || this.lock !== null) {
      proc.out(`busy ${this.busy ?? this.lock!.holder}\n`);
      return proc.exit(75);
    }
    if (this.waiting) proc.out(`waiting ${this.waiting.activation} ${this.waiting.holder}\n`);
    const pid = this.nextPid++;
    this.lock = { pid, holder: `${holder} 1700000000 ${pid}`, proc };
    proc.out(`session ${pid}\n`);
    if (this.drop('before-ready')) return connection.lose();
    proc.out(this.facts(units, targets));
    this.sessions++;
    for (;;) {
      const line = await proc.input.line();
      if (proc.done) return;
      if (line === null) return proc.exit(0);
      if (line === '') continue;
      const fields = line.split('\t');
      this.requests.push(fields);
      const [request, ...params] = fields;
      if (request === 'links') {
        for (const target of params) if (!isAbs(target)) return this.usage(proc, `not a normalised absolute path: ${target}`);
        proc.out(`${params.map((t) => this.linkLine(t)).join('')}done\n`);
      } else if (request === 'units') {
        for (const unit of params) if (!isUnit(unit)) return this.usage(proc, `bad unit: ${unit}`);
        proc.out(`${params.map((unit) => `${this.unitLine(unit)}\n`).join('')}done\n`);
      } else if (request === 'export' && params.length === 2) {
        await this.exportRevision(params[0], params[1], proc);
        if (proc.done) return;
      } else if (request === 'activate' && params.length === 3) {
        return this.activate(params, proc, connection);
      } else if (request === 'dry-run' && params.length === 2) {
        return this.dryRun(params, proc);
      } else return this.usage(proc, `session: unexpected request: ${request}`);
    }
  }

  private drop(point: DropPoint): boolean {
    if (this.dropAt !== point) return false;
    this.dropAt = null;
    return true;
  }

  private unitLine(unit: string): string {
    const link = this.links.get(`${UNIT_DIR}/${unit}`);
    const where = link?.startsWith(`${DEPTOOL_DIR}/`) ? 'deptool' : (this.foreignUnits.get(unit) ?? (link !== undefined ? `${UNIT_DIR}/${unit}` : '-'));
    return `unitfile ${unit} ${where}`;
  }

  private linkLine(target: string): string {
    return `link ${target} ${this.links.get(target) ?? '-'}\n`;
  }

  private facts(units: readonly string[], targets: readonly string[]): string {
    const lines: string[] = [`agent ${AGENT_VERSION} ${AGENT_FILE.slice(-10)}`, `hostname ${this.hostname}`, `system ${this.system}`];
    if (this.system !== 'running') lines.push(...this.failedUnits.map((unit) => `failed ${unit}`));
    const last = this.order.at(-1);
    if (last !== undefined) lines.push(`activation ${last} ${this.activations.get(last)!.result}`);
    for (const unit of units) lines.push(this.unitLine(unit));
    const names = [...this.apps.keys()].sort();
    for (const name of names) {
      const app = this.apps.get(name)!;
      if (app.current) lines.push(`current ${name} ${app.current}`);
      if (app.previous) lines.push(`previous ${name} ${app.previous}`);
    }
    const state = this.state === '' || this.state.endsWith('\n') ? this.state : `${this.state}\n`;
    const check: string[] = [];
    for (const name of names) {
      const app = this.apps.get(name)!;
      if (!app.current) continue;
      const revision = app.revisions.get(app.current);
      if (!revision || revision.list === null) {
        check.push(`missing ${name} ${app.current}`);
        continue;
      }
      const found = compare(revision.files, revision.list);
      if (found === null) check.push(`invalid ${name} checksum list: improperly formatted lines`);
      else check.push(...found.modified.map((p) => `modified ${name} ${p}`), ...found.extra.map((p) => `extra ${name} ${p}`));
    }
    return (
      `${lines.join('\n')}\nstate ${Buffer.byteLength(state)}\n${state}` +
      check.map((line) => `${line}\n`).join('') +
      targets.map((t) => this.linkLine(t)).join('') +
      'ready\n'
    );
  }

  private async exportRevision(app: string, rev: string, proc: Proc): Promise<void> {
    if (!isName(app) || !isRev(rev)) return this.usage(proc, 'export: bad app or revision');
    const revision = this.apps.get(app)?.revisions.get(rev);
    if (!revision) return void proc.out(`error apps/${app}/${rev} is not on the host\n`);
    const entries: { name: string; content?: Buffer; mode: number }[] = [{ name: `${rev}/`, mode: 0o755 }];
    const dirs = new Set<string>();
    for (const [path, file] of [...revision.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (!dirs.has(dir)) entries.push({ name: `${rev}/${dir}/`, mode: 0o755 });
        dirs.add(dir);
      }
      const content = this.tamperExports ? Buffer.concat([file.content, Buffer.from('tampered')]) : file.content;
      entries.push({ name: `${rev}/${path}`, content, mode: file.executable ? 0o555 : 0o444 });
    }
    if (revision.list !== null) entries.push({ name: `${rev}.sha256`, content: Buffer.from(revision.list), mode: 0o444 });
    const tar = await makeTar(entries);
    proc.out(`export ${tar.length}\n`);
    proc.out(tar);
  }

  /** `activate <id> <timeout> <keep>` on the session's stdin, its input the rest of stdin. */
  private async activate(params: readonly string[], proc: Proc, connection: FakeConnection): Promise<void> {
    const [id, timeout, keep] = params;
    if (!isId(id)) return this.usage(proc, `bad activation id: ${id}`);
    if (!isUint(timeout) || Number(timeout) === 0) return this.usage(proc, `bad timeout: ${timeout}`);
    if (!isUint(keep) || Number(keep) === 0) return this.usage(proc, `bad number of activations to keep: ${keep}`);
    if (this.drop('upload')) {
      proc.inputCut = true;
      return connection.lose();
    }
    const input = await proc.input.rest();
    if (proc.done) return;
    if (this.refuseNext !== null) {
      const why = this.refuseNext;
      this.refuseNext = null;
      return this.refuse(proc, why);
    }
    if (this.activations.has(id)) return this.refuse(proc, `activation ${id} exists`);
    const accepted = await this.accept(id, input, proc);
    if (accepted === null) return;
    const { activation, fresh } = accepted;
    this.activations.set(id, activation);
    this.order.push(id);
    const dropAfter = this.drop('activation');
    // The log streams as it grows (the agent tails it), unless the connection drops once the steps ran.
    let streamed = 0;
    const flush = () => {
      if (!dropAfter) for (const line of activation.log.slice(streamed)) proc.out(`${line}\n`);
      streamed = activation.log.length;
    };
    await this.runSteps(activation, 'activate', flush, connection);
    // A refused activation changed nothing: the revisions it staged go again.
    if (activation.result === 'refused') for (const { app, rev } of fresh) this.apps.get(app)?.revisions.delete(rev);
    if (dropAfter) {
      proc.out(`${activation.log[0] ?? ''}\n`);
      return connection.lose();
    }
    flush();
    proc.out(`\nresult ${activation.result}\n`);
    if (activation.result === 'ok') this.gc(Number(keep));
    proc.exit(0);
  }

  /**
   * An activation's input checked as the agent checks it, its revisions staged (refusing the
   * request with `error` lines when something is wrong: then null). `fresh`: the revisions
   * staged that the host did not have.
   */
  private async accept(id: string, input: Buffer, proc: Proc): Promise<{ activation: ReceivedActivation; fresh: { app: string; rev: string }[] } | null> {
    let members: Member[];
    try {
      members = await untar(input);
    } catch (error) {
      this.refuse(proc, `the input is not a valid tar stream: ${(error as Error).message}`);
      return null;
    }
    for (const member of members) {
      const top = member.name.split('/')[0];
      const why =
        member.type !== 'file' && member.type !== 'directory'
          ? `only regular files and directories are accepted: ${member.name}`
          : member.name.startsWith('/') || `/${member.name}/`.includes('/../')
            ? `bad path in the archive: ${member.name}`
            : top !== 'steps' && top !== 'state.json' && top !== 'revisions'
              ? `unexpected ${top} in the activation`
              : null;
      if (why !== null) {
        this.refuse(proc, why);
        return null;
      }
    }
    const stepsFile = members.find((m) => m.name === 'steps' && m.type === 'file');
    if (!stepsFile) {
      this.refuse(proc, 'no steps were sent');
      return null;
    }
    const stateFile = members.find((m) => m.name === 'state.json' && m.type === 'file');
    const steps = stepsFile.content
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'));
    for (const [i, step] of steps.entries()) {
      const why = stepProblem(step, stateFile !== undefined);
      if (why !== null) {
        this.refuse(proc, `step ${i + 1} (${step[0]}): ${why}`);
        return null;
      }
    }
    const staged = this.stage(members.filter((m) => m.name.startsWith('revisions/') && m.type === 'file'));
    if ('problems' in staged) {
      this.refuse(proc, ...staged.problems);
      return null;
    }
    const fresh: { app: string; rev: string }[] = [];
    for (const { app, rev, files, list } of staged.revisions) {
      // Content-addressed: a revision already there is kept, unless it was changed on the host.
      const present = this.apps.get(app)?.revisions.get(rev);
      const found = present?.list ? compare(present.files, present.list) : null;
      if (!present) fresh.push({ app, rev });
      if (!found || found.modified.length + found.extra.length > 0) this.install(app, rev, files, list);
      proc.out(`staged ${app} ${rev}\n`);
    }
    const activation: ReceivedActivation = {
      id,
      steps,
      state: stateFile ? stateFile.content.toString('utf8') : null,
      staged: staged.revisions.map((r) => `${r.app}/${r.rev}`),
      log: [],
      result: 'ok',
      checks: [],
    };
    return { activation, fresh };
  }

  /**
   * `dry-run <id> <timeout>` on the session's stdin: the activation against a scratch root.
   * The model runs the steps (systemd ones skipped) and is then put back exactly as it was.
   */
  private async dryRun(params: readonly string[], proc: Proc): Promise<void> {
    const [id, timeout] = params;
    if (!isId(id)) return this.usage(proc, `bad activation id: ${id}`);
    if (!isUint(timeout) || Number(timeout) === 0) return this.usage(proc, `bad timeout: ${timeout}`);
    const input = await proc.input.rest();
    if (proc.done) return;
    const apps = new Map([...this.apps].map(([name, app]) => [name, { current: app.current, previous: app.previous, revisions: new Map(app.revisions) }]));
    const links = new Map(this.links);
    const enabled = new Set(this.enabled);
    const state = this.state;
    proc.out(`dry-run ${DEPTOOL_DIR}/dryrun/${id}\n`);
    const accepted = await this.accept(id, input, proc);
    if (accepted !== null) {
      await this.runSteps(accepted.activation, 'dry-run', () => undefined, null);
      this.dryRuns.push(accepted.activation);
    }
    this.apps.clear();
    for (const [name, app] of apps) this.apps.set(name, app);
    this.links.clear();
    for (const [target, value] of links) this.links.set(target, value);
    this.enabled.clear();
    for (const unit of enabled) this.enabled.add(unit);
    this.state = state;
    if (accepted === null) return;
    proc.out(`${accepted.activation.log.map((line) => `${line}\n`).join('')}\nresult ${accepted.activation.result}\n`);
    proc.exit(0);
  }

  /** `confirm <id> <nonce> <wait>`: the driver's verdict on an activation that awaits it, as the agent's cmd_confirm. */
  private async confirm(args: readonly string[], proc: Proc): Promise<void> {
    const [id = '', nonce = '', wait = ''] = args;
    if (args.length !== 3 || !isId(id) || !/^[0-9a-f]{32}$/.test(nonce) || !isUint(wait)) return this.usage(proc, 'usage: confirm <id> <nonce> <wait-seconds>');
    const activation = this.activations.get(id);
    if (!activation) return this.refuse(proc, `no activation ${id}`);
    if (activation.steps.find((step) => step[0] === 'await')?.[1] !== nonce) return this.refuse(proc, `activation ${id} does not await this confirmation`);
    const run = this.running.get(id);
    if (run && !run.awaiting && !run.ended) {
      // A driver that reconnected may come before the activation awaits.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Number(wait) * 1000);
        run.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (!run.awaiting && !run.ended) return this.refuse(proc, `activation ${id} did not reach its await step within ${wait} s`);
    }
    if (!run || run.ended) {
      proc.out(`ended ${activation.result}\n`);
      return proc.exit(0);
    }
    const awaiting = run.awaiting!;
    awaiting.connected = true;
    this.confirmations++;
    proc.out('connected\n');
    const checks: string[] = [];
    for (;;) {
      const line = await proc.input.line();
      if (line === null) return proc.exit(0);
      if (line.startsWith('check ')) checks.push(line);
      else if (line === 'ok' || line.startsWith('reject ')) {
        activation.checks.push(...checks);
        awaiting.settle(line === 'ok' ? { kind: 'ok' } : { kind: 'failed', why: `the driver rejected the activation: ${line.slice('reject '.length)}` });
        proc.out(line === 'ok' ? 'confirmed\n' : 'rejected\n');
        return proc.exit(0);
      } else return this.usage(proc, 'confirm: unexpected line');
    }
  }

  /** The revisions of an activation's input, verified as the agent's stage does (and named by their content, which the driver guarantees). */
  private stage(members: readonly Member[]): { revisions: { app: string; rev: string; files: Map<string, FakeFile>; list: string }[] } | { problems: string[] } {
    const lists = new Map<string, string>();
    const revisions = new Map<string, Map<string, FakeFile>>();
    const problems: string[] = [];
    for (const member of members) {
      const [, app = '', entry = '', ...path] = member.name.split('/');
      if (!isName(app)) problems.push(`unexpected ${app}`);
      else if (path.length === 0 && entry.endsWith('.sha256') && isRev(entry.slice(0, -7))) lists.set(`${app}/${entry.slice(0, -7)}`, member.content.toString('utf8'));
      else if (path.length > 0 && isRev(entry)) {
        const files = revisions.get(`${app}/${entry}`) ?? revisions.set(`${app}/${entry}`, new Map()).get(`${app}/${entry}`)!;
        files.set(path.join('/'), { content: member.content, executable: (member.mode & 0o100) !== 0 });
      } else problems.push(`unexpected ${app}/${entry}`);
    }
    for (const key of lists.keys()) if (!revisions.has(key)) problems.push(`unexpected ${key}.sha256 lists a revision that was not sent`);
    const result: { app: string; rev: string; files: Map<string, FakeFile>; list: string }[] = [];
    for (const [key, files] of revisions) {
      const list = lists.get(key);
      if (list === undefined) {
        problems.push(`unexpected ${key} has no checksum list ${key}.sha256`);
        continue;
      }
      const found = compare(files, list);
      if (found === null) problems.push(`${key}: invalid checksum list`);
      else problems.push(...found.modified.map((p) => `${key}: modified ${p}`), ...found.extra.map((p) => `${key}: extra ${p}`));
      const [app, rev] = key.split('/');
      const tree = appTreeOid(new Map([...files].map(([path, file]) => [path, { oid: gitBlobOid(file.content), executable: file.executable, size: file.content.length }])));
      if (!tree.startsWith(rev)) problems.push(`${key}: the files hash to ${tree.slice(0, 10)}, not to their revision (a driver bug: revisions are content-addressed)`);
      result.push({ app, rev, files, list });
    }
    return problems.length > 0 ? { problems } : { revisions: result };
  }

  /**
   * Runs the steps on the model, as run-activation does, rolling everything back when the
   * configured failure hits or the driver's verdict does not come; a failed validate step before any
   * change refuses the activation. A dry run skips the systemd steps, as the agent does in its
   * scratch root. `flush` streams the log so far.
   */
  private async runSteps(activation: ReceivedActivation, mode: 'activate' | 'dry-run', flush: () => void, connection: FakeConnection | null): Promise<void> {
    const run: Running = { awaiting: null, waiters: [], ended: false };
    this.running.set(activation.id, run);
    const wake = () => {
      for (const waiter of run.waiters.splice(0)) waiter();
    };
    try {
      await this.stepsOf(activation, mode, run, wake, flush, connection);
    } finally {
      run.ended = true;
      wake();
    }
  }

  private async stepsOf(activation: ReceivedActivation, mode: 'activate' | 'dry-run', run: Running, wake: () => void, flush: () => void, connection: FakeConnection | null): Promise<void> {
    const before = {
      apps: new Map([...this.apps].map(([name, app]) => [name, { current: app.current, previous: app.previous }])),
      links: new Map(this.links),
      enabled: new Set(this.enabled),
      state: this.state,
    };
    const failure = this.failNext;
    this.failNext = null;
    const failAt = failure ? Math.max(0, failure.step === undefined ? 0 : activation.steps.findIndex((s) => s[0] === failure.step)) : -1;
    const log = activation.log;
    const restarted: string[] = [];
    const breaksLogins = this.breaksLogins;
    this.breaksLogins = false;
    for (const [i, step] of activation.steps.entries()) {
      const [op, ...args] = step;
      if (mode === 'dry-run' && SYSTEMD_STEPS.has(op)) {
        if (op === 'verify') log.push(...args.slice(1).map((unit) => `unit ${unit} skipped`));
        log.push(`step ${i + 1} ${op} skipped`);
        continue;
      }
      const rejected = op === 'validate' ? this.failValidate : null;
      if (rejected !== null) {
        this.failValidate = null;
        const output = rejected.output.endsWith('\n') ? rejected.output : `${rejected.output}\n`;
        log.push(`output ${i + 1} ${Buffer.byteLength(output)}\n${output.slice(0, -1)}`);
      }
      if (op === 'await' && this.drop('before-await')) connection?.lose();
      let why =
        rejected !== null
          ? `validate ${args[0]}: ${args.slice(3).join(' ')} exited with status ${rejected.status}`
          : i === failAt
            ? `${args.at(-1) ?? op} failed (as the test asked)`
            : this.step(op, args, activation, log);
      if (why === null && op === 'await') {
        run.awaiting = this.awaitVerdict(Number(args[1]), Number(args[2]));
        if (breaksLogins) this.refuseLogins = true;
        log.push('confirm await');
        flush();
        wake();
      }
      if (why === null && op === 'verify' && run.awaiting) {
        const verdict = await run.awaiting.verdict;
        log.push(...activation.checks);
        if (verdict.kind === 'ok') log.push('confirm ok');
        else why = verdict.why;
        if (this.drop('after-confirm')) connection?.lose();
      }
      if (why === null) {
        log.push(`step ${i + 1} ${op} ok`);
        if (op === 'restart' || op === 'enable') restarted.push(args[0]);
        continue;
      }
      if (rejected !== null && activation.steps.slice(0, i).every((s) => s[0] === 'validate')) {
        log.push(`step ${i + 1} ${op} failed`, `error ${why}`);
        activation.result = 'refused';
        return;
      }
      log.push(`step ${i + 1} ${op} failed`, `error ${why}`, 'rollback begin');
      if (breaksLogins) this.refuseLogins = false;
      for (const [name, links] of before.apps) Object.assign(this.app(name), links);
      for (const [name, app] of this.apps) {
        if (before.apps.has(name)) continue;
        app.current = null;
        app.previous = null;
      }
      this.links.clear();
      for (const [t, v] of before.links) this.links.set(t, v);
      this.enabled.clear();
      for (const unit of before.enabled) this.enabled.add(unit);
      this.state = before.state;
      for (const unit of restarted) log.push(`unit ${unit} active running success 0 healthy`);
      log.push('rollback end');
      activation.result = failure?.result ?? 'rolled-back';
      return;
    }
  }

  /** Timers of the agent's `await`: a new connection within `connectSeconds`, the verdict within `verdictSeconds`. */
  private awaitVerdict(connectSeconds: number, verdictSeconds: number): NonNullable<Running['awaiting']> {
    let settle!: (verdict: Verdict) => void;
    const verdict = new Promise<Verdict>((resolve) => {
      settle = resolve;
    });
    const awaiting = { connectSeconds, verdictSeconds, connected: false, settle: (v: Verdict) => settle(v), verdict };
    const connectTimer = setTimeout(() => {
      if (!awaiting.connected) settle({ kind: 'failed', why: `no new SSH connection confirmed the activation within ${connectSeconds} s; can the deploy user still log in (sshd, its config, the network)?` });
    }, connectSeconds * 1000);
    const verdictTimer = setTimeout(() => settle({ kind: 'failed', why: `the driver did not confirm the activation within ${verdictSeconds} s` }), verdictSeconds * 1000);
    void verdict.then(() => {
      clearTimeout(connectTimer);
      clearTimeout(verdictTimer);
    });
    return awaiting;
  }

  /** One step on the model; null when it worked, else why not. */
  private step(op: string, args: readonly string[], activation: ReceivedActivation, log: string[]): string | null {
    switch (op) {
      case 'flip': {
        const [name, rev] = args;
        const app = this.app(name);
        if (!app.revisions.has(rev)) return `${name} ${rev} is not staged`;
        if (app.current !== rev) {
          if (app.current) app.previous = app.current;
          app.current = rev;
        }
        return null;
      }
      case 'remove-app': {
        const app = this.app(args[0]);
        app.current = null;
        app.previous = null;
        return null;
      }
      case 'link': {
        const [target, value, adopt] = args;
        if (!this.resolves(value)) return `${value} does not exist`;
        const old = this.links.get(target);
        if (old === '!' && adopt === 'adopt' && this.differentFiles.has(target)) return `${target} exists with different content; move it away, or make it identical to adopt it`;
        if (old === '!') return adopt === 'no-adopt' ? `${target} exists and deptool does not manage it; move it away` : null;
        if (old !== undefined && old !== value && !old.startsWith(`${DEPTOOL_DIR}/`) && adopt !== 'replace') return `${target} is a symlink to ${old}, not into /var/lib/deptool; remove it to let deptool manage it`;
        this.links.set(target, value);
        return null;
      }
      case 'unlink': {
        const old = this.links.get(args[0]);
        if (old?.startsWith(`${DEPTOOL_DIR}/`)) this.links.delete(args[0]);
        else if (old !== undefined) log.push(`warning ${args[0]} is not a symlink into /var/lib/deptool; left in place`);
        return null;
      }
      case 'enable':
        this.enabled.add(args[0]);
        return null;
      case 'disable':
        this.enabled.delete(args[0]);
        return null;
      case 'verify':
        for (const unit of args.slice(1)) log.push(`unit ${unit} active running success 0 healthy`);
        return null;
      case 'status':
        for (const unit of args) {
          const text = `● ${unit} - fake\n     Active: active (running)\n`;
          log.push(`status ${unit} ${Buffer.byteLength(text)}\n${text.slice(0, -1)}`);
        }
        return null;
      case 'state':
        this.state = activation.state!;
        return null;
      default:
        return null;
    }
  }

  /** Whether a link value names a file that exists on the host (through an app's `current`). */
  private resolves(value: string): boolean {
    const match = new RegExp(`^${DEPTOOL_DIR}/apps/([^/]+)/current/(.+)$`).exec(value);
    if (!match) return false;
    const app = this.apps.get(match[1]);
    return app?.current ? (app.revisions.get(app.current)?.files.has(match[2]) ?? false) : false;
  }

  /** After a success: revisions other than current and previous go, and all but the newest `keep` activations. */
  private gc(keep: number): void {
    for (const [name, app] of this.apps) {
      for (const rev of [...app.revisions.keys()]) if (rev !== app.current && rev !== app.previous) app.revisions.delete(rev);
      if (app.revisions.size === 0 && !app.current && !app.previous) this.apps.delete(name);
    }
    for (const id of this.order.slice(0, -keep)) this.activations.delete(id);
    this.order.splice(0, Math.max(0, this.order.length - keep));
  }

  /** `result --session <pid> <id> <wait>`: the outcome of an activation, for a driver whose connection dropped. */
  private async result(args: readonly string[], proc: Proc): Promise<void> {
    const [flag, token, id = '', wait = ''] = args;
    if (flag !== '--session' || args.length !== 4) return this.usage(proc, 'result needs --session <pid> <id> <wait>');
    if (this.lock === null || String(this.lock.pid) !== token) return this.refuse(proc, 'no session');
    if (!isId(id)) return this.usage(proc, `bad activation id: ${id}`);
    if (!isUint(wait)) return this.usage(proc, `bad wait: ${wait}`);
    const activation = this.activations.get(id);
    if (!activation) return this.refuse(proc, `no activation ${id}`);
    // As the agent, it waits for an activation in flight to end.
    const run = this.running.get(id);
    while (run && !run.ended) await new Promise<void>((resolve) => run.waiters.push(resolve));
    proc.out(`${activation.log.map((line) => `${line}\n`).join('')}result ${activation.result}\n`);
    proc.exit(0);
  }
}

/** Why the agent would refuse a step (its check_step), or null. */
function stepProblem(step: readonly string[], hasState: boolean): string | null {
  const [op, ...args] = step;
  if (args.some((f) => f === '')) return 'empty field';
  const shape = `${op}:${args.length}`;
  switch (shape) {
    case 'flip:2':
    case 'perms:2':
      return isName(args[0]) && isRev(args[1]) ? null : 'bad app or revision';
    case 'remove-app:1':
      return isName(args[0]) ? null : 'bad app name';
    case 'link:3':
      if (!isAbs(args[0]) || !isAbs(args[1])) return 'target and value must be normalised absolute paths';
      return args[2] === 'adopt' || args[2] === 'no-adopt' || args[2] === 'replace' ? null : 'the third field must be adopt, no-adopt or replace';
    case 'unlink:1':
      return isAbs(args[0]) ? null : 'the target must be a normalised absolute path';
    case 'sysusers:0':
    case 'daemon-reload:0':
      return null;
    case 'state:0':
      return hasState ? null : 'no state.json was sent';
    case 'disable:1':
    case 'enable:1':
    case 'restart:1':
    case 'reload:1':
      return isUnit(args[0]) ? null : 'bad unit name';
    case 'await:3':
      if (!/^[0-9a-f]{32}$/.test(args[0])) return 'bad nonce';
      return isUint(args[1]) && isUint(args[2]) && Number(args[1]) > 0 && Number(args[2]) >= Number(args[1]) ? null : "the waits must be seconds, the verdict's at least the connection's";
  }
  if (op === 'reenable' && args.length >= 2) return (args[0] === 'keep' || args[0] === 'reset') && args.slice(1).every(isUnit) ? null : 'bad mode or unit name';
  if (op === 'verify' && args.length >= 1) return isUint(args[0]) && args.slice(1).every(isUnit) ? null : 'bad settle time or unit name';
  if (op === 'status' && args.length >= 1) return args.every(isUnit) ? null : 'bad unit name';
  if (op === 'validate' && args.length >= 4) {
    if (!isName(args[0]) || !isRev(args[1])) return 'bad app or revision';
    if (!isUint(args[2]) || args[2].length > 5 || Number(args[2]) === 0) return 'the time limit must be whole seconds';
    if (!isAbs(args[3])) return 'the program must be a normalised absolute path';
    return args.some(hasControl) ? 'an argument holds a control character' : null;
  }
  return 'unknown step or wrong number of fields';
}
