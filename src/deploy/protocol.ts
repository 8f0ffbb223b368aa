// The driver's side of the agent protocol (docs/agent-protocol.md): command builders that
// return argument arrays, and the one reader of everything the agent prints.
import type { Readable } from 'node:stream';
import { AGENT_FILE, AGENT_SHA256 } from './agent-script.js';

export const DEPTOOL_DIR = '/var/lib/deptool';
export const AGENT_PATH = `${DEPTOOL_DIR}/bin/${AGENT_FILE}`;

/** Exit statuses the agent documents. */
export const AGENT_EXIT = { ok: 0, usage: 2, refused: 3, busy: 75, notFound: 127 } as const;

/** How the agent is invoked on one host. */
export interface AgentInvocation {
  /** Prefix `sudo -n` (a non-root ssh user). */
  readonly sudo: boolean;
  /** Sandbox root for the local transport's `--root`; null on a real host. */
  readonly root: string | null;
}

function prefix(invocation: AgentInvocation): string[] {
  return invocation.sudo ? ['sudo', '-n'] : [];
}

export function agentCommand(invocation: AgentInvocation, ...args: string[]): string[] {
  return [...prefix(invocation), ...agentArgs(invocation, args)];
}

/** The agent's path and its arguments: under the sandbox root, with `--root`, for a `--root` run, so nothing outside it is touched. */
function agentArgs(invocation: AgentInvocation, args: readonly string[]): string[] {
  return invocation.root ? [`${invocation.root}${AGENT_PATH}`, '--root', invocation.root, ...args] : [AGENT_PATH, ...args];
}

/** Installs the agent from stdin, checking its SHA-256 before it takes its place. Built from constants only. */
export function installCommand(invocation: AgentInvocation): string[] {
  const script =
    'set -e; umask 022; d="$1"; mkdir -p "$d"; t="$d/.agent.$$"; cat > "$t"; ' +
    'if ! printf "%s  %s\\n" "$2" "$t" | sha256sum -c --status; then rm -f "$t"; echo "agent upload corrupted" >&2; exit 1; fi; ' +
    'chmod 0755 "$t"; mv -f "$t" "$d/$3"';
  return [...prefix(invocation), 'sh', '-c', script, 'sh', `${invocation.root ?? ''}${DEPTOOL_DIR}/bin`, AGENT_SHA256, AGENT_FILE];
}

export interface SessionRequest {
  /** Who holds the lock: `user@machine` or a CI run URL. */
  readonly holder: string;
  /** How long the agent may wait for an activation in flight (another driver's, gone or not) before it answers busy. */
  readonly waitSeconds: number;
  /** Unit names the deploy would link: the agent says where the host already has each. */
  readonly units: readonly string[];
  /** Absolute paths whose link values the drift check needs. */
  readonly targets: readonly string[];
}

/**
 * The session (the host lock, facts and drift check in one round trip), exiting 127
 * when the agent is not installed. A shell reports a missing command with 127 by itself;
 * sudo has its own exit status for that, so under sudo a test runs on the host first
 * (without sudo, that `sh` would be one process more on every deploy).
 */
export function sessionCommand(invocation: AgentInvocation, request: SessionRequest): string[] {
  const args = ['session', request.holder, String(request.waitSeconds), ...request.units.flatMap((unit) => ['--unit', unit]), ...request.targets];
  const command = agentArgs(invocation, args);
  if (!invocation.sudo) return command;
  return [...prefix(invocation), 'sh', '-c', 'test -x "$1" || exit 127; exec "$@"', 'sh', ...command];
}

/** A request on the session's stdin after `ready`: one line, fields separated by tabs (no field holds a tab or newline). */
function requestLine(...fields: string[]): string {
  return `${fields.join('\t')}\n`;
}

/** Asks for the `link` facts of more targets; answered by `link` lines and `done`. */
export function linksRequest(targets: readonly string[]): string {
  return requestLine('links', ...targets);
}

/** Asks where the host has these unit files; answered by `unitfile` lines and `done`. */
export function unitsRequest(units: readonly string[]): string {
  return requestLine('units', ...units);
}

/** Asks for a revision's files as they are on the host; answered by `export <n>` and a tar, or an `error` line. */
export function exportRequest(app: string, rev: string): string {
  return requestLine('export', app, rev);
}

