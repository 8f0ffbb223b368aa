// The `deptool` command: dispatches to one module per subcommand and turns errors into exit codes.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeptoolError, ExitCode } from '../errors.js';
import { VERSION } from '../version.js';
import { helpText, parseCommand, type CommandSpec, type Parsed } from './args.js';
import * as deploy from './commands/deploy.js';
import * as diff from './commands/diff.js';
import * as init from './commands/init.js';
import * as log from './commands/log.js';
import * as ping from './commands/ping.js';
import * as plan from './commands/plan.js';
import * as rollback from './commands/rollback.js';
import * as status from './commands/status.js';
import * as sync from './commands/sync.js';
import type { Io } from './io.js';

interface Command {
  readonly spec: CommandSpec;
  run(io: Io, args: Parsed): Promise<number>;
}

const COMMANDS: readonly Command[] = [init, plan, diff, deploy, rollback, sync, status, log, ping];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'Usage: deptool <command> [options]',
    '',
    'Makes hosts match a tree of pre-rendered config (<cluster>/<host>/<app>/...) over SSH.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary.split('\n')[0]}`),
    '',
    "Run 'deptool <command> --help' for a command's options.",
    'Exit codes: 0 done or nothing to do, 1 operation failed, 2 usage or config error, 3 rolled back.',
    '',
  ].join('\n');
}

/** Runs one invocation and returns its exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`deptool ${VERSION}\n`);
    return ExitCode.ok;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  try {
    if (!command) {
      io.stderr.write(`deptool: unknown command '${name}'.\n\n${mainHelp()}`);
      return ExitCode.usage;
    }
    const args = parseCommand(command.spec, rest);
    if (args.values.help) {
      io.stdout.write(helpText(command.spec));
      return ExitCode.ok;
    }
    return await command.run(io, args);
  } catch (error) {
    if (error instanceof DeptoolError) {
      io.stderr.write(`deptool${command ? ` ${command.spec.name}` : ''}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * Ctrl-C and SIGTERM while a command listens: the first goes to the listener (a deploy stops
 * starting hosts and finishes the ones in flight), a second exits at once with 130; the next
 * run learns from the hosts what this one left.
 */
function processInterrupts(listener: () => void): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count === 1) {
      listener();
      return;
    }
    process.stderr.write('\ndeptool: interrupted again: exiting now. The next deploy (or deptool sync) records what the hosts run.\n');
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

if (isEntryPoint()) {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), onInterrupt: processInterrupts };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`deptool: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = ExitCode.failed;
    },
  );
}
