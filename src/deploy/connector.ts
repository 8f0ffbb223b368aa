// How a deploy reaches its hosts; the CLI and the Action each build one from their own inputs.
import type { Connection } from '../transport/connection.js';
import type { SshConnectOptions } from '../transport/ssh.js';
import type { Target } from '../transport/targets.js';
import type { AgentInvocation } from './protocol.js';

export interface Connector {
  readonly targets: ReadonlyMap<string, Target>;
  readonly connect: (target: Target) => Promise<Connection>;
  readonly invocation: (target: Target) => AgentInvocation;
}

/** Keepalive limits of every SSH hop, for the CLI and the Action alike. */
export const SSH_KEEPALIVE = { keepaliveIntervalMs: 5_000, keepaliveCountMax: 3 } as const;

/** The connect timeout when nothing sets one. */
export const DEFAULT_CONNECT_TIMEOUT = 15;

/** Where the connect timeout may come from, strongest first. */
export interface ConnectTimeoutSources {
  /** The command line's option, e.g. `--connect-timeout`; absent where there is none (the Action). */
  readonly flagName?: string;
  /** The option's value in seconds, when given. */
  readonly flag?: number;
  /** deptool.json `connect_timeout` (null: not set). */
  readonly settings?: number | null;
  /** How messages name the ssh config, e.g. `~/.ssh/config`. */
  readonly sshConfigPath: string;
}

/**
 * The connect timeout for one host: the flag, else ssh_config's ConnectTimeout for that
 * host, else deptool.json's connect_timeout, else 15 s; with a sentence naming which
 * one set it and how to raise it, for the timeout's message.
 */
export function connectTimeoutFor(target: Target, sources: ConnectTimeoutSources): { seconds: number; hint: string } {
  const { flagName, flag, settings, sshConfigPath } = sources;
  const orFlag = flagName === undefined ? '' : `, or pass ${flagName} SECONDS`;
  if (flag !== undefined) return { seconds: flag, hint: `The limit was set by ${flagName ?? 'the command line'} ${flag}; give a larger value for a slow link.` };
  if (target.connectTimeout !== undefined) {
    return { seconds: target.connectTimeout, hint: `The limit was set by ConnectTimeout ${target.connectTimeout} in ${sshConfigPath} (for ${target.alias}); raise it there${orFlag}.` };
  }
  if (settings !== undefined && settings !== null) {
    return { seconds: settings, hint: `The limit was set by "connect_timeout": ${settings} in deptool.json; raise it there${orFlag}.` };
  }
  const ways = [...(flagName === undefined ? [] : [`${flagName} SECONDS`]), '"connect_timeout" in deptool.json', `ConnectTimeout in ${sshConfigPath}`];
  return { seconds: DEFAULT_CONNECT_TIMEOUT, hint: `The limit is the default of ${DEFAULT_CONNECT_TIMEOUT} s; raise it with ${ways.slice(0, -1).join(', ')} or ${ways[ways.length - 1]}.` };
}

/** The options for connecting to `target`: its connect timeout and the common keepalive. */
export function sshOptionsFor(target: Target, sources: ConnectTimeoutSources): Omit<SshConnectOptions, 'resolveJump'> {
  const { seconds, hint } = connectTimeoutFor(target, sources);
  return { connectTimeoutMs: seconds * 1000, connectTimeoutHint: hint, ...SSH_KEEPALIVE };
}

/** Root runs the agent itself, anyone else through `sudo -n`; a sandbox root needs neither. */
export function invocationFor(target: Target, sandboxRoot: string | null): AgentInvocation {
  if (target.transport === 'local') return { sudo: sandboxRoot === null && process.getuid?.() !== 0, root: sandboxRoot };
  return { sudo: target.user !== 'root', root: null };
}