/** Runs the activation on the session's channel; its input (a tar) follows the line. */
export function activateRequest(id: string, timeoutSeconds: number, keepActivations: number): string {
  return requestLine('activate', id, String(timeoutSeconds), String(keepActivations));
}

/** Runs the activation against a scratch root on the host (deploy --dry-run); its input follows the line. */
export function dryRunRequest(id: string, timeoutSeconds: number): string {
  return requestLine('dry-run', id, String(timeoutSeconds));
}

/**
 * The driver's verdict on an activation that awaits it, over a new connection (no session: the
 * activation's own holds the lock). The agent waits at most `waitSeconds` for the activation to
 * reach its await step, answers `connected` (or `ended <result>`), then reads verdictLines.
 */
export function confirmCommand(invocation: AgentInvocation, id: string, nonce: string, waitSeconds: number): string[] {
  return agentCommand(invocation, 'confirm', id, nonce, String(waitSeconds));
}

/** The last result of one health check, as the driver sends it with its verdict and the activation log keeps it. */
export interface CheckResult {
  readonly app: string;
  readonly kind: 'http' | 'tcp' | 'exec';
  /** What it looked at: `http://127.0.0.1:8080/health`, `tcp 127.0.0.1:5432`, `exec /usr/bin/pg_isready -q`. */
  readonly target: string;
  readonly ok: boolean;
  /** One line: the HTTP status line, `connected`, the exit status, or why the attempt failed. */
  readonly summary: string;
  /** The start of the response body or of the command's output; empty when there is none. */
  readonly excerpt: string;
}

/**
 * The verdict on the `confirm` command's stdin: one `check <json>` line per result (JSON on one
 * line: the agent copies it into the log as it is), then `ok`, or `reject <why>` when a check failed.
 */
export function verdictLines(results: readonly CheckResult[]): string {
  const failed = results.find((r) => !r.ok);
  const checks = results.map((r) => `check ${JSON.stringify({ app: r.app, kind: r.kind, target: r.target, ok: r.ok, summary: r.summary, excerpt: r.excerpt })}\n`);
  return `${checks.join('')}${failed ? `reject ${oneLine(`check ${failed.target} of app '${failed.app}' failed: ${failed.summary}`)}` : 'ok'}\n`;
}

/** Text for one line of the protocol: control characters become spaces, and it is cut to `max` characters. */
export function oneLine(text: string, max = 400): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A command that needs the session's lock: `<agent> <command> --session <token> <args>`. */
export function withSession(invocation: AgentInvocation, token: string, command: string, ...args: string[]): string[] {
  return agentCommand(invocation, command, '--session', token, ...args);
}

export class ProtocolError extends Error {}

/**
 * Reads the agent's output as it arrives: lines, and exact byte counts after a header
 * line that announces them. Every read has a deadline; a stream that ends early, or a
 * channel whose connection drops, fails the read.
 */
export class AgentReader {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(stream: Readable, exited?: Promise<unknown>) {
    stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.notify();
    });
    const end = () => {
      this.ended = true;
      this.notify();
    };
    stream.once('end', end);
    stream.once('close', end);
    exited?.then(
      () => undefined,
      (error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error));
        this.notify();
      },
    );
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** True once nothing more will come and nothing is left to read. */
  get finished(): boolean {
    return this.ended && this.length === 0;
  }

  /** Waits until `ready()` or the stream ends; throws when the deadline passes first or the connection dropped. */
  private async until(ready: () => boolean, deadline: number, what: string): Promise<void> {
    const since = Date.now();
    while (!ready() && !this.ended) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new ReadTimeout(what, (Date.now() - since) / 1000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (!ready() && this.failure) throw this.failure;
  }

  private indexOfNewline(): number {
    let offset = 0;
    for (const chunk of this.chunks) {
      const at = chunk.indexOf(10);
      if (at >= 0) return offset + at;
      offset += chunk.length;
    }
    return -1;
  }

  private take(count: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    const taken = all.subarray(0, count);
    const rest = all.subarray(count);
    this.chunks.length = 0;
    if (rest.length > 0) this.chunks.push(rest);
    this.length = rest.length;
    return taken;
  }

  /** The next line without its newline; null at the end of the output (a last line without a newline counts). */
  async line(deadline: number, what: string): Promise<string | null> {
    await this.until(() => this.indexOfNewline() >= 0, deadline, what);
    const at = this.indexOfNewline();
    if (at >= 0) {
      const line = this.take(at + 1);
      return line.subarray(0, at).toString('utf8');
    }
    return this.length > 0 ? this.take(this.length).toString('utf8') : null;
  }

  /** Exactly `count` bytes. */
  async bytes(count: number, deadline: number, what: string): Promise<Buffer> {
    await this.until(() => this.length >= count, deadline, what);
    if (this.length < count) throw new ProtocolError(`the agent's output ended in the middle of ${what} (${this.length} of ${count} bytes)`);
    return this.take(count);
  }
}

