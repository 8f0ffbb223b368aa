// The `deptool` command: dispatches to one module per subcommand and turns errors into exit codes.
import { isEntryPoint } from '../entry.js';
import { DeptoolError, ExitCode, UsageError } from '../errors.js';
import { parseCommand, unknownCommand, type Parsed } from './args.js';
import { completionScript, type Shell } from './completion.js';
import { VERSION } from '../version.js';
import * as deploy from './commands/deploy.js';
import * as diff from './commands/diff.js';
import * as init from './commands/init.js';
import * as log from './commands/log.js';
import * as ping from './commands/ping.js';
import * as plan from './commands/plan.js';
import * as rollback from './commands/rollback.js';
import * as status from './commands/status.js';
import * as sync from './commands/sync.js';
import { commandHelp, helpWidth, mainHelp } from './help.js';
import type { Io } from './io.js';
import { findCommand } from './registry.js';

type Run = (io: Io, args: Parsed) => Promise<number> | number;

/** What each command of the registry runs. */
export const RUNS: Readonly<Record<string, Run>> = {
  init: init.run,
  plan: plan.run,
  diff: diff.run,
  deploy: deploy.run,
  rollback: rollback.run,
  sync: sync.run,
  status: status.run,
  log: log.run,
  ping: ping.run,
  help: (io, args) => {
    const name = args.positionals[0];
    const width = helpWidth(io.stdout);
    if (name === undefined) {
      io.stdout.write(mainHelp(width));
      return ExitCode.ok;
    }
    const spec = findCommand(name);
    if (!spec) throw unknownCommand(name);
    io.stdout.write(commandHelp(spec, width));
    return ExitCode.ok;
  },
  completion: (io, args) => {
    const shell = args.positionals[0];
    if (shell !== 'bash' && shell !== 'zsh' && shell !== 'fish') {
      throw new UsageError(`No completion for the shell '${shell}': deptool completes in bash, zsh and fish.`);
    }
    io.stdout.write(completionScript(shell satisfies Shell));
    return ExitCode.ok;
  },
};


/** Runs one invocation and returns its exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(mainHelp(helpWidth(io.stdout)));
    return ExitCode.usage;
  }
  if (name === '--help' || name === '-h') {
    io.stdout.write(mainHelp(helpWidth(io.stdout)));
    return ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`deptool ${VERSION}\n`);
    return ExitCode.ok;
  }
  const spec = findCommand(name);
  try {
    if (!spec) {
      if (name.startsWith('-')) throw new UsageError(`Unknown option '${name}' before the command: options come after it (deptool <command> [options]).\nRun 'deptool help' for the commands.`);
      throw unknownCommand(name);
    }
    const args = parseCommand(spec, rest);
    if (args.values.help) {
      io.stdout.write(commandHelp(spec, helpWidth(io.stdout)));
      return ExitCode.ok;
    }
    const run = RUNS[args.runs ?? spec.name];
    if (!run) throw new Error(`the command '${spec.name}' has no implementation`);
    return await run(io, args);
  } catch (error) {
    if (error instanceof DeptoolError) {
      io.stderr.write(`deptool${spec ? ` ${spec.name}` : ''}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
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

if (isEntryPoint(import.meta.url)) {
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
