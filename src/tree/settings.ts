// Cluster settings: the optional deptool.json in the cluster dir (DESIGN §1.3).
import { constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getNodeValue, type Node } from 'jsonc-parser';
import type { ConfigIssue } from '../errors.js';
import { didYouMean, member, parseJsonSource, properties, validateJson, type JsonSchema, type Problem } from '../json-source.js';
import { decodeUtf8, displayPath, fileSystemIssue } from './fs-issues.js';
import { hasControlCharacter } from './names.js';
import { globSyntaxProblem } from './permissions.js';
import { NO_ROLLOUT, ROLLOUT_SCHEMA, rolloutPolicy, type RolloutPolicy } from './rollout.js';

export const SETTINGS_FILE = 'deptool.json';

/** How to reach one host; every key optional. */
export interface HostSettings {
  readonly address?: string;
  readonly port?: number;
  readonly user?: string;
  /** Expected content of /etc/hostname. */
  readonly hostname?: string;
  readonly transport?: 'ssh' | 'local';
  readonly proxyJump?: string;
}

export interface ClusterSettings {
  readonly defaults: HostSettings;
  /** Host dir name -> its own settings. */
  readonly hosts: ReadonlyMap<string, HostSettings>;
  /** Globs over `<host>/<app>/<path>` whose content is never shown (as the Action's `sensitive-paths`). */
  readonly sensitivePaths: readonly string[];
  /** How a deploy goes through the hosts: canary, batches, failure budget. */
  readonly rollout: RolloutPolicy;
  /** Seconds a host waits after its activation for the driver to confirm over a new connection (0: off); null when not set. */
  readonly confirmTimeout: number | null;
  /** Seconds to reach a host over SSH (TCP, handshake, login), below --connect-timeout and ssh_config's ConnectTimeout; null when not set. */
  readonly connectTimeout?: number | null;
}

export const EMPTY_SETTINGS: ClusterSettings = { defaults: {}, hosts: new Map(), sensitivePaths: [], rollout: NO_ROLLOUT, confirmTimeout: null, connectTimeout: null };

/** The default `confirm_timeout`: long enough for a new SSH login to a busy host. */
export const DEFAULT_CONFIRM_TIMEOUT = 30;

// A value that ends up on an ssh command line: one non-empty word that cannot pass for an option.
function word(what: string, more?: (value: string) => Problem | undefined): JsonSchema {
  return {
    type: 'string',
    check: (value): Problem | undefined => {
      if (value === '' || /\s/.test(value) || hasControlCharacter(value)) {
        return { message: `${what} must be a single non-empty word`, hint: 'Remove spaces and control characters.' };
      }
      if (value.startsWith('-')) return { message: `${what} may not start with "-"`, hint: `Use the real ${what}.` };
      return more?.(value);
    },
  };
}

function addressWithoutUser(value: string): Problem | undefined {
  if (!value.includes('@')) return undefined;
  return { message: 'address may not contain "@"', hint: 'Put the login name in `user` and only the host name or IP address in `address`.' };
}

/** JSON key -> property of HostSettings, with its schema. New keys are one line here. */
const HOST_FIELDS: Readonly<Record<string, { readonly property: keyof HostSettings; readonly schema: JsonSchema }>> = {
  address: { property: 'address', schema: word('address', addressWithoutUser) },
  port: { property: 'port', schema: { type: 'integer', min: 1, max: 65535 } },
  user: { property: 'user', schema: word('user') },
  hostname: { property: 'hostname', schema: word('hostname') },
  transport: { property: 'transport', schema: { type: 'enum', values: ['ssh', 'local'] } },
  proxy_jump: { property: 'proxyJump', schema: word('proxy_jump') },
};

/** Keys that name one host, so a cluster-wide default would be a mistake. */
const PER_HOST_ONLY = ['address', 'hostname'];

function settingsSchema(hostNames: ReadonlySet<string>, clusterDisplay: string): JsonSchema {
  const hostFields = Object.fromEntries(Object.entries(HOST_FIELDS).map(([key, field]) => [key, field.schema]));
  const defaults: JsonSchema = {
    type: 'object',
    fields: Object.fromEntries(Object.entries(hostFields).filter(([key]) => !PER_HOST_ONLY.includes(key))),
    misplaced: Object.fromEntries(PER_HOST_ONLY.map((key) => [key, `\`${key}\` differs per host; set it under \`hosts.<host>.${key}\`.`])),
  };
  return {
    type: 'object',
    fields: {
      defaults,
      hosts: {
        type: 'map',
        keys: (host) => (hostNames.has(host) ? undefined : unknownHost(host, hostNames, clusterDisplay)),
        values: { type: 'object', fields: hostFields },
      },
      sensitive_paths: { type: 'array', items: { type: 'string', check: sensitiveGlob } },
      rollout: ROLLOUT_SCHEMA,
      confirm_timeout: { type: 'integer', min: 0, max: 3600 },
      connect_timeout: { type: 'integer', min: 1, max: 3600 },
    },
  };
}

