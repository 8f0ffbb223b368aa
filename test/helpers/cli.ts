// Runs the deptool CLI in-process with captured output, as a user's shell would.
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `answers`: stdin is a terminal, and each time a `[y/N/d]` question appears on stdout the
 * next answer is typed (one line each, as a user would, never ahead of the question).
 */
export async function runCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; answers?: readonly string[] }): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin: PassThrough & { isTTY?: boolean } = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const answers = [...(options.answers ?? [])];
  if (options.answers) stdin.isTTY = true;
  let asked = 0;
  stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    const questions = Buffer.concat(out).toString('utf8').split('[y/N/d] ').length - 1;
    for (; asked < questions; asked++) stdin.write(`${answers.shift() ?? ''}\n`);
  });
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const env = { PATH: process.env.PATH, HOME: options.cwd, NO_COLOR: '1', ...options.env };
  const code = await main(args, { stdout, stderr, stdin, env, cwd: options.cwd });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
