// Reads the user's OpenSSH client config (~/.ssh/config) and looks up the keys deptool needs.
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { ConfigError, type ConfigIssue } from '../errors.js';

/** Raw values for one alias, before deptool.json overrides and token expansion. */
export interface SshHostConfig {
  readonly hostName?: string;
  readonly port?: string;
  readonly user?: string;
  /** Every IdentityFile that applies, in order (OpenSSH accumulates them). */
  readonly identityFiles: readonly string[];
  readonly userKnownHostsFiles?: readonly string[];
  readonly proxyJump?: string;
}

/** A parsed ssh config; `lookup` answers with OpenSSH's "first value wins" rule. */
export interface SshConfig {
  lookup(alias: string): SshHostConfig;
}

const MAX_INCLUDE_DEPTH = 16;

/**
 * Reads an ssh config file with its `Include`s inlined; a missing file reads as empty, an
 * unreadable one is a ConfigError.
 * Relative include paths are relative to `~/.ssh`, as OpenSSH treats the user config.
 */
export async function readSshConfig(path: string, home: string): Promise<string> {
  return readWithIncludes(path, home, 0);
}

async function readWithIncludes(path: string, home: string, depth: number): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    throw new ConfigError([{ path, message: `cannot be read: ${(error as Error).message}`, hint: 'Make it a readable file, or remove it.' }]);
  }
  if (depth >= MAX_INCLUDE_DEPTH) return '';
  const out: string[] = [];
  let section: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    const keyword = match?.[1]?.toLowerCase();
    if (keyword === 'host' || keyword === 'match') section = line;
    if (keyword !== 'include') {
      out.push(line);
      continue;
    }
    for (const pattern of words(match![2])) {
      for (const file of await expandInclude(pattern, home)) {
        const included = await readWithIncludes(file, home, depth + 1);
        out.push(included);
        // Sections opened by the included file end with it, as in OpenSSH: reopen ours.
        if (/^\s*(host|match)\b/im.test(included)) out.push(section ?? 'Match all');
      }
    }
  }
  return out.join('\n');
}

/** Splits an ssh config value into words, honouring double quotes and dropping a comment. */
function words(value: string): string[] {
  const result: string[] = [];
  for (const match of value.matchAll(/"([^"]*)"|(#.*)|([^\s"]+)/g)) {
    if (match[2] !== undefined) break;
    result.push(match[1] ?? match[3]);
  }
  return result;
}

async function expandInclude(pattern: string, home: string): Promise<string[]> {
  const tilde = pattern === '~' ? home : pattern.startsWith('~/') ? join(home, pattern.slice(2)) : pattern;
  const path = isAbsolute(tilde) ? tilde : join(home, '.ssh', tilde);
  if (!/[*?[]/.test(path)) return [path];
  return glob(path);
}

/** Paths matching a pattern with `*`, `?` and `[...]` in any segment, sorted like glob(3). */
async function glob(pattern: string): Promise<string[]> {
  const segments = pattern.split('/').filter((segment) => segment !== '');
  let paths = ['/'];
  for (const segment of segments) {
    const next: string[] = [];
    if (!/[*?[]/.test(segment)) {
      for (const path of paths) next.push(join(path, segment));
    } else {
      const regex = wildcard(segment);
      for (const path of paths) {
        const names = await readdir(path).catch(() => []);
        for (const name of names.sort()) {
          // As in glob(3), wildcards do not match a leading dot.
          if (name.startsWith('.') && !segment.startsWith('.')) continue;
          if (regex.test(name)) next.push(join(path, name));
        }
      }
    }
    paths = next;
  }
  return paths;
}

function wildcard(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    const close = char === '[' ? segment.indexOf(']', i + 2) : -1;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (close !== -1) {
      const body = segment.slice(i + 1, close);
      source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = close;
    } else source += char.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Parses ssh config text. `Match exec` is never run (a deploy must not execute shell
 * snippets from a config file), so such blocks never apply. Malformed text is an issue
 * naming `displayPath`.
 */
export function parseSshConfig(text: string, displayPath: string): { config: SshConfig; issues: ConfigIssue[] } {
  let parsed: SSHConfig;
  try {
    parsed = SSHConfig.parse(text);
  } catch (error) {
    return {
      config: parseSshConfig('', displayPath).config,
      issues: [{ path: displayPath, message: `cannot be parsed: ${(error as Error).message}`, hint: 'Fix the ssh config; `ssh -G <host>` shows how OpenSSH reads it.' }],
    };
  }
  return {
    config: {
      lookup(alias: string): SshHostConfig {
        const values = parsed.compute(alias, { ignoreCase: true, matchExec: false });
        const list = (key: string): string[] | undefined => {
          const value = values[key];
          return value === undefined ? undefined : Array.isArray(value) ? value : [value];
        };
        const first = (key: string): string | undefined => list(key)?.[0];
        const result: { -readonly [K in keyof SshHostConfig]: SshHostConfig[K] } = { identityFiles: list('identityfile') ?? [] };
        const hostName = first('hostname');
        const port = first('port');
        const user = first('user');
        const knownHosts = list('userknownhostsfile');
        const proxyJump = first('proxyjump');
        if (hostName !== undefined) result.hostName = hostName;
        if (port !== undefined) result.port = port;
        if (user !== undefined) result.user = user;
        if (knownHosts !== undefined) result.userKnownHostsFiles = knownHosts;
        if (proxyJump !== undefined) result.proxyJump = proxyJump;
        return result;
      },
    },
    issues: [],
  };
}
