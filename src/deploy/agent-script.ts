// The agent script shipped to hosts: inlined into the bundle at build time, read
// from agent/ when running from sources (tests).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

declare const __DEPTOOL_AGENT_SCRIPT__: string | undefined;

export const AGENT_SCRIPT: string =
  typeof __DEPTOOL_AGENT_SCRIPT__ === 'string'
    ? __DEPTOOL_AGENT_SCRIPT__
    : readFileSync(new URL('../../agent/deptool-agent.sh', import.meta.url), 'utf8');

export const AGENT_VERSION = /^AGENT_VERSION=([0-9A-Za-z.+-]+)$/m.exec(AGENT_SCRIPT)?.[1] ?? 'unknown';

export const AGENT_SHA256 = createHash('sha256').update(AGENT_SCRIPT).digest('hex');

/** `agent-<version>-<sha10>`: a changed script is a new file, so hosts never run a stale agent. */
export const AGENT_FILE = `agent-${AGENT_VERSION}-${AGENT_SHA256.slice(0, 10)}`;
