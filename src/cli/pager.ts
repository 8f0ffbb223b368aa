// Long output on a terminal goes through the user's pager, as git does; a pipe gets it directly.
import { spawn } from 'node:child_process';
import type { Io } from './io.js';

export interface Pager {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The pager for stdout, or null to write directly: only on a terminal, `$PAGER` (split on
 * spaces, never run by a shell), else `less -R`; an empty `$PAGER` or `cat` means none. As
 * git, `LESS` defaults to `FRX` (quit when it fits on one screen, keep colours, leave the text
 * on the screen) and `LV` to `-c`, unless the user set them.
 */
export function pagerFor(env: NodeJS.ProcessEnv, isTTY: boolean): Pager | null {
  if (!isTTY) return null;
  const [command, ...args] = env.PAGER === undefined ? ['less', '-R'] : env.PAGER.trim().split(/\s+/);
  if (!command || command === 'cat') return null;
  return { command, args, env: { LESS: 'FRX', LV: '-c', ...env } };
}

/** Writes text to stdout, through the pager on a terminal; a pager that cannot start leaves the text on stdout. */
export async function show(io: Io, text: string): Promise<void> {
  const pager = pagerFor(io.env, io.stdout.isTTY === true);
  if (!pager) {
    io.stdout.write(text);
    return;
  }
  await new Promise<void>((done) => {
    const child = spawn(pager.command, pager.args, { stdio: ['pipe', 'inherit', 'inherit'], env: pager.env });
    child.on('error', () => {
      io.stdout.write(text);
      done();
    });
    child.on('close', () => done());
    // A pager quit before the end (q in less) closes its input: not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}
