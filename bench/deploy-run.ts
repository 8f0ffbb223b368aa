// Shared by the deploy benchmark: timed child processes (with the time each stdout line arrived), medians, HTTP checks.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ), the unit of /proc CPU times; 100 on Linux. */
const TICKS = 100;

/**
 * CPU seconds spent so far, user + system (nice, irq and softirq included): by the whole
 * machine (/proc/stat), and by this process's exited, waited-for children and their
 * descendants (cutime + cstime of /proc/self/stat). Hosts, sshd and ssh clients share
 * the machine, so its total is what a run costs; the children's is the client's own.
 */
export function cpuNow(): { machine: number; children: number } {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const self = readFileSync('/proc/self/stat', 'utf8');
  const fields = self.slice(self.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of the file (cutime, cstime) are 13 and 14 after the name.
  return { machine: (user + nice + system + irq + softirq) / TICKS, children: (Number(fields[13]) + Number(fields[14])) / TICKS };
}

export interface Cpu {
  /** CPU seconds of the whole machine during the run. */
  readonly machine: number;
  /** CPU seconds of the program run and its descendants (only meaningful when nothing else exits meanwhile). */
  readonly own: number;
}

/** CPU used by `work`, by the machine and by the children that exited meanwhile. */
export async function withCpu<T>(work: () => Promise<T>): Promise<{ value: T; cpu: Cpu }> {
  const before = cpuNow();
  const value = await work();
  const after = cpuNow();
  return { value, cpu: { machine: after.machine - before.machine, own: after.children - before.children } };
}

export interface Timed {
  readonly code: number;
  readonly seconds: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Each stdout line with the seconds since spawn at which it arrived: where the time went. */
  readonly lines: readonly { readonly at: number; readonly text: string }[];
  /** CPU during the run; `own` is the program's only when no other child of this process exits meanwhile. */
  readonly cpu: Cpu;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs a program to completion; `seconds` is the wall time from spawn to exit, as a user's shell sees it. */
export function timed(file: string, args: readonly string[], options: RunOptions = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const before = cpuNow();
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: { at: number; text: string }[] = [];
    const out: string[] = [];
    const err: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const at = (performance.now() - started) / 1000;
      out.push(chunk);
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ at, text });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, sig) => {
      const seconds = (performance.now() - started) / 1000;
      const after = cpuNow();
      clearTimeout(timer);
      const cpu = { machine: after.machine - before.machine, own: after.children - before.children };
      resolve({ code: code ?? (sig ? 128 : 1), seconds, stdout: out.join(''), stderr: err.join(''), lines, cpu });
    });
  });
}

/** Like timed(), but a non-zero exit fails the benchmark: a failed run must not be counted. */
export async function timedOk(what: string, file: string, args: readonly string[], options: RunOptions = {}): Promise<Timed> {
  const result = await timed(file, args, options);
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Waits until http://127.0.0.1:PORT/ serves exactly `body`. With a settle of 0 the deploy
 * may return before the restarted server listens, so this polls (untimed) rather than
 * fetching once; content that never arrives fails the benchmark.
 */
export async function waitServes(port: number, body: string, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      const text = await response.text();
      if (response.status === 200 && text === body) return;
      last = `${response.status} ${JSON.stringify(text)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${what}: port ${port} does not serve ${JSON.stringify(body)} after ${timeoutMs} ms (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const seconds = (s: number): string => `${s.toFixed(2)} s`;
