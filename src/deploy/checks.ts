// Runs apps' health checks from the driver, on the host's own view of the network: HTTP and TCP
// through the connection (the host makes the TCP connection, so it needs no HTTP client), exec
// as root on the host (an argument array, under coreutils' `timeout`).
import { request } from 'node:http';
import { checkTarget, httpUrl } from '../tree/checks.js';
import type { HealthCheck } from '../tree/types.js';
import { TransportError, type Connection } from '../transport/connection.js';
import { oneLine, type AgentInvocation, type CheckResult } from './protocol.js';

/** A check and the app that has it. */
export interface AppCheck {
  readonly app: string;
  readonly check: HealthCheck;
}

/** Where checks run: the connection to the host, and how commands get root there. */
export interface CheckHost {
  readonly connection: Connection;
  readonly invocation: AgentInvocation;
}

interface Attempt {
  readonly ok: boolean;
  readonly summary: string;
  readonly excerpt: string;
}

/** Bytes of a body or of output kept for the report: enough to recognise an error page or message. */
export const EXCERPT_BYTES = 300;
/** Bytes of a response body searched for `contains`. */
const BODY_LIMIT = 64 * 1024;
/** An exec check's command gets this long after its own timeout to be killed and report. */
const EXEC_GRACE_MS = 5000;

/**
 * The longest checks can take, in seconds: each must first succeed within its `within`, and its
 * last attempt may start just before that and run for its `timeout`.
 */
export function checksSeconds(checks: readonly AppCheck[]): number {
  return Math.ceil(Math.max(0, ...checks.map(({ check }) => check.within + check.timeout)));
}

/** Runs every check at once, each until its first success or its `within`; stops early when `signal` aborts. */
export function runChecks(checks: readonly AppCheck[], host: CheckHost, signal: AbortSignal): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => runCheck(check, host, signal)));
}

/**
 * One check: attempts every `interval` until one succeeds or the next would start after `within`.
 * Rejects with a `lost` TransportError when the connection goes: the caller tries again on another.
 */
export async function runCheck({ app, check }: AppCheck, host: CheckHost, signal: AbortSignal): Promise<CheckResult> {
  const deadline = Date.now() + check.within * 1000;
  let last: Attempt;
  for (;;) {
    last = await attempt(check, host);
    if (last.ok || signal.aborted || Date.now() + check.interval * 1000 > deadline) break;
    await pause(check.interval * 1000, signal);
  }
  return { app, kind: check.kind, target: checkTarget(check), ok: last.ok, summary: oneLine(last.summary), excerpt: last.excerpt };
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function attempt(check: HealthCheck, host: CheckHost): Promise<Attempt> {
  try {
    switch (check.kind) {
      case 'http':
        return await httpAttempt(check, host.connection);
      case 'tcp': {
        const stream = await host.connection.forward(check.host, check.port);
        stream.destroy();
        return { ok: true, summary: 'connected', excerpt: '' };
      }
      case 'exec':
        return await execAttempt(check, host);
    }
  } catch (error) {
    if (error instanceof TransportError && error.kind === 'lost') throw error;
    const text = error instanceof Error ? error.message : String(error);
    // sshd's answer when forwarding is off says nothing about the setting to change.
    const hint = /administratively prohibited/.test(text) ? ' (the host\'s sshd does not allow TCP forwarding, which http and tcp checks use: set AllowTcpForwarding for the deploy user, or use an exec check)' : '';
    return { ok: false, summary: `${text}${hint}`, excerpt: '' };
  }
}

/** Up to EXCERPT_BYTES of `data` as text, without trailing blank space. */
function excerpt(data: Buffer): string {
  const cut = data.length > EXCERPT_BYTES ? `${data.subarray(0, EXCERPT_BYTES).toString('utf8')}…` : data.toString('utf8');
  return cut.replace(/\s+$/, '');
}

async function httpAttempt(check: Extract<HealthCheck, { kind: 'http' }>, connection: Connection): Promise<Attempt> {
  const where = httpUrl(check.url);
  if ('problem' in where) return { ok: false, summary: where.problem.message, excerpt: '' };
  const stream = await connection.forward(where.host, where.port);
  return await new Promise<Attempt>((resolve) => {
    let settled = false;
    const settle = (result: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      stream.destroy();
      resolve(result);
    };
    const req = request(
      {
        // node:http takes any stream for its socket; here, the host's own TCP connection.
        createConnection: () => stream,
        method: 'GET',
        path: where.path,
        headers: { Host: new URL(check.url).host, 'User-Agent': 'deptool-check', Connection: 'close' },
      },
      (res) => {
        const statusLine = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`;
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const body = Buffer.concat(chunks);
          const code = res.statusCode ?? 0;
          const statusOk = check.status === null ? code >= 200 && code < 300 : code === check.status;
          const containsOk = check.contains === null || body.includes(check.contains);
          const why = !statusOk ? ` (expected ${check.status ?? 'a 2xx status'})` : containsOk ? '' : `; the body does not contain ${JSON.stringify(check.contains)}`;
          settle({ ok: statusOk && containsOk, summary: `${statusLine}${why}`, excerpt: excerpt(body) });
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= BODY_LIMIT) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => settle({ ok: false, summary: `no answer within ${check.timeout} s`, excerpt: '' }), check.timeout * 1000);
    req.on('error', (error) => settle({ ok: false, summary: `HTTP request failed: ${error.message}`, excerpt: '' }));
    req.end();
  });
}

async function execAttempt(check: Extract<HealthCheck, { kind: 'exec' }>, host: CheckHost): Promise<Attempt> {
  // `timeout` stops the command on the host itself: sshd will not signal a root login's command.
  const argv = [...(host.invocation.sudo ? ['sudo', '-n'] : []), 'timeout', '-k', '1', String(check.timeout), ...check.argv];
  const result = await host.connection.exec(argv, { timeoutMs: check.timeout * 1000 + EXEC_GRACE_MS });
  const output = excerpt(Buffer.concat([result.stdout, result.stderr]));
  if (result.code === 0) return { ok: true, summary: 'exit 0', excerpt: output };
  if (result.code === 124) return { ok: false, summary: `did not finish within ${check.timeout} s`, excerpt: output };
  return { ok: false, summary: result.code === null ? `killed by ${result.signal ?? 'a signal'}` : `exit ${result.code}`, excerpt: output };
}
