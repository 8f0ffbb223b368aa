// How a deploy reaches its hosts; the CLI and the Action each build one from their own inputs.
import type { Connection } from '../transport/connection.js';
import type { Target } from '../transport/targets.js';
import type { AgentInvocation } from './protocol.js';

export interface Connector {
  readonly targets: ReadonlyMap<string, Target>;
  readonly connect: (target: Target) => Promise<Connection>;
  readonly invocation: (target: Target) => AgentInvocation;
}

/** Connect and keepalive limits of every SSH hop, for the CLI and the Action alike. */
export const SSH_TIMEOUTS = { connectTimeoutMs: 15_000, keepaliveIntervalMs: 5_000, keepaliveCountMax: 3 } as const;

/** Root runs the agent itself, anyone else through `sudo -n`; a sandbox root needs neither. */
export function invocationFor(target: Target, sandboxRoot: string | null): AgentInvocation {
  if (target.transport === 'local') return { sudo: sandboxRoot === null && process.getuid?.() !== 0, root: sandboxRoot };
  return { sudo: target.user !== 'root', root: null };
}