/** A read that ran past its deadline; says what was waited for. */
export class ReadTimeout extends Error {
  constructor(
    readonly what: string,
    seconds: number,
  ) {
    super(`gave up waiting for ${what} after ${Math.round(seconds)} s`);
  }
}

/** Where the host already has a unit file the deploy would link. */
export type UnitFile = 'none' | 'deptool' | { readonly foreign: string };

/** What the agent's `session` reports once it holds the lock. */
export interface SessionFacts {
  readonly token: string;
  readonly agent: string;
  readonly hostname: string;
  readonly system: string;
  readonly failedUnits: readonly string[];
  /** The newest activation: its id, result and, when the agent undid it because it never finished, who found it. */
  readonly lastActivation: { readonly id: string; readonly result: string; readonly recovered: 'session' | 'boot' | null } | null;
  readonly current: ReadonlyMap<string, string>;
  readonly previous: ReadonlyMap<string, string>;
  /** Raw state.json, empty when the host has none. */
  readonly state: string;
  /** The drift check of the files on the host and of the targets asked about. */
  readonly check: CheckReport;
  /** unit -> where the host has its file, for every unit asked about. */
  readonly unitFiles: ReadonlyMap<string, UnitFile>;
}

export type SessionOpening =
  | { readonly kind: 'ready'; readonly facts: SessionFacts }
  /** Locked by a live deploy, or an activation in flight outlasted the wait. */
  | { readonly kind: 'busy'; readonly holder: string };

/**
 * Reads `session`'s answer up to `ready` (or `busy`). `onWaiting` hears when the agent
 * waits for another driver's activation in flight before it can lock the host.
 */
export async function readSession(reader: AgentReader, deadline: number, onWaiting: (activation: string, holder: string) => void): Promise<SessionOpening | null> {
  const lines: string[] = [];
  let state = '';
  for (;;) {
    const line = await reader.line(deadline, "the agent's session facts");
    if (line === null) return null;
    if (line === 'ready') break;
    if (line.startsWith('busy ')) return { kind: 'busy', holder: line.slice(5) };
    if (line.startsWith('waiting ')) {
      const [activation = '', ...holder] = line.slice(8).split(' ');
      onWaiting(activation, holder.join(' '));
    } else if (line.startsWith('state ')) {
      state = (await reader.bytes(Number(line.slice(6)), deadline, 'state.json')).toString('utf8');
    } else lines.push(line);
  }
  return { kind: 'ready', facts: sessionFacts(lines, state) };
}

function sessionFacts(lines: readonly string[], state: string): SessionFacts {
  const current = new Map<string, string>();
  const previous = new Map<string, string>();
  const failedUnits: string[] = [];
  const checkLines: string[] = [];
  const values = new Map<string, string>();
  const unitFiles = new Map<string, UnitFile>();
  let lastActivation: SessionFacts['lastActivation'] = null;
  for (const line of lines) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (CHECK_KINDS.has(key)) checkLines.push(line);
    else if (key === 'failed') failedUnits.push(rest);
    else if (key === 'current' || key === 'previous') {
      const [app, rev] = rest.split(' ');
      if (app && rev) (key === 'current' ? current : previous).set(app, rev);
    } else if (key === 'activation') {
      const [id, result, recovered] = rest.split(' ');
      if (id && result) {
        const by = recovered === 'recovered-boot' ? 'boot' : recovered === 'recovered-session' ? 'session' : null;
        lastActivation = { id, result, recovered: by };
      }
    } else if (key === 'unitfile') {
      for (const [unit, where] of sessionFactsUnits([line])) unitFiles.set(unit, where);
    } else values.set(key, rest);
  }
  const token = values.get('session');
  if (!token) throw new ProtocolError(`the agent's session output has no token: ${JSON.stringify(lines.slice(0, 5))}`);
  return {
    token,
    agent: values.get('agent') ?? '',
    hostname: values.get('hostname') ?? '',
    system: values.get('system') ?? '',
    failedUnits,
    lastActivation,
    current,
    previous,
    state,
    check: parseCheck(checkLines),
    unitFiles,
  };
}

