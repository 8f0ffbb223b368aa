// The `local` transport: the same Connection, with argv spawned directly on this machine (no shell).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { connect } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Channel, Connection, ExecOptions, ExecResult, ExitStatus } from './connection.js';
import { TransportError } from './connection.js';

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * A Connection to this machine. Commands that cannot be started report what a remote
 * shell would (exit 127 "not found", 126 "not executable") so callers see one behaviour
 * for both transports, e.g. "agent not installed" is exit 127 either way.
 */
export function connectLocal(): Connection {
  return new LocalConnection();
}

class LocalConnection implements Connection {
  readonly description = 'local';
  private readonly children = new Set<Child>();
  private closed = false;

  private spawn(argv: readonly string[]): Child {
    if (this.closed) throw new TransportError('lost', `local: \`${argv[0]}\` could not start: the connection was closed.`);
    if (argv.length === 0) throw new TypeError('local: an empty argument list is not a command');
    const [file, ...args] = argv as [string, ...string[]];
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('close', () => this.children.delete(child));
    // EPIPE when the command exits without reading all of its stdin is not our error.
    child.stdin.on('error', () => {});
    return child;
  }

  // async: a spawn that throws (closed connection, empty argv) becomes a rejection.
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const child = this.spawn(argv);
    return await new Promise((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const input = options.stdin;
      const settle = (outcome: ExecResult | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (input !== undefined && !Buffer.isBuffer(input)) input.unpipe(child.stdin);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.once('error', (error: NodeJS.ErrnoException) => {
        const code = spawnFailureCode(error);
        if (code === undefined) settle(new TransportError('protocol', `local: cannot run \`${argv[0]}\`: ${error.message}.`));
        else settle({ code, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.from(`${argv[0]}: ${error.message}\n`) });
      });
      child.once('close', (code, signal) => settle({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }));
      if (options.timeoutMs !== undefined) {
        const timeoutMs = options.timeoutMs;
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          settle(new TransportError('timeout', `local: \`${argv[0]}\` did not finish within ${timeoutMs} ms; it was sent SIGKILL.`));
        }, timeoutMs);
      }
      if (input === undefined) child.stdin.end();
      else if (Buffer.isBuffer(input)) child.stdin.end(input);
      else {
        input.once('error', (error) => {
          child.kill('SIGKILL');
          settle(error);
        });
        input.pipe(child.stdin);
      }
    });
  }

  async open(argv: readonly string[]): Promise<Channel> {
    const child = this.spawn(argv);
    return await new Promise((resolve, reject) => {
      // Reported on 'spawn' so a missing program fails open() itself, as over SSH a
      // missing program is an exit status instead: here it becomes 127 on `exited`.
      const exited = new Promise<ExitStatus>((resolveExit) => {
        child.once('error', (error: NodeJS.ErrnoException) => {
          const code = spawnFailureCode(error);
          if (code === undefined) reject(new TransportError('protocol', `local: cannot run \`${argv[0]}\`: ${error.message}.`));
          else {
            resolve(channelOf(child, exited));
            resolveExit({ code, signal: null });
          }
        });
        // 'exit', not 'close': close waits for stdout to be read to its end.
        child.once('exit', (code, signal) => resolveExit({ code, signal }));
      });
      child.once('spawn', () => resolve(channelOf(child, exited)));
    });
  }

  forward(host: string, port: number): Promise<Duplex> {
    if (this.closed) return Promise.reject(new TransportError('lost', `local: cannot connect to ${host}:${port}: the connection was closed.`));
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        // Errors after the connect are the reader's (a reset); they must not crash the process.
        socket.removeAllListeners('error');
        socket.on('error', () => {});
        resolve(socket);
      });
      socket.once('error', (error) => reject(new TransportError('unreachable', `local: cannot connect to ${host}:${port}: ${error.message}`)));
    });
  }

  close(): Promise<void> {
    this.closed = true;
    // What a dropped SSH connection does to its commands: end of file on stdin and no one
    // left to read their output. They are not killed (an activation must run to its end).
    for (const child of this.children) {
      child.stdin.end();
      child.stdout.destroy();
      child.stderr.destroy();
    }
    return Promise.resolve();
  }
}

function channelOf(child: Child, exited: Promise<ExitStatus>): Channel {
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    write: (data) => {
      child.stdin.write(data);
    },
    end: () => {
      child.stdin.end();
    },
    inputDone: () => child.stdin.writableFinished,
    exited,
  };
}

/** The exit status a POSIX shell reports when it cannot run a command, if that is the failure. */
function spawnFailureCode(error: NodeJS.ErrnoException): number | undefined {
  if (error.code === 'ENOENT') return 127;
  if (error.code === 'EACCES' || error.code === 'ENOEXEC') return 126;
  return undefined;
}
