// Where and how to reach each host: deptool.json, ~/.ssh/config and built-in defaults combined.
import { createHash } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { ConfigError, type ConfigIssue } from '../errors.js';
import type { ClusterSettings, HostSettings } from '../tree/settings.js';
import type { ConfigTree } from '../tree/types.js';
import { parseSshConfig, type SshHostConfig } from './ssh-config.js';

export interface Target {
  /** Host dir name. */
  readonly host: string;
  readonly transport: 'ssh' | 'local';
  /** deptool.json `address`, else the host dir name: what ssh_config `Host` patterns match. */
  readonly alias: string;
  /** Where to connect: ssh_config `HostName` (tokens expanded), else the alias. */
  readonly hostName: string;
  readonly port: number;
  readonly user: string;
  /** Configured IdentityFiles (tokens and ~ expanded), or OpenSSH's default key files if none. */
  readonly identityFiles: readonly string[];
  /** UserKnownHostsFile (expanded), by default ~/.ssh/known_hosts and ~/.ssh/known_hosts2; empty for `none`. */
  readonly knownHostsFiles: readonly string[];
  readonly proxyJump: string | null;
  /** What /etc/hostname on the host must say. */
  readonly expectedHostname: string;
  /** ssh_config ProxyCommand, tokens expanded: run with `sh -c`, its stdio is the connection. */
  readonly proxyCommand?: string;
  /** ssh_config IdentityAgent: a socket path, or null for `none`; unset: SSH_AUTH_SOCK. */
  readonly identityAgent?: string | null;
  /** ssh_config ConnectTimeout in seconds. */
  readonly connectTimeout?: number;
  /** What ssh_config asks for that deptool cannot honour for this host, each naming the option and the host. */
  readonly warnings?: readonly string[];
}

export interface ResolveOptions {
  /** Text of ~/.ssh/config with includes inlined (see readSshConfig); absent = no ssh config. */
  readonly sshConfigText?: string;
  /** How issues name the ssh config; default `~/.ssh/config`. */
  readonly sshConfigPath?: string;
  readonly localUser: string;
  readonly home: string;
  /** For the %l, %L and %C tokens; default os.hostname(). */
  readonly localHostname?: string;
  /** For `${VAR}` in IdentityFile and UserKnownHostsFile; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Runs a `Match exec` command (tokens expanded) as OpenSSH does and says whether it exited 0.
   * Absent: such blocks do not apply, with a warning (commands that only plan connect nowhere).
   */
  readonly exec?: (command: string) => boolean;
}

const DEFAULT_PORT = 22;
const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk'];
const DEFAULT_KNOWN_HOSTS = ['known_hosts', 'known_hosts2'];

/** Tokens OpenSSH expands in each key (ssh_config(5), TOKENS). */
const HOSTNAME_TOKENS = '%h';
const PROXY_JUMP_TOKENS = '%hnpr';
const FILE_TOKENS = '%CdhijkLlnpru';
const PROXY_COMMAND_TOKENS = '%hnpr';
const MATCH_EXEC_TOKENS = '%CdhikLlnpru';

/**
 * Resolves every host of the tree to a Target. Precedence: deptool.json per host, then
 * ~/.ssh/config (first value wins, as in OpenSSH), then deptool.json defaults, then built-ins
 * (port 22, the local user, /etc/hostname = host dir name). Throws a ConfigError listing
 * every unusable ssh config value.
 */