function sensitiveGlob(glob: string): Problem | undefined {
  const what = `sensitive path ${JSON.stringify(glob)}`;
  const problem = globSyntaxProblem(glob, what);
  if (problem !== undefined) return problem;
  if (glob.startsWith('/')) return { message: `${what} is an absolute path`, hint: 'Globs match <host>/<app>/<path> in the cluster directory, e.g. "*/*/secrets/**".' };
  return undefined;
}

function unknownHost(host: string, hostNames: ReadonlySet<string>, clusterDisplay: string): Problem {
  const guess = didYouMean(host, hostNames);
  return {
    message: `host ${JSON.stringify(host)} has no directory in ${clusterDisplay}`,
    hint:
      guess === undefined
        ? `Create ${clusterDisplay}/${host}/ with its apps, or remove the entry.`
        : `Did you mean ${JSON.stringify(guess)}? Otherwise create ${clusterDisplay}/${host}/ or remove the entry.`,
  };
}

function hostSettings(node: Node | undefined): HostSettings {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of node?.type === 'object' ? properties(node) : []) {
    const field = HOST_FIELDS[key.value as string];
    if (field !== undefined) settings[field.property] = getNodeValue(value) as unknown;
  }
  return settings;
}

/**
 * Parses deptool.json text. `hostNames` are the hosts of the config tree; `clusterDisplay`
 * is the cluster dir as shown to the user.
 */
export function parseSettings(
  text: string,
  displayPath: string,
  hostNames: ReadonlySet<string>,
  clusterDisplay: string,
): { settings: ClusterSettings; issues: ConfigIssue[] } {
  const { source, root, issues } = parseJsonSource(text, displayPath);
  if (root === undefined) return { settings: EMPTY_SETTINGS, issues };
  issues.push(...validateJson(root, settingsSchema(hostNames, clusterDisplay), source));
  const hosts = new Map<string, HostSettings>();
  const hostsNode = member(root, 'hosts');
  for (const [key, value] of hostsNode?.type === 'object' ? properties(hostsNode) : []) {
    hosts.set(key.value as string, hostSettings(value));
  }
  const sensitiveNode = member(root, 'sensitive_paths');
  const sensitivePaths = (sensitiveNode?.type === 'array' ? (sensitiveNode.children ?? []) : [])
    .filter((item) => item.type === 'string' && sensitiveGlob(item.value as string) === undefined)
    .map((item) => item.value as string);
  // A value out of range is an issue above, and settings with issues are never used.
  const confirmNode = member(root, 'confirm_timeout');
  const confirmTimeout = confirmNode?.type === 'number' ? (confirmNode.value as number) : null;
  const connectNode = member(root, 'connect_timeout');
  const connectTimeout = connectNode?.type === 'number' ? (connectNode.value as number) : null;
  return {
    settings: { defaults: hostSettings(member(root, 'defaults')), hosts, sensitivePaths, rollout: rolloutPolicy(member(root, 'rollout')), confirmTimeout, connectTimeout },
    issues,
  };
}

/**
 * Reads `<clusterDir>/deptool.json` if present (absent = empty settings). `hostNames` are the
 * hosts of the config tree; issues name paths relative to `cwd`. `loadCluster` calls this,
 * so its issues are reported together with the tree's.
 */
export async function loadSettings(
  clusterDir: string,
  hostNames: ReadonlySet<string>,
  cwd: string,
): Promise<{ settings: ClusterSettings; issues: ConfigIssue[] }> {
  const path = join(clusterDir, SETTINGS_FILE);
  const display = displayPath(cwd, path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path, { flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: EMPTY_SETTINGS, issues: [] };
    return { settings: EMPTY_SETTINGS, issues: [fileSystemIssue(display, error)] };
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    return { settings: EMPTY_SETTINGS, issues: [{ path: display, message: 'is not valid UTF-8', hint: 'Save it as UTF-8.' }] };
  }
  return parseSettings(text, display, hostNames, displayPath(cwd, clusterDir));
}