/** Reads the answer to a `links` request. */
export async function readLinks(reader: AgentReader, deadline: number): Promise<Map<string, string>> {
  const lines: string[] = [];
  for (;;) {
    const line = await reader.line(deadline, 'link facts');
    if (line === null) throw new ProtocolError('the session ended before it answered a links request');
    if (line === 'done') return new Map(parseCheck(lines).links);
    lines.push(line);
  }
}

/** Reads the answer to a `units` request. */
export async function readUnits(reader: AgentReader, deadline: number): Promise<Map<string, UnitFile>> {
  const lines: string[] = [];
  for (;;) {
    const line = await reader.line(deadline, 'unit file facts');
    if (line === null) throw new ProtocolError('the session ended before it answered a units request');
    if (line === 'done') return new Map(sessionFactsUnits(lines));
    lines.push(line);
  }
}

/** Reads the answer to an `export` request: the tar, or why the host could not send it. */
export async function readExport(reader: AgentReader, deadline: number): Promise<{ tar: Buffer } | { error: string }> {
  const line = await reader.line(deadline, 'an exported revision');
  if (line === null) throw new ProtocolError('the session ended before it answered an export request');
  if (line.startsWith('error ')) return { error: line.slice(6) };
  const match = /^export (\d+)$/.exec(line);
  if (!match) throw new ProtocolError(`unexpected answer to an export request: ${JSON.stringify(line)}`);
  return { tar: await reader.bytes(Number(match[1]), deadline, 'an exported revision') };
}

/** `unitfile <unit> <where>` lines: `-` none, `deptool` its own link, else the path of the host's own unit file. */
function sessionFactsUnits(lines: readonly string[]): [string, UnitFile][] {
  return lines.flatMap((line): [string, UnitFile][] => {
    const match = /^unitfile (\S+) (.+)$/.exec(line);
    if (!match) return [];
    const where = match[2];
    return [[match[1], where === '-' ? 'none' : where === 'deptool' ? 'deptool' : { foreign: where }]];
  });
}

const CHECK_KINDS = new Set(['modified', 'extra', 'missing', 'invalid', 'link', 'mode', 'owner', 'group']);

/** A file of a current revision whose mode, owner or group is not what its permissions list says. */
export interface PermissionDrift {
  readonly what: 'mode' | 'owner' | 'group';
  /** `app/path`. */
  readonly file: string;
  readonly actual: string;
  readonly expected: string;
}

export interface CheckReport {
  /** `app/path` of files that differ from their revision's checksum list, or are missing. */
  readonly modified: readonly string[];
  /** `app/path` of files in a revision that the checksum list does not have. */
  readonly extra: readonly string[];
  /** Revisions or checksum lists that are gone or unreadable: the app, and why in one sentence. */
  readonly broken: readonly { readonly app: string; readonly what: string }[];
  /** target -> link value, `-` when missing, `!` when not a symlink. */
  readonly links: ReadonlyMap<string, string>;
  readonly permissions: readonly PermissionDrift[];
}

/** Parses the drift lines of `session` (and `check`): `<kind> <first> <rest>`. */
export function parseCheck(lines: readonly string[]): CheckReport {
  const modified: string[] = [];
  const extra: string[] = [];
  const broken: { app: string; what: string }[] = [];
  const links = new Map<string, string>();
  const permissions: PermissionDrift[] = [];
  for (const line of lines) {
    const [kind, first, ...rest] = line.split(' ');
    if (!first) continue;
    if ((kind === 'mode' || kind === 'owner' || kind === 'group') && rest.length >= 3) {
      const [actual, expected, ...path] = rest;
      permissions.push({ what: kind, file: `${first}/${path.join(' ')}`, actual, expected });
    }
    if (kind === 'modified') modified.push(`${first}/${rest.join(' ')}`);
    else if (kind === 'extra') extra.push(`${first}/${rest.join(' ')}`);
    else if (kind === 'missing') broken.push({ app: first, what: `revision ${rest.join(' ')} of app '${first}' is missing on the host` });
    else if (kind === 'invalid') broken.push({ app: first, what: `app '${first}': ${rest.join(' ')}` });
    else if (kind === 'link') links.set(first, rest.join(' '));
  }
  return { modified, extra, broken, links, permissions };
}