export function resolveTargets(tree: ConfigTree, settings: ClusterSettings, options: ResolveOptions): ReadonlyMap<string, Target> {
  const sshPath = options.sshConfigPath ?? '~/.ssh/config';
  const { config, issues } = parseSshConfig(options.sshConfigText ?? '', sshPath);
  const targets = new Map<string, Target>();
  for (const host of tree.hosts.keys()) {
    const own = settings.hosts.get(host) ?? {};
    const defaults = settings.defaults;
    const alias = own.address ?? host;
    const transport = own.transport ?? defaults.transport ?? 'ssh';
    const expectedHostname = own.hostname ?? host;
    if (transport === 'local') {
      targets.set(host, {
        host,
        transport,
        alias,
        hostName: alias,
        port: own.port ?? defaults.port ?? DEFAULT_PORT,
        user: own.user ?? defaults.user ?? options.localUser,
        identityFiles: [],
        knownHostsFiles: [],
        proxyJump: null,
        expectedHostname,
      });
      continue;
    }
    targets.set(host, sshTarget(host, alias, expectedHostname, own, settings.defaults, config, sshPath, options, issues));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return targets;
}

type SshLookup = ReturnType<typeof parseSshConfig>['config'];

/** One host reached over ssh: deptool.json's own settings > ~/.ssh/config > cluster defaults > built-ins. */
function sshTarget(
  host: string,
  alias: string,
  expectedHostname: string,
  own: HostSettings,
  defaults: HostSettings,
  config: SshLookup,
  sshPath: string,
  options: ResolveOptions,
  issues: ConfigIssue[],
): Target {
  const expander = new Expander(host, sshPath, options, issues);
  const runExec = options.exec;
  const ssh = config.lookup(alias, {
    ...(own.user === undefined ? {} : { user: own.user }),
    localUser: options.localUser,
    ...(runExec === undefined
      ? {}
      : {
          exec: (command, state) => {
            const port = state.port ?? String(own.port ?? defaults.port ?? DEFAULT_PORT);
            const tokens = expander.fileTokens({ h: state.hostName, n: alias, k: alias, p: port, r: state.user, j: '' });
            return runExec(expander.expand('Match exec', command, MATCH_EXEC_TOKENS, tokens));
          },
        }),
  });
  const hostName = ssh.hostName === undefined ? alias : expander.expand('HostName', ssh.hostName, HOSTNAME_TOKENS, { h: alias });
  const port = own.port ?? sshPort(ssh, host, sshPath, issues) ?? defaults.port ?? DEFAULT_PORT;
  const user = own.user ?? ssh.user ?? defaults.user ?? options.localUser;
  const tokens: Record<string, string> = { h: hostName, n: alias, k: alias, p: String(port), r: user };
  const sshJump = ssh.proxyJump === undefined ? undefined : expander.expand('ProxyJump', ssh.proxyJump, PROXY_JUMP_TOKENS, tokens);
  // deptool.json's proxy_jump is the operator's explicit choice, over ssh config's ProxyCommand too.
  const sshCommand = own.proxyJump !== undefined || ssh.proxyCommand === undefined || ssh.proxyCommand === 'none' ? undefined : expander.expand('ProxyCommand', ssh.proxyCommand, PROXY_COMMAND_TOKENS, tokens);
  const jump = own.proxyJump ?? sshJump ?? (sshCommand === undefined ? defaults.proxyJump : undefined) ?? 'none';
  const proxyJump = jump === 'none' ? null : jump;
  tokens.j = proxyJump ?? '';
  const fileTokens = expander.fileTokens(tokens);
  const files = (key: string, values: readonly string[]) =>
    values.filter((value) => value !== 'none').map((value) => expander.expand(key, tilde(value, options.home), FILE_TOKENS, fileTokens, true));
  const identityFiles = files('IdentityFile', ssh.identityFiles);
  const knownHosts = ssh.userKnownHostsFiles ?? DEFAULT_KNOWN_HOSTS.map((name) => `~/.ssh/${name}`);
  const warnings = ssh.unhonoured.map((what) => `${sshPath}: ${what} (for host ${host})`);
  if (ssh.certificateFiles.some((file) => file !== 'none')) {
    warnings.push(
      `${sshPath}: CertificateFile ${ssh.certificateFiles.join(', ')}: not supported, as deptool's SSH library (ssh2) cannot authenticate with OpenSSH certificates; only plain keys are offered (for host ${host})`,
    );
  }
  const target: { -readonly [K in keyof Target]: Target[K] } = {
    host,
    transport: 'ssh',
    alias,
    hostName,
    port,
    user,
    identityFiles: identityFiles.length > 0 ? identityFiles : DEFAULT_IDENTITY_FILES.map((name) => `${options.home}/.ssh/${name}`),
    knownHostsFiles: files('UserKnownHostsFile', knownHosts),
    proxyJump,
    expectedHostname,
  };
  if (sshCommand !== undefined) target.proxyCommand = sshCommand;
  const agent = identityAgent(ssh.identityAgent, (value) => files('IdentityAgent', [value])[0], options, (what) => expander.problem('IdentityAgent', ssh.identityAgent ?? '', what, 'Set it, or give the socket path.'));
  if (agent !== undefined) target.identityAgent = agent;
  const timeout = ssh.connectTimeout === undefined ? undefined : connectTimeout(ssh.connectTimeout, host, sshPath, issues);
  if (timeout !== undefined) target.connectTimeout = timeout;
  if (warnings.length > 0) target.warnings = warnings;
  return target;
}

/** IdentityAgent: `none` -> null, `SSH_AUTH_SOCK` -> unset (the default), `$VAR` -> that variable, else a path. */
function identityAgent(value: string | undefined, path: (value: string) => string | undefined, options: ResolveOptions, problem: (what: string) => void): string | null | undefined {
  if (value === undefined || value === 'SSH_AUTH_SOCK') return undefined;
  if (value === 'none') return null;
  if (value.startsWith('$')) {
    const found = (options.env ?? process.env)[value.slice(1)];
    if (found === undefined) problem(`names the environment variable ${value.slice(1)}, which is not set`);
    return found;
  }
  return path(value);
}

/** OpenSSH's time format: `30`, `30s`, `1m30s`, ... (seconds when no unit is given). */
export function parseSshTime(value: string): number | undefined {
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  if (!/^(\d+[smhdw]?)+$/i.test(value)) return undefined;
  let total = 0;
  for (const match of value.matchAll(/(\d+)([smhdw]?)/gi)) total += Number(match[1]) * units[match[2].toLowerCase()];
  return total;
}

function connectTimeout(value: string, host: string, sshPath: string, issues: ConfigIssue[]): number | undefined {
  const seconds = parseSshTime(value);
  if (seconds !== undefined && seconds >= 1 && seconds <= 86400) return seconds;
  issues.push({
    path: sshPath,
    message: `ConnectTimeout ${JSON.stringify(value)} (for host ${host}) is not a time deptool can use`,
    hint: 'Give seconds from 1 to 86400 (e.g. 30, or 1m30s), or pass --connect-timeout.',
  });
  return undefined;
}

/**
 * Resolves one ProxyJump element (`[user@]host[:port]`, where host may be an ssh_config
 * alias) the way `ssh -J` does: through ~/.ssh/config, with the element's user and port winning.
 */
export function jumpResolver(options: ResolveOptions): (spec: string) => Target {
  const sshPath = options.sshConfigPath ?? '~/.ssh/config';
  const { config } = parseSshConfig(options.sshConfigText ?? '', sshPath);
  return (spec) => {
    const match = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?\/?$/.exec(spec);
    if (!match) throw new ConfigError([{ path: sshPath, message: `ProxyJump ${JSON.stringify(spec)} is not [user@]host[:port]`, hint: 'Fix proxy_jump in deptool.json or ProxyJump in ~/.ssh/config.' }]);
    const alias = match[2].replace(/^\[(.*)\]$/, '$1');
    const own: HostSettings = { ...(match[1] ? { user: match[1] } : {}), ...(match[3] ? { port: Number(match[3]) } : {}) };
    const issues: ConfigIssue[] = [];
    const target = sshTarget(alias, alias, alias, own, {}, config, sshPath, options, issues);
    if (issues.length > 0) throw new ConfigError(issues);
    return target;
  };
}

function sshPort(ssh: SshHostConfig, host: string, sshPath: string, issues: ConfigIssue[]): number | undefined {
  if (ssh.port === undefined) return undefined;
  const port = /^\d{1,5}$/.test(ssh.port) ? Number(ssh.port) : NaN;
  if (port >= 1 && port <= 65535) return port;
  issues.push({
    path: sshPath,
    message: `Port ${JSON.stringify(ssh.port)} (for host ${host}) is not a port number`,
    hint: 'Use a number from 1 to 65535, or set `port` for the host in deptool.json.',
  });
  return undefined;
}

function tilde(value: string, home: string): string {
  if (value === '~') return home;
  return value.startsWith('~/') ? `${home}/${value.slice(2)}` : value;
}

/** OpenSSH's %-token and ${VAR} expansion, recording an issue for anything it would refuse. */
class Expander {
  constructor(
    private readonly host: string,
    private readonly sshPath: string,
    private readonly options: ResolveOptions,
    private readonly issues: ConfigIssue[],
  ) {}

  fileTokens(tokens: Readonly<Record<string, string>>): Record<string, string> {
    const local = this.options.localHostname ?? osHostname();
    const hash = createHash('sha1').update(`${local}${tokens.h}${tokens.p}${tokens.r}${tokens.j}`).digest('hex');
    return {
      ...tokens,
      C: hash,
      d: this.options.home,
      i: String(process.getuid?.() ?? ''),
      L: local.split('.')[0] ?? local,
      l: local,
      u: this.options.localUser,
    };
  }

  expand(key: string, value: string, allowed: string, tokens: Readonly<Record<string, string>>, environment = false): string {
    return value.replace(/%(.?)|\$\{([^}]*)\}/g, (whole, token: string | undefined, variable: string | undefined) => {
      if (variable !== undefined) {
        if (!environment) return whole;
        const found = (this.options.env ?? process.env)[variable];
        if (found !== undefined) return found;
        this.problem(key, value, `uses the environment variable ${variable}, which is not set`, 'Set it, or write the path out.');
        return whole;
      }
      if (token === '%') return '%';
      if (token !== undefined && token !== '' && allowed.includes(token) && tokens[token] !== undefined) return tokens[token];
      this.problem(key, value, `uses ${whole === '%' ? 'a lone "%"' : `the token ${whole}`}, which OpenSSH does not expand in ${key}`, `Tokens allowed in ${key}: ${[...allowed].map((t) => `%${t}`).join(' ')}; write %% for a literal "%".`);
      return whole;
    });
  }

  problem(key: string, value: string, what: string, hint: string): void {
    this.issues.push({ path: this.sshPath, message: `${key} ${JSON.stringify(value)} (for host ${this.host}) ${what}`, hint });
  }
}
