// The driver's verdict on an activation that awaits it (the agent's `await` step and `confirm`
// command): over a new connection, made through the same connector as any other (so a deploy
// that broke SSH logins, the network or sshd gets no confirmation and the host rolls itself
// back), the apps' health checks run and the verdict follows: `ok`, or `reject` with the failing
// check's result, which makes the host roll back at once.
import { TransportError, type Connection } from '../transport/connection.js';
import { pause, runChecks, type AppCheck } from './checks.js';
import { AGENT_EXIT, AgentReader, ProtocolError, confirmCommand, verdictLines, type AgentInvocation, type CheckResult } from './protocol.js';

export interface ConfirmTask {
  readonly id: string;
  readonly nonce: string;
  readonly checks: readonly AppCheck[];
  readonly invocation: AgentInvocation;
  /** The connection for one attempt (counting from 1), and whether it was opened for it (then it is closed after it). */
  readonly connect: (attempt: number) => Promise<{ readonly connection: Connection; readonly opened: boolean }>;
  /** How long the agent may wait for the activation to reach its await step (a driver that reconnected may be early). */
  readonly awaitSeconds: number;
  /** No attempt starts after this (epoch ms): the host has given up waiting by then. */
  readonly until: number;
  /** The activation has ended: there is nothing left to confirm. */
  readonly signal: AbortSignal;
}

export type ConfirmOutcome =
  | { readonly kind: 'confirmed' | 'rejected'; readonly results: readonly CheckResult[] }
  /**
   * The verdict did not get through before the activation ended (its own result says what
   * became of it) or the host gave up; `problem` is why the last attempt failed (an SSH login
   * refused, say), null when none did.
   */
  | { readonly kind: 'ended' | 'failed'; readonly problem: string | null };

/** For the agent's answers, beyond its own waits. */
const ANSWER_MS = 15_000;
const RETRY_MS = [250, 500, 1000, 2000];

class Refused extends Error {}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Gets the verdict to the host, trying again (on a new connection) until it is through, the
 * activation ends, or `until`. `progress` hears a failed attempt's problem when it differs from the one before.
 */
export async function confirmActivation(task: ConfirmTask, progress: (problem: string) => void = () => undefined): Promise<ConfirmOutcome> {
  let problem: string | null = null;
  for (let attempt = 1; ; attempt++) {
    if (task.signal.aborted) return { kind: 'ended', problem };
    if (Date.now() >= task.until) return { kind: 'failed', problem };
    let opened: Awaited<ReturnType<ConfirmTask['connect']>> | null = null;
    try {
      opened = await task.connect(attempt);
      const outcome = await confirmOnce(task, opened.connection);
      return outcome.kind === 'ended' ? { kind: 'ended', problem } : outcome;
    } catch (error) {
      if (error instanceof Refused) return { kind: 'failed', problem: error.message };
      if (message(error) !== problem) progress(message(error));
      problem = message(error);
    } finally {
      if (opened?.opened) await opened.connection.close().catch(() => undefined);
    }
    await pause(RETRY_MS[Math.min(attempt, RETRY_MS.length) - 1], task.signal);
  }
}

/** One attempt on `connection`: the `confirm` command, the checks once it says `connected`, the verdict. */
async function confirmOnce(task: ConfirmTask, connection: Connection): Promise<{ readonly kind: 'confirmed' | 'rejected'; readonly results: readonly CheckResult[] } | { readonly kind: 'ended' }> {
  const argv = confirmCommand(task.invocation, task.id, task.nonce, task.awaitSeconds);
  const deadline = () => Date.now() + task.awaitSeconds * 1000 + ANSWER_MS;
  if (task.checks.length === 0) {
    // Nothing to check: the verdict goes with the command, one round trip.
    const result = await connection.exec(argv, { stdin: Buffer.from(verdictLines([])), timeoutMs: deadline() - Date.now() });
    const lines = result.stdout.toString('utf8').split('\n');
    if (lines[0]?.startsWith('ended ')) return { kind: 'ended' };
    if (result.code === 0 && lines[0] === 'connected' && lines[1] === 'confirmed') return { kind: 'confirmed', results: [] };
    throw answerProblem(result.code, Buffer.concat([result.stdout, result.stderr]).toString('utf8'));
  }
  const channel = await connection.open(argv);
  const stderr: Buffer[] = [];
  channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const reader = new AgentReader(channel.stdout, channel.exited);
  try {
    const first = await reader.line(deadline(), "the agent's answer to confirm");
    if (first?.startsWith('ended ')) return { kind: 'ended' };
    if (first !== 'connected') {
      const status = await channel.exited.catch(() => ({ code: null }));
      throw answerProblem(status.code, `${first ?? ''}\n${Buffer.concat(stderr).toString('utf8')}`);
    }
    const results = await runChecks(task.checks, { connection, invocation: task.invocation }, task.signal);
    if (task.signal.aborted) return { kind: 'ended' };
    channel.write(verdictLines(results));
    channel.end();
    const answer = await reader.line(deadline(), "the agent's answer to the verdict");
    if (answer === 'confirmed' || answer === 'rejected') return { kind: answer, results };
    throw new ProtocolError(`unexpected answer to the verdict: ${JSON.stringify(answer)}`);
  } finally {
    channel.end();
  }
}

/** A refusal of the agent is final (a wrong nonce, an unknown activation); anything else is worth another attempt. */
function answerProblem(code: number | null, said: string): Error {
  const text = said.trim().replace(/\s*\n\s*/g, '; ');
  if (code === AGENT_EXIT.refused || code === AGENT_EXIT.usage) return new Refused(`the host refused the confirmation (exit ${code}): ${text}`);
  return new TransportError('protocol', `the confirmation did not go through (exit ${code ?? 'unknown'}): ${text}`);
}