/** `refused`: a validate step failed before any step changed anything, and nothing did. */
export type ActivationResult = 'ok' | 'rolled-back' | 'failed' | 'refused';

export interface UnitState {
  readonly unit: string;
  readonly activeState: string;
  readonly subState: string;
  readonly result: string;
  readonly restarts: number;
  /** The agent's verdict; null when it could not check (a sandbox run). */
  readonly healthy: boolean | null;
}

export interface ActivationReport {
  readonly result: ActivationResult;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** Each unit the activation started or verified, in its last state before any rollback. */
  readonly units: readonly UnitState[];
  /** Each unit a rollback restarted, as its verification left it. */
  readonly rollbackUnits: readonly UnitState[];
  /** `systemctl status` text per unit, in the order logged (the forward ones, then the rollback's). */
  readonly statuses: readonly { readonly unit: string; readonly text: string }[];
  readonly rolledBack: boolean;
  /** Who undid an activation that never finished (its unit killed, the host powered off); null when it ran to its end. */
  readonly recovered: 'session' | 'boot' | null;
  /** Each step the log names, in order; `text` is its op until the driver describes the step it sent. */
  readonly steps?: readonly StepOutcome[];
  /** The last lines of output of each failed validate step. */
  readonly outputs?: readonly { readonly step: number; readonly text: string }[];
  /** The scratch root of a dry run (removed when its session ends); absent for an activation. */
  readonly scratch?: string;
  /** The health checks' last results, as the driver's verdict brought them (empty without one). */
  readonly checks: readonly CheckResult[];
  /** The driver's verdict came and was `ok`. */
  readonly confirmed: boolean;
}

export interface StepOutcome {
  /** Its number, from 1, in the steps sent. */
  readonly n: number;
  readonly op: string;
  /** `skipped`: a systemd step in a sandbox or a dry run; `not run`: after a step that failed (the driver knows those). */
  readonly status: 'ok' | 'failed' | 'skipped' | 'not run';
  readonly text: string;
}

/**
 * What an activation shows under the host's name: a dry run's steps, the output of a validate
 * command that failed, and the units' `systemctl status` as the tutorial shows them; empty
 * without any.
 */
export function statusBlock(host: string, report: ActivationReport): string {
  const parts: string[] = [];
  if (report.scratch !== undefined) {
    const steps = (report.steps ?? []).map((step) => `    ${step.status.padEnd(8)} ${step.text}\n`).join('');
    parts.push(`dry run against a scratch root on the host (${report.scratch}, removed afterwards; systemctl not run):\n${steps}`);
  }
  for (const output of report.outputs ?? []) {
    const step = report.steps?.find((s) => s.n === output.step)?.text ?? `step ${output.step}`;
    const text = output.text.replace(/\n*$/, '');
    parts.push(text === '' ? `${step} failed without output\n` : `${step} failed; its last lines of output:\n${text.replace(/^/gm, '    ')}\n`);
  }
  if (parts.length === 0 && report.statuses.length === 0) return '';
  parts.push(...report.statuses.map((s) => s.text.replace(/\n*$/, '\n')));
  return `${host}:\n${parts.join('\n')}\n`;
}

/** What the activation log says as it is read: a rollback starts, or the host awaits the driver's verdict. */
export type ActivationEvent = 'rollback' | 'await';

/** The activation's output ended without a `result` line; `errors` are the `error` lines it had (a refused request says why in them). */
export class NoResult extends ProtocolError {
  constructor(readonly errors: readonly string[]) {
    super(`the activation ended without a result${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`);
  }
}

/**
 * Reads an activation log (from `activate` or `result`) up to its `result` line: line-based,
 * with length-prefixed status blocks. `onEvent` hears a rollback starting, as it happens.
 */
