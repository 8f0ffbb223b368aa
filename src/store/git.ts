// Spawns git for the store: every command runs in the store's git directory, with variables that
// would redirect git to another repository removed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { OperationError } from '../errors.js';

/** Variables that would point git at another repository than the store's. */
const REDIRECTING = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE'];

function storeEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of REDIRECTING) delete env[name];
  return env;
}

export interface GitProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Settles when the process has exited: rejects with git's stderr unless it exited 0. */
  readonly exit: Promise<void>;
}

/** Runs `git <args>` with the git directory as working directory, so it is the repository used. */
export function spawnGit(gitDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): GitProcess {
  const child = spawn('git', args, { cwd: gitDir, env: storeEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // A write to a git that already exited fails with EPIPE; `exit` then reports git's own error.
  child.stdin.on('error', () => undefined);
  const exit = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new OperationError(`Could not run git: ${error.message}. Install git (2.39 or newer) and make sure it is on PATH.`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const text = Buffer.concat(stderr).toString('utf8').trim();
      reject(new OperationError(`git ${args[0]} failed in '${gitDir}': ${text || (signal ? `killed by ${signal}` : `exit status ${code}`)}`));
    });
  });
  return { child, exit };
}

export interface GitResult {
  /** Exit status; 0 when git succeeded. */
  readonly code: number;
  readonly stdout: Buffer;
  /** What `exit` rejected with (git's stderr, or why git could not run); null when it exited 0. */
  readonly error: OperationError | null;
}

/**
 * Runs git to completion, feeding `input` on stdin, and resolves whatever the exit status:
 * for commands whose non-zero exits carry meaning (ls-remote --exit-code, rev-parse --verify).
 */
export async function execGit(gitDir: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<GitResult> {
  const git = spawnGit(gitDir, args, options.env);
  const stdout: Buffer[] = [];
  git.child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  // Set in the same 'close' dispatch that settles `exit`, so it is known once `exit` has settled.
  let status: number | null = null;
  git.child.once('close', (code) => (status = code));
  git.child.stdin.end(options.input);
  // `exit` only ever rejects with an OperationError.
  const error = await git.exit.then(() => null, (reason: unknown) => reason as OperationError);
  return { code: error === null ? 0 : (status ?? 1), stdout: Buffer.concat(stdout), error };
}

/** Runs git to completion, feeding `input` on stdin, and returns its stdout; a non-zero exit throws. */
export async function runGit(gitDir: string, args: readonly string[], input?: string): Promise<Buffer> {
  const result = await execGit(gitDir, args, { input });
  if (result.error) throw result.error;
  return result.stdout;
}
