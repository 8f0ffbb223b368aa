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
  /** Unset when a ProxyCommand came first (OpenSSH: whichever of the two comes first wins). */
  readonly proxyJump?: string;
  /** The command line as written; unset when a ProxyJump came first. */
  readonly proxyCommand?: string;
  readonly connectTimeout?: string;
  readonly identityAgent?: string;
  /** Every CertificateFile that applies, in order. */
  readonly certificateFiles: readonly string[];
  /** Options and Match criteria that apply to this alias but that deptool cannot honour, each a sentence naming it. */
  readonly unhonoured: readonly string[];
}

/** What `Match` criteria test besides the alias; the values so far are passed to `exec`. */
export interface MatchContext {
  /** The login name when set outside ssh config (deptool.json), as `ssh -l` would. */
  readonly user?: string;
  readonly localUser: string;
  /**
   * Runs a `Match exec` command (tokens not yet expanded) and says whether it exited 0;
   * absent: such blocks do not apply and are reported as unhonoured.
   */
  readonly exec?: (command: string, state: MatchState) => boolean;
}

export interface MatchState {
  readonly alias: string;
  /** HostName so far with %h expanded, else the alias. */
  readonly hostName: string;
  readonly user: string;
  readonly port?: string;
}

/** A parsed ssh config; `lookup` answers with OpenSSH's "first value wins" rule. */
export interface SshConfig {
  lookup(alias: string, context?: MatchContext): SshHostConfig;
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
 * Parses ssh config text. Malformed text is an issue naming `displayPath`. Host and Match
 * blocks are evaluated as OpenSSH does (see evaluate).
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
      lookup(alias: string, context: MatchContext = { localUser: '' }): SshHostConfig {
        const { values, unhonoured } = evaluate(parsed, alias, context);
        const list = (key: string): string[] | undefined => values.get(key);
        const first = (key: string): string | undefined => list(key)?.[0];
        const result: { -readonly [K in keyof SshHostConfig]: SshHostConfig[K] } = {
          identityFiles: list('identityfile') ?? [],
          certificateFiles: list('certificatefile') ?? [],
          unhonoured,
        };
        const set = <K extends keyof SshHostConfig>(key: K, value: SshHostConfig[K] | undefined) => {
          if (value !== undefined) result[key] = value;
        };
        set('hostName', first('hostname'));
        set('port', first('port'));
        set('user', first('user'));
        set('userKnownHostsFiles', list('userknownhostsfile'));
        set('connectTimeout', first('connecttimeout'));
        set('identityAgent', first('identityagent'));
        const order = [...values.keys()];
        const jumpFirst = order.indexOf('proxyjump') !== -1 && (order.indexOf('proxycommand') === -1 || order.indexOf('proxyjump') < order.indexOf('proxycommand'));
        if (jumpFirst) set('proxyJump', first('proxyjump'));
        else set('proxyCommand', first('proxycommand'));
        for (const [key, what] of UNHONOURED) {
          const value = first(key);
          if (value !== undefined && what.applies(value)) unhonoured.push(`${what.name} ${value}: ${what.why}`);
        }
        return result;
      },
    },
    issues: [],
  };
}

/** Options deptool does not implement that change where or how it connects; the rest (ciphers, forwarding, ...) do not matter to a deploy. */
const UNHONOURED: ReadonlyMap<string, { name: string; why: string; applies: (value: string) => boolean }> = new Map([
  ['hostkeyalias', { name: 'HostKeyAlias', why: 'not supported; host keys are looked up under the host name and port', applies: () => true }],
  ['canonicalizehostname', { name: 'CanonicalizeHostname', why: 'not supported; the name is resolved as written', applies: (value: string) => value.toLowerCase() !== 'no' }],
  ['bindaddress', { name: 'BindAddress', why: 'not supported; the system picks the source address', applies: () => true }],
  ['bindinterface', { name: 'BindInterface', why: 'not supported; the system picks the interface', applies: () => true }],
  ['pkcs11provider', { name: 'PKCS11Provider', why: 'not supported; load the key into ssh-agent instead', applies: (value: string) => value.toLowerCase() !== 'none' }],
  ['securitykeyprovider', { name: 'SecurityKeyProvider', why: 'not supported; load the key into ssh-agent instead', applies: () => true }],
  ['identitiesonly', { name: 'IdentitiesOnly', why: 'not supported; every key of the agent is offered as well', applies: (value: string) => value.toLowerCase() === 'yes' }],
]);

/** Keys whose every occurrence counts (OpenSSH accumulates them); all others: the first wins. */
const ACCUMULATING = new Set(['identityfile', 'certificatefile']);
/** Keys whose value is a command line, passed on as written. */
const COMMANDS = new Set(['proxycommand', 'knownhostscommand', 'localcommand', 'remotecommand']);

