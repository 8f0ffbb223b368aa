// What a command may touch of the outside world, passed in so tests run commands in-process.
import type { Readable, Writable } from 'node:stream';

export interface Io {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * Calls `listener` on the first Ctrl-C or SIGTERM until the returned function is called;
   * a second one ends the process at once. Absent where nothing can interrupt (tests).
   */
  readonly onInterrupt?: (listener: () => void) => () => void;
}

/**
 * Whether what goes to stdout is coloured, decided here only. `NO_COLOR` (any non-empty
 * value, https://no-color.org) wins: it is the reader's own wish. Then `FORCE_COLOR`
 * colours even a pipe (CI logs render escapes), except `0` or `false`, which turn colour
 * off. Otherwise only a terminal that is not `TERM=dumb` gets colour, as git does.
 */
export function useColor(io: Pick<Io, 'env' | 'stdout'>): boolean {
  const { NO_COLOR, FORCE_COLOR, TERM } = io.env;
  if (NO_COLOR) return false;
  if (FORCE_COLOR !== undefined && FORCE_COLOR !== '') return FORCE_COLOR !== '0' && FORCE_COLOR.toLowerCase() !== 'false';
  return io.stdout.isTTY === true && TERM !== 'dumb';
}
