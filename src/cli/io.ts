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

export function useColor(io: Io): boolean {
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR) return true;
  return io.stdout.isTTY === true;
}