type Line = SSHConfig[number];
type Value = string | readonly { val: string; separator: string; quoted?: boolean }[];

function valueWords(value: Value): string[] {
  return typeof value === 'string' ? [value] : value.map((part) => part.val);
}

function commandText(value: Value): string {
  if (typeof value === 'string') return value;
  return value
    .map(({ val, separator, quoted }) => `${separator}${quoted ? `"${val}"` : val}`)
    .join('')
    .trim();
}

/**
 * OpenSSH's readconf: Host patterns match the alias; Match criteria are all, canonical,
 * final, host (HostName so far, %h expanded), originalhost, user (the login so far, else the
 * local user), localuser and exec (run only when every criterion before it matched),
 * each negatable with `!`. `Match final` asks for a second pass, where canonical and final
 * match and Host patterns match the host name. Other criteria never match and are reported.
 */
function evaluate(config: SSHConfig, alias: string, context: MatchContext): { values: Map<string, string[]>; unhonoured: string[] } {
  const values = new Map<string, string[]>();
  const unhonoured: string[] = [];
  const set = (param: string, value: Value) => {
    const key = param.toLowerCase();
    if (ACCUMULATING.has(key)) values.set(key, [...(values.get(key) ?? []), ...valueWords(value)]);
    else if (!values.has(key)) values.set(key, COMMANDS.has(key) ? [commandText(value)] : valueWords(value));
  };
  const state = (): MatchState => {
    const hostName = values.get('hostname')?.[0]?.replace(/%h/g, alias) ?? alias;
    const port = values.get('port')?.[0];
    return { alias, hostName, user: context.user ?? values.get('user')?.[0] ?? context.localUser, ...(port === undefined ? {} : { port }) };
  };
  let wantFinal = false;
  const note = (what: string) => {
    if (!unhonoured.includes(what)) unhonoured.push(what);
  };
  const matches = (line: Line & { value: Value }, final: boolean): boolean => {
    const words = typeof line.value === 'string' ? [line.value] : line.value.map((part) => part.val);
    let result = true;
    for (let i = 0; i < words.length; i++) {
      const negated = words[i].startsWith('!');
      const criterion = words[i].replace(/^!/, '').toLowerCase();
      let matched: boolean;
      if (criterion === 'all') matched = true;
      else if (criterion === 'canonical' || criterion === 'final') {
        if (criterion === 'final') wantFinal = true;
        matched = final;
      } else {
        const argument = words[++i];
        // The parser already refused a criterion without its argument.
        if (argument === undefined) return false;
        const current = state();
        switch (criterion) {
          case 'host':
            matched = patternListMatches(argument, current.hostName);
            break;
          case 'originalhost':
            matched = patternListMatches(argument, alias);
            break;
          case 'user':
            matched = patternListMatches(argument, current.user, false);
            break;
          case 'localuser':
            matched = patternListMatches(argument, context.localUser, false);
            break;
          case 'exec':
            // As OpenSSH, a command is not run once an earlier criterion failed.
            if (!result) continue;
            if (context.exec === undefined) {
              note(`Match exec ${JSON.stringify(argument)}: commands are only run when deptool connects, so the block was not applied`);
              matched = false;
            } else matched = context.exec(argument, current);
            break;
          default:
            note(`Match ${criterion} ${argument}: deptool does not support this criterion, so the block never applies`);
            matched = false;
        }
      }
      if (matched === negated) result = false;
    }
    return result;
  };
  const pass = (final: boolean) => {
    for (const line of config) {
      if (line.type !== SSHConfig.DIRECTIVE) continue;
      const param = line.param.toLowerCase();
      if (param === 'host') {
        if (hostPatternsMatch(valueWords(line.value), final ? state().hostName : alias)) applyBlock(line);
      } else if (param === 'match') {
        if (matches(line, final)) applyBlock(line);
      } else set(line.param, line.value);
    }
  };
  const applyBlock = (line: Line) => {
    for (const inner of 'config' in line ? line.config : []) {
      if (inner.type === SSHConfig.DIRECTIVE) set(inner.param, inner.value);
    }
  };
  pass(false);
  if (wantFinal) pass(true);
  return { values, unhonoured };
}

/** `Host a b !c`: some pattern matches and no negated one does. */
function hostPatternsMatch(patterns: readonly string[], name: string, ignoreCase = true): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (globMatches(pattern.slice(1), name, ignoreCase)) return false;
    } else if (globMatches(pattern, name, ignoreCase)) matched = true;
  }
  return matched;
}

/** `a,b,!c` as in Match (OpenSSH's match_pattern_list); user names are case-sensitive. */
function patternListMatches(list: string, name: string, ignoreCase = true): boolean {
  return hostPatternsMatch(list.split(','), name, ignoreCase);
}

function globMatches(pattern: string, name: string, ignoreCase: boolean): boolean {
  const source = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+(){}[\]]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(name);
}
