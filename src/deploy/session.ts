// One locked host: the agent's session over one SSH channel, opened (installing the agent
// first when the host lacks this version), asked for facts, and ended by an activation or
// by closing its stdin.
import { Readable } from 'node:stream';
import { OperationError } from '../errors.js';
import { TransportError, type Channel, type Connection } from '../transport/connection.js';
import { AGENT_FILE, AGENT_SCRIPT, AGENT_VERSION } from './agent-script.js';
import {
  AGENT_EXIT,
  AgentReader,
  NoResult,
  ReadTimeout,
  activateRequest,
  dryRunRequest,
  exportRequest,
  installCommand,
  linksRequest,
  readActivation,
  readExport,
  readLinks,
  readSession,
  readUnits,
  sessionCommand,
  unitsRequest,
  withSession,
  type ActivationEvent,
  type ActivationReport,
  type AgentInvocation,
  type SessionFacts,
  type SessionRequest,
  type UnitFile,
} from './protocol.js';

const EXPECTED_AGENT = `${AGENT_VERSION} ${AGENT_FILE.slice(-10)}`;

/** How long the driver waits for the agent's answers; the agent's own waits are shorter, so it always answers first. */
export interface SessionTimings {
  /** The agent waits this long for an activation in flight (another driver's) before it answers busy. */
  readonly agentWaitSeconds: number;
  /** For facts, links and exports, on top of the agent's wait. */
  readonly answerMs: number;
}

export type Opened = { readonly kind: 'ready'; readonly session: HostSession } | { readonly kind: 'busy'; readonly holder: string };

/** Why a command on the host failed, from its stderr: a `sudo -n` refusal gets its remedy. */
export function hostFailure(invocation: AgentInvocation, what: string, code: number | null, stderr: Buffer): OperationError {
  const why = stderr.toString('utf8').trim();
  return new OperationError(
    invocation.sudo && /sudo/.test(why)
      ? `${what}: 'sudo -n' failed (${why}). Give the user passwordless sudo, or deploy as root.`
      : `${what} (exit ${code}): ${why}`,
  );
}

export class HostSession {
  private constructor(
    readonly connection: Connection,
    readonly invocation: AgentInvocation,
    private readonly channel: Channel,
    private readonly reader: AgentReader,
    private readonly stderr: Buffer[],
    private readonly timings: SessionTimings,
    readonly facts: SessionFacts,
  ) {}

  /**
   * Opens the session (the host's lock) and reads its facts, installing the agent first
   * when the host does not have this version. `onWaiting` hears when the host waits for
   * an activation in flight; `onInstall` when the agent is installed.
   */
  static async open(
    connection: Connection,
    invocation: AgentInvocation,
    request: SessionRequest,
    timings: SessionTimings,
    hooks: { readonly onWaiting: (activation: string, holder: string) => void; readonly onInstall: () => void },
  ): Promise<Opened> {
    const first = await HostSession.tryOpen(connection, invocation, request, timings, hooks.onWaiting);
    if (first !== 'not-installed') return first;
    hooks.onInstall();
    const install = await connection.exec(installCommand(invocation), { stdin: Buffer.from(AGENT_SCRIPT) });
    if (install.code !== 0) throw hostFailure(invocation, 'cannot install the agent', install.code, install.stderr);
    const second = await HostSession.tryOpen(connection, invocation, request, timings, hooks.onWaiting);
    if (second === 'not-installed') throw new OperationError('the agent was installed but cannot be run');
    return second;
  }

  private static async tryOpen(
    connection: Connection,
    invocation: AgentInvocation,
    request: SessionRequest,
    timings: SessionTimings,
    onWaiting: (activation: string, holder: string) => void,
  ): Promise<Opened | 'not-installed'> {
    const channel = await connection.open(sessionCommand(invocation, request));
    const reader = new AgentReader(channel.stdout, channel.exited);
    const stderr: Buffer[] = [];
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const deadline = Date.now() + timings.agentWaitSeconds * 1000 + timings.answerMs;
    let opening;
    try {
      opening = await readSession(reader, deadline, onWaiting);
    } catch (error) {
      channel.end();
      if (error instanceof ReadTimeout) {
        throw new OperationError(`the agent did not lock the host and report its facts within ${timings.agentWaitSeconds + Math.round(timings.answerMs / 1000)} s`);
      }
      throw error;
    }
    if (opening === null) {
      const status = await channel.exited;
      if (status.code === AGENT_EXIT.notFound) return 'not-installed';
      throw hostFailure(invocation, "the agent's session ended", status.code, Buffer.concat(stderr));
    }
    if (opening.kind === 'busy') {
      channel.end();
      return opening;
    }
    if (opening.facts.agent !== EXPECTED_AGENT) {
      channel.end();
      throw new OperationError(`the host runs agent ${opening.facts.agent}, expected ${EXPECTED_AGENT}`);
    }
    return { kind: 'ready', session: new HostSession(connection, invocation, channel, reader, stderr, timings, opening.facts) };
  }

