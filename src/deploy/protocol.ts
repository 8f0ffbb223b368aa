// The driver's side of the agent protocol (docs/agent-protocol.md): command
// builders that return argument arrays, and parsers of what the agent prints.
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

/**
 * The session (the host lock, facts and drift check in one round trip), exiting 127
 * when the agent is not installed. A shell reports a missing command with 127 by itself;
 * sudo has its own exit status for that, so under sudo a test runs on the host first
 * (without sudo, that `sh` would be one process more on every deploy).
 */
export function sessionCommand(invocation: AgentInvocation, holder: string, targets: readonly string[]): string[] {
  const command = agentArgs(invocation, ['session', holder, ...targets]);
  if (!invocation.sudo) return command;
  return [...prefix(invocation), 'sh', '-c', 'test -x "$1" || exit 127; exec "$@"', 'sh', ...command];
}

/** What the driver writes on a session's stdin after `ready` to run `activate` there (its input follows). */
export function sessionActivateLine(id: string, timeoutSeconds: number): string {
  return `activate ${id} ${timeoutSeconds}`;
}

/** A command that needs the session's lock: `<agent> <command> --session <token> <args>`. */
export function withSession(invocation: AgentInvocation, token: string, command: string, ...args: string[]): string[] {
  return agentCommand(invocation, command, '--session', token, ...args);
}

/** What the agent's `session` reports once it holds the lock. */
export interface SessionFacts {
  readonly token: string;
  readonly agent: string;
  readonly hostname: string;
  readonly system: string;
  readonly failedUnits: readonly string[];
  readonly lastActivation: { readonly id: string; readonly result: string } | null;
  readonly current: ReadonlyMap<string, string>;
  readonly previous: ReadonlyMap<string, string>;
  /** Raw state.json, empty when the host has none. */
  readonly state: string;
  /** The drift check of the files on the host and of the targets asked about. */
  readonly check: CheckReport;
}

export class ProtocolError extends Error {}

/**
 * Incremental reader of the `session` output: lines, with one length-prefixed
 * binary section (`state <n>`). Resolves once `ready` arrives.
 */
export class FactsReader {
  private buffer = Buffer.alloc(0);
  private readonly lines: string[] = [];
  private state: Buffer | null = null;
  private pendingState = -1;
  done = false;
  busy: string | null = null;

  /** Feeds output; returns true once the facts are complete (or the lock was busy). */
  push(chunk: Buffer): boolean {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (!this.done) {
      if (this.pendingState >= 0) {
        if (this.buffer.length < this.pendingState) return false;
        this.state = this.buffer.subarray(0, this.pendingState);
        this.buffer = this.buffer.subarray(this.pendingState);
        this.pendingState = -1;
        continue;
      }
      const newline = this.buffer.indexOf(10);
      if (newline < 0) return false;
      const line = this.buffer.subarray(0, newline).toString('utf8');
      this.buffer = this.buffer.subarray(newline + 1);
      if (line === 'ready') this.done = true;
      else if (line.startsWith('busy ')) {
        this.busy = line.slice(5);
        this.done = true;
      } else if (line.startsWith('state ')) this.pendingState = Number(line.slice(6));
      else this.lines.push(line);
    }
    return true;
  }