export async function readActivation(reader: AgentReader, deadline: number, onEvent: (event: ActivationEvent) => void = () => undefined): Promise<ActivationReport> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const units: UnitState[] = [];
  const rollbackUnits: UnitState[] = [];
  const statuses: { unit: string; text: string }[] = [];
  const steps: StepOutcome[] = [];
  const outputs: { step: number; text: string }[] = [];
  let scratch: string | undefined;
  let rolledBack = false;
  let recovered: ActivationReport['recovered'] = null;
  const checks: CheckResult[] = [];
  let confirmed = false;
  for (;;) {
    const line = await reader.line(deadline, "the activation's result");
    if (line === null) throw new NoResult(errors);
    const space = line.indexOf(' ');
    const kind = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (kind === 'error') errors.push(rest);
    else if (kind === 'warning') warnings.push(rest);
    else if (kind === 'rollback' && rest === 'begin') {
      rolledBack = true;
      onEvent('rollback');
    } else if (kind === 'recover' && (rest === 'session' || rest === 'boot')) recovered = rest;
    else if (kind === 'confirm' && rest === 'await') onEvent('await');
    else if (kind === 'confirm' && rest === 'ok') confirmed = true;
    else if (kind === 'check') {
      const result = parseCheckResult(rest);
      if (result) checks.push(result);
    }
    else if (kind === 'unit') {
      const [unit, activeState = '', subState = '', unitResult = '', restarts = '0', verdict = ''] = rest.split(' ');
      if (!unit) continue;
      const healthy = verdict === 'healthy' ? true : verdict === 'failed' ? false : null;
      (rolledBack ? rollbackUnits : units).push({ unit, activeState, subState, result: unitResult, restarts: Number(restarts), healthy });
    } else if (kind === 'status') {
      const cut = rest.lastIndexOf(' ');
      const text = await reader.bytes(Number(rest.slice(cut + 1)), deadline, `the status of ${rest.slice(0, cut)}`);
      statuses.push({ unit: rest.slice(0, cut), text: text.toString('utf8') });
    } else if (kind === 'step') {
      const [n = '', op = '', status = ''] = rest.split(' ');
      if (status === 'ok' || status === 'failed' || status === 'skipped') steps.push({ n: Number(n), op, status, text: op });
    } else if (kind === 'output') {
      const [step = '', count = ''] = rest.split(' ');
      const text = await reader.bytes(Number(count), deadline, `the output of step ${step}`);
      outputs.push({ step: Number(step), text: text.toString('utf8') });
    } else if (kind === 'dry-run') {
      scratch = rest;
    } else if (kind === 'result' && (rest === 'ok' || rest === 'rolled-back' || rest === 'failed' || rest === 'refused')) {
      const extra = { steps, outputs, ...(scratch === undefined ? {} : { scratch }) };
      return { result: rest, errors, warnings, units: latest(units), rollbackUnits: latest(rollbackUnits), statuses, rolledBack, recovered, checks, confirmed, ...extra };
    }
  }
}

/** A `check` line's result, as verdictLines wrote it; null when it is not one. */
function parseCheckResult(json: string): CheckResult | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const r = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || !['http', 'tcp', 'exec'].includes(r.kind as string)) return null;
  if (typeof r.app !== 'string' || typeof r.target !== 'string' || typeof r.ok !== 'boolean' || typeof r.summary !== 'string' || typeof r.excerpt !== 'string') return null;
  return { app: r.app, kind: r.kind as CheckResult['kind'], target: r.target, ok: r.ok, summary: r.summary, excerpt: r.excerpt };
}

/** The checks' last results under the host's name, one line each, a failed one with its excerpt; empty without any. */
export function checkBlock(host: string, report: ActivationReport): string {
  if (report.checks.length === 0) return '';
  const lines = report.checks.flatMap((c) => {
    const line = `  ${c.target} (${c.app}): ${c.ok ? 'ok' : 'failed'}: ${c.summary}`;
    return c.ok || c.excerpt === '' ? [line] : [line, ...c.excerpt.replace(/\n+$/, '').split('\n').map((l) => `    | ${l}`)];
  });
  return `${host}: checks\n${lines.join('\n')}\n`;
}

/** One entry per unit, its last state (a unit logged by a failed start and by verify appears once). */
function latest(units: readonly UnitState[]): UnitState[] {
  return [...new Map(units.map((unit) => [unit.unit, unit])).values()];
}