  private deadline(): number {
    return Date.now() + this.timings.answerMs;
  }

  /** The `link` facts of more targets (a host whose state the store does not know links other paths). */
  async links(targets: readonly string[]): Promise<Map<string, string>> {
    if (targets.length === 0) return new Map();
    this.channel.write(linksRequest(targets));
    return readLinks(this.reader, this.deadline());
  }

  /** Where the host has these unit files (a corrected plan may link units the first question did not name). */
  async units(units: readonly string[]): Promise<Map<string, UnitFile>> {
    if (units.length === 0) return new Map();
    this.channel.write(unitsRequest(units));
    return readUnits(this.reader, this.deadline());
  }

  /** A revision's files as they are on the host (a tar), or why the host cannot send them. */
  async exportRevision(app: string, rev: string): Promise<{ tar: Buffer } | { error: string }> {
    this.channel.write(exportRequest(app, rev));
    return readExport(this.reader, this.deadline());
  }

  /**
   * Runs the activation on the session's channel (no second channel, no second agent
   * process on the host), reading its log as it streams. The session ends with it.
   * Rejects with a TransportError when the connection drops, and with ReadTimeout when
   * no result comes by `deadline`: the caller then asks a fresh session for the outcome.
   */
  async activate(id: string, input: Buffer, options: { readonly timeoutSeconds: number; readonly keepActivations: number; readonly deadline: number; readonly onEvent: (event: ActivationEvent) => void }): Promise<ActivationReport> {
    this.channel.write(Buffer.concat([Buffer.from(activateRequest(id, options.timeoutSeconds, options.keepActivations)), input]));
    this.channel.end();
    try {
      return await readActivation(this.reader, options.deadline, options.onEvent);
    } catch (error) {
      // The agent starts an activation only once its whole input arrived (a cut tar is refused).
      if (error instanceof TransportError && !this.channel.inputDone()) {
        throw new NotStarted("the connection was lost while the activation's input was being sent");
      }
      return this.refusal(error);
    }
  }

  /**
   * Runs the activation against a scratch root on the host (docs/agent-protocol.md, `dry-run`),
   * on the session's channel: nothing outside the scratch root changes, and the agent removes
   * it before the session ends, which this waits for.
   */
  async dryRun(id: string, input: Buffer, options: { readonly timeoutSeconds: number; readonly deadline: number }): Promise<ActivationReport> {
    this.channel.write(Buffer.concat([Buffer.from(dryRunRequest(id, options.timeoutSeconds)), input]));
    this.channel.end();
    let report: ActivationReport;
    try {
      report = await readActivation(this.reader, options.deadline);
    } catch (error) {
      return this.refusal(error);
    }
    const status = await this.channel.exited;
    if (status.code !== AGENT_EXIT.ok) throw hostFailure(this.invocation, 'the dry run ended badly', status.code, Buffer.concat(this.stderr));
    return report;
  }

  /** Why an activation's output ended without a result: the agent refused the request before it started, or `error` as it is. */
  private async refusal(error: unknown): Promise<never> {
    if (!this.reader.finished) throw error;
    // The agent says why (`error` lines on stdout for a refusal, stderr for a usage error) and exits.
    const status = await this.channel.exited;
    if (status.code === AGENT_EXIT.ok) throw error;
    const said = [...(error instanceof NoResult ? error.errors : []), Buffer.concat(this.stderr).toString('utf8').trim()].filter((s) => s !== '').join('; ');
    throw new ActivationRefused(`the activation was refused before it started (exit ${status.code}): ${said}`);
  }

  /** The outcome of activation `id` (waiting for it to end), or null when the host never started it. */
  async result(id: string, waitSeconds: number): Promise<ActivationReport | null> {
    const result = await this.connection.exec(withSession(this.invocation, this.facts.token, 'result', id, String(waitSeconds)));
    if (result.code === AGENT_EXIT.refused && /^error no activation /m.test(result.stdout.toString('utf8'))) return null;
    if (result.code !== 0) throw hostFailure(this.invocation, `cannot read the outcome of activation ${id}`, result.code, Buffer.concat([result.stdout, result.stderr]));
    // A finished command's output, read by the same reader as a live one.
    const reader = new AgentReader(Readable.from([result.stdout]));
    return readActivation(reader, Date.now() + this.timings.answerMs);
  }

  /** Ends the session: the agent lets go of the lock. */
  async end(): Promise<void> {
    this.channel.end();
    await this.channel.exited.catch(() => undefined);
  }
}

/** The host refused the activation before changing anything (bad input, a revision that does not verify). */
export class ActivationRefused extends OperationError {}

/** The activation cannot have started: its input never left this machine whole. */
export class NotStarted extends OperationError {}