  facts(): SessionFacts {
    const current = new Map<string, string>();
    const previous = new Map<string, string>();
    const failedUnits: string[] = [];
    const checkLines: string[] = [];
    const values = new Map<string, string>();
    let lastActivation: SessionFacts['lastActivation'] = null;
    for (const line of this.lines) {
      const space = line.indexOf(' ');
      const key = space < 0 ? line : line.slice(0, space);
      const rest = space < 0 ? '' : line.slice(space + 1);
      if (CHECK_KINDS.has(key)) checkLines.push(line);
      else if (key === 'failed') failedUnits.push(rest);
      else if (key === 'current' || key === 'previous') {
        const [app, rev] = rest.split(' ');
        if (app && rev) (key === 'current' ? current : previous).set(app, rev);
      } else if (key === 'activation') {
        const [id, result] = rest.split(' ');
        if (id && result) lastActivation = { id, result };
      } else values.set(key, rest);
    }
    const token = values.get('session');
    if (!token) throw new ProtocolError(`the agent's session output has no token: ${JSON.stringify(this.lines.slice(0, 5))}`);
    return {
      token,
      agent: values.get('agent') ?? '',
      hostname: values.get('hostname') ?? '',
      system: values.get('system') ?? '',
      failedUnits,
      lastActivation,
      current,
      previous,
      state: this.state?.toString('utf8') ?? '',
      check: parseCheck(checkLines),
    };
  }
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
  /** Revisions or checksum lists that are gone or unreadable, one sentence each. */
  readonly broken: readonly string[];
  /** target -> link value, `-` when missing, `!` when not a symlink. */
  readonly links: ReadonlyMap<string, string>;
  readonly permissions: readonly PermissionDrift[];
}

/** Parses the drift lines of `session` (and `check`): `<kind> <first> <rest>`. */
export function parseCheck(lines: readonly string[]): CheckReport {
  const modified: string[] = [];
  const extra: string[] = [];
  const broken: string[] = [];
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
    else if (kind === 'missing') broken.push(`revision ${rest.join(' ')} of app '${first}' is missing on the host`);
    else if (kind === 'invalid') broken.push(`app '${first}': ${rest.join(' ')}`);
    else if (kind === 'link') links.set(first, rest.join(' '));
  }
  return { modified, extra, broken, links, permissions };
}

export type ActivationResult = 'ok' | 'rolled-back' | 'failed';

export interface UnitState {
  readonly unit: string;
  readonly activeState: string;
  readonly subState: string;
  readonly result: string;
  readonly restarts: number;
}

export interface ActivationReport {
  readonly result: ActivationResult;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** Unit states from the last verify. */
  readonly units: readonly UnitState[];
  /** `systemctl status` text per unit, in the order logged. */
  readonly statuses: readonly { readonly unit: string; readonly text: string }[];
  readonly rolledBack: boolean;
}

/** The units' `systemctl status` after an activation, under the host's name, as the tutorial shows them; empty without any. */
export function statusBlock(host: string, report: ActivationReport): string {
  if (report.statuses.length === 0) return '';
  return `${host}:\n${report.statuses.map((s) => s.text.replace(/\n*$/, '\n')).join('\n')}\n`;
}

/** Parses the activation log printed by `activate` and `result` (line-based with length-prefixed status blocks). */
export function parseActivation(output: Buffer): ActivationReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  const units: UnitState[] = [];
  const statuses: { unit: string; text: string }[] = [];
  let result: ActivationResult | null = null;
  let rolledBack = false;
  let offset = 0;
  while (offset < output.length) {
    let end = output.indexOf(10, offset);
    if (end < 0) end = output.length;
    const line = output.subarray(offset, end).toString('utf8');
    offset = end + 1;
    const space = line.indexOf(' ');
    const kind = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (kind === 'error') errors.push(rest);
    else if (kind === 'warning') warnings.push(rest);
    else if (kind === 'rollback' && rest === 'begin') rolledBack = true;
    else if (kind === 'unit') {
      const [unit, activeState, subState, unitResult, restarts] = rest.split(' ');
      if (unit) units.push({ unit, activeState: activeState ?? '', subState: subState ?? '', result: unitResult ?? '', restarts: Number(restarts ?? 0) });
    } else if (kind === 'status') {
      const cut = rest.lastIndexOf(' ');
      const unit = rest.slice(0, cut);
      const size = Number(rest.slice(cut + 1));
      statuses.push({ unit, text: output.subarray(offset, offset + size).toString('utf8') });
      offset += size;
    } else if (kind === 'result' && (rest === 'ok' || rest === 'rolled-back' || rest === 'failed')) result = rest;
  }
  if (result === null) throw new ProtocolError('the activation ended without a result');
  return { result, errors, warnings, units, statuses, rolledBack };
}
