// The transport interface the deploy driver talks to: run an argv on a host, once or as a long-lived stream.
import type { Duplex, Readable } from 'node:stream';
import { OperationError } from '../errors.js';

export interface ExecResult {
  /** Exit status, or null when the command was killed by a signal (or the host sent none). */
  readonly code: number | null;
  /** `SIGTERM` style, as node:child_process reports it. */
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

export interface ExecOptions {
  /** The command's stdin; ended after it (no stdin means an immediate end of file). */
  readonly stdin?: Buffer | Readable;
  /**
   * Reject with a `timeout` TransportError after this long and try to kill the command.
   * Over SSH the kill is best effort: sshd refuses signals for root logins, so the command
   * may run on (holding one of sshd's MaxSessions slots) until it ends. Bound work that must
   * stop on the host itself (e.g. systemd-run's TimeoutStartSec).
   */
  readonly timeoutMs?: number;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A running command with its streams, e.g. the agent's `session`. */
export interface Channel {
  readonly stdout: Readable;
  readonly stderr: Readable;
  write(data: Buffer | string): void;
  /** End of file on the command's stdin. */
  end(): void;
  /**
   * True once everything written, and the end of input, has left this process. When the
   * connection drops before that, the command cannot have read all of its input.
   */
  inputDone(): boolean;
  /** Resolves when the command exits; rejects with a `lost` TransportError if the connection drops first. */
  readonly exited: Promise<ExitStatus>;
}

export interface Connection {
  /** Where this goes, e.g. `root@127.0.0.1:2201`; never holds secrets. */
  readonly description: string;
  /**
   * Runs argv (quoted once, by quote.ts, when it goes over SSH) and collects its output.
   * Resolves whatever the exit status; rejects only with a TransportError (connection
   * lost, timeout, channel refused).
   */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts argv and returns its streams as soon as it runs. */
  open(argv: readonly string[]): Promise<Channel>;
  /**
   * A TCP connection made by the host to `host:port`, as the host resolves and reaches it (SSH's
   * direct-tcpip), so health checks need no HTTP client on the host. Rejects with a
   * TransportError: `unreachable` when the host cannot connect, `lost` when this connection is gone.
   */
  forward(host: string, port: number): Promise<Duplex>;
  /** Closes the connection; commands still running get end of file on stdin. */
  close(): Promise<void>;
}

/** Why a transport operation failed, for callers that react differently (retry, abort, report). */
export type TransportFailure =
  /** No TCP connection: refused, unreachable, name not resolved. */
  | 'unreachable'
  /** Connect (TCP + SSH handshake + authentication) or a command took too long. */
  | 'timeout'
  | 'host-key'
  | 'auth'
  /** The connection dropped (or keepalives went unanswered) while in use. */
  | 'lost'
  /** The server refused a channel (e.g. sshd's MaxSessions) or the SSH protocol failed. */
  | 'protocol';

/** An OperationError with a machine-readable kind, so callers never match on message text. */
export class TransportError extends OperationError {
  readonly kind: TransportFailure;
  constructor(kind: TransportFailure, message: string) {
    super(message);
    this.kind = kind;
  }
}
