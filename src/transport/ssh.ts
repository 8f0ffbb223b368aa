// The SSH transport (ssh2, pure JS): strict host keys, key/agent auth, ProxyJump chains, exec and streaming channels.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { stat, readFile } from 'node:fs/promises';
import { Duplex, type Readable, type Writable } from 'node:stream';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, ClientChannel, ConnectConfig, ParsedKey } from 'ssh2';
import type { Channel, Connection, ExecOptions, ExecResult, ExitStatus } from './connection.js';
import { TransportError } from './connection.js';
import {
  checkHostKey,
  describeKey,
  entriesFor,
  fingerprint,
  hostKeyAlgorithms,
  keyscanType,
  knownHostsName,
  loadKnownHosts,
  type KnownHostEntry,
  type KnownHosts,
} from './known-hosts.js';
import { quoteArgv } from './quote.js';
import type { Target } from './targets.js';

const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;

export interface SshAuth {
  /** Private keys held in memory only (the Action's secret); never written to disk. Tried first. */
  readonly privateKeys?: readonly Buffer[];
  /** `--identity FILE`: replaces every target's identityFiles. */
  readonly identityFile?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK), tried after the in-memory keys; a target's IdentityAgent replaces it. */
  readonly agentSocket?: string;
  /**
   * Asks for the passphrase of an encrypted identity file that ssh-agent does not hold
   * (undefined: the user gave none). Absent where there is no terminal to ask on.
   */
  readonly askPassphrase?: (file: string) => Promise<string | undefined>;
  /**
   * Trust a host with no known_hosts entry at all (never one whose key differs). The
   * accepted keys are listed in `SshConnection.acceptedHostKeys` for the caller to warn about.
   */
  readonly acceptUnknownHostKeys?: boolean;
  /** Trusted host keys given as text (the Action's known-hosts input): replaces every hop's known_hosts files. */
  readonly knownHosts?: KnownHosts;
}

export interface SshConnectOptions {
  /** TCP connect (or ProxyCommand start) + SSH handshake + authentication, per hop. */
  readonly connectTimeoutMs: number;
  /** Which setting chose connectTimeoutMs and how to raise it, for the timeout's message. */
  readonly connectTimeoutHint?: string;
  /** SSH-level keepalive; the connection counts as lost after keepaliveCountMax unanswered ones. */
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  /**
   * Turns one ProxyJump element (`[user@]host[:port]` or an ssh_config alias) into a Target;
   * the caller applies ssh_config. Default: parseJumpSpec with the final target's user and files.
   */
  readonly resolveJump?: (spec: string) => Target;
}

/** A host key trusted only because of `acceptUnknownHostKeys`. */
export interface AcceptedHostKey {
  /** Which hop, e.g. `host01 (root@127.0.0.1:2201)`. */
  readonly hop: string;
  readonly keyType: string;
  readonly fingerprint: string;
  /** The line that would make it known: `[127.0.0.1]:2201 ssh-ed25519 AAAA...`. */
  readonly knownHostsLine: string;
}

export interface SshConnection extends Connection {
  readonly acceptedHostKeys: readonly AcceptedHostKey[];
}

/** Jump chains longer than this are a configuration loop (a jump host whose ProxyJump leads back). */
const MAX_HOPS = 8;
/** Back-off before retrying a refused channel open (see SshConnectionImpl.start); about 1 s in all. */
const OPEN_RETRY_DELAYS_MS = [10, 20, 50, 100, 200, 300, 400];
/** How long close() waits for a polite disconnect before destroying the sockets. */
const CLOSE_GRACE_MS = 2000;

/**
 * Connects to `target`, through its ProxyJump chain if any, verifying every hop's host key
 * against its known_hosts files. Rejects with a TransportError that names the hop and says
 * what to do.
 */
export async function connectSsh(target: Target, auth: SshAuth, options: SshConnectOptions): Promise<SshConnection> {
  const resolveJump = options.resolveJump ?? ((spec: string) => parseJumpSpec(spec, target));
  const hops = expandHops(target, resolveJump, 0);
  const memoryKeys = parseMemoryKeys(auth.privateKeys ?? []);
  const connected: Hop[] = [];
  const accepted: AcceptedHostKey[] = [];
  try {
    let sock: Duplex | undefined;
    for (const [index, hop] of hops.entries()) {
      const label = hopLabel(hop, target, index === hops.length - 1);
      const connectedHop = await connectHop(hop, label, sock, auth, memoryKeys, options, accepted);
      connected.push(connectedHop);
      const next = hops[index + 1];
      if (next) sock = await forward(connectedHop.client, label, next, target, options);
    }
  } catch (error) {
    for (const hop of connected.reverse()) hop.client.destroy();
    throw error;
  }
  return new SshConnectionImpl(describeTarget(target), connected, accepted);
}

/** `user@host:port`, the connection's public name. */
export function describeTarget(target: Pick<Target, 'user' | 'hostName' | 'port'>): string {
  const host = target.hostName.includes(':') ? `[${target.hostName}]` : target.hostName;
  return `${target.user}@${host}:${target.port}`;
}

function hopLabel(hop: Target, target: Target, final: boolean): string {
  const where = describeTarget(hop);
  if (final) return `${hop.host} (${where})`;
  return `jump host ${hop.alias === where ? where : `${hop.alias} (${where})`} on the way to ${target.host}`;
}

/**
 * Parses one ProxyJump element without ssh_config: `[user@]host[:port]`, `[v6addr]:port`
 * or `ssh://[user@]host[:port]`. Unset parts come from `defaults` (the final target), as
 * do its identity and known_hosts files.
 */
export function parseJumpSpec(spec: string, defaults: Target): Target {
  const text = spec.startsWith('ssh://') ? spec.slice('ssh://'.length).replace(/\/$/, '') : spec;
  const match = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(text);
  const port = match?.[3] === undefined ? 22 : Number(match[3]);
  if (!match || port < 1 || port > 65535) {
    throw new TransportError('unreachable', `ProxyJump ${JSON.stringify(spec)} for host ${defaults.host} is not [user@]host[:port]. Fix proxy_jump in deptool.json or ProxyJump in ~/.ssh/config.`);
  }
  const hostName = match[2].replace(/^\[(.*)\]$/, '$1');
  return {
    host: hostName,
    transport: 'ssh',
    alias: spec,
    hostName,
    port,
    user: match[1] ?? defaults.user,
    identityFiles: defaults.identityFiles,
    knownHostsFiles: defaults.knownHostsFiles,
    proxyJump: null,
    expectedHostname: hostName,
  };
}

/**
 * The hops to connect through, in order, ending with `target`. As with `ssh -J a,b`, b is
 * reached through a (b's own ProxyJump is ignored) while a may have a ProxyJump of its own.
 */
function expandHops(target: Target, resolveJump: (spec: string) => Target, depth: number): Target[] {
  if (target.proxyJump === null) return [target];
  const specs = target.proxyJump.split(',').map((spec) => spec.trim());
  if (specs.some((spec) => spec === '')) {
    throw new TransportError('unreachable', `ProxyJump ${JSON.stringify(target.proxyJump)} for host ${target.host} has an empty element.`);
  }
  const hops: Target[] = [];
  specs.forEach((spec, index) => {
    const jump = resolveJump(spec);
    if (index === 0) hops.push(...expandHops(jump, resolveJump, depth + 1));
    else hops.push({ ...jump, proxyJump: null });
  });
  hops.push(target);
  if (hops.length > MAX_HOPS || depth > MAX_HOPS) {
    throw new TransportError('unreachable', `ProxyJump for host ${target.host} leads through more than ${MAX_HOPS} hosts (${hops.map((hop) => hop.alias).join(' -> ')}); is there a loop in the ProxyJump settings?`);
  }
  return hops;
}

// --- credentials --------------------------------------------------------------------

interface AuthAttempt {
  /** What the user sees, e.g. `in-memory key 1 (ssh-ed25519 SHA256:...)`; never key material. */
  readonly label: string;
  /** How to offer it; unset when it is not offered at all. */
  method?: AnyAuthMethod;
  /** The public key blob, to skip a key offered twice (sshd's MaxAuthTries is only 6). */
  readonly publicKey?: Buffer;
  /** Why it was not offered, or what happened when it was. */
  outcome: string;
}

interface MemoryKey {
  readonly label: string;
  readonly key?: ParsedKey;
  readonly problem?: string;
}

function parseMemoryKeys(keys: readonly Buffer[]): MemoryKey[] {
  return keys.map((data, index) => {
    const name = `in-memory key ${index + 1}`;
    const parsed = parsePrivateKey(data);
    if ('problem' in parsed) return { label: name, problem: parsed.problem };
    return { label: `${name} (${keyLabel(parsed.key)})`, key: parsed.key };
  });
}

function keyLabel(key: ParsedKey): string {
  return `${key.type} ${fingerprint(key.getPublicSSH())}`;
}

/** ssh2's parser, with its verdict turned into a note that never quotes the key. */
function parsePrivateKey(data: Buffer, passphrase?: string): { key: ParsedKey } | { problem: string; encrypted?: true } {
  const parsed = utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    if (/passphrase/i.test(parsed.message)) {
      if (passphrase !== undefined) return { problem: 'skipped: the passphrase given for it is wrong' };
      return { problem: 'skipped: encrypted with a passphrase, and there is no terminal to ask for it; add it to ssh-agent (ssh-add) and run again', encrypted: true };
    }
    return { problem: `skipped: not a private key deptool can read (${parsed.message})` };
  }
  const key = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
  if (!key?.isPrivateKey()) return { problem: 'skipped: holds no private key (a .pub file?)' };
  return { key };
}

async function credentialsFor(hop: Target, auth: SshAuth, memoryKeys: readonly MemoryKey[]): Promise<AuthAttempt[]> {
  const username = hop.user;
  const attempts: AuthAttempt[] = [];
  for (const memory of memoryKeys) {
    if (memory.key) attempts.push({ label: memory.label, method: { type: 'publickey', username, key: memory.key }, publicKey: memory.key.getPublicSSH(), outcome: 'not offered' });
    else attempts.push({ label: memory.label, outcome: memory.problem ?? 'skipped' });
  }
  // IdentityAgent replaces SSH_AUTH_SOCK; `none` (null) turns the agent off.
  const agentSocket = hop.identityAgent === undefined ? auth.agentSocket : (hop.identityAgent ?? undefined);
  let agent: string | undefined;
  if (agentSocket !== undefined && agentSocket !== '') {
    const label = `ssh-agent at ${agentSocket}${hop.identityAgent ? ' (IdentityAgent)' : ''}`;
    const isSocket = await stat(agentSocket).then((info) => info.isSocket(), () => false);
    if (isSocket) {
      agent = agentSocket;
      attempts.push({ label, method: { type: 'agent', username, agent: agentSocket }, outcome: 'not offered' });
    } else attempts.push({ label, outcome: `skipped: no such socket (is the agent running, is ${hop.identityAgent ? 'IdentityAgent' : 'SSH_AUTH_SOCK'} current?)` });
  }
  const files = auth.identityFile === undefined ? hop.identityFiles : [auth.identityFile];
  const missing: string[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (auth.identityFile !== undefined) {
        throw new TransportError('auth', `Cannot read the identity file ${file} given with --identity: ${(error as Error).message}.`);
      }
      if (code === 'ENOENT' || code === 'ENOTDIR') missing.push(file);
      else attempts.push({ label: file, outcome: `skipped: cannot be read (${code ?? (error as Error).message})` });
      continue;
    }
    let parsed = parsePrivateKey(data);
    if ('encrypted' in parsed && auth.askPassphrase) {
      if (agent !== undefined && (await agentHolds(agent, file))) {
        attempts.push({ label: file, outcome: 'encrypted; ssh-agent holds it and offers it above' });
        continue;
      }
      const passphrase = await auth.askPassphrase(file);
      parsed = passphrase === undefined ? { problem: 'skipped: encrypted, and no passphrase was given' } : parsePrivateKey(data, passphrase);
    }
    if ('problem' in parsed) {
      attempts.push({ label: file, outcome: parsed.problem });
      continue;
    }
    attempts.push({ label: `${file} (${keyLabel(parsed.key)})`, method: { type: 'publickey', username, key: parsed.key }, publicKey: parsed.key.getPublicSSH(), outcome: 'not offered' });
  }
  if (missing.length > 0) attempts.push({ label: missing.join(', '), outcome: missing.length === 1 ? 'does not exist' : 'do not exist' });
  // The same key from two sources is offered once: each offer counts against MaxAuthTries.
  const seen: Buffer[] = [];
  for (const attempt of attempts) {
    if (!attempt.publicKey) continue;
    if (seen.some((key) => key.equals(attempt.publicKey!))) {
      attempt.method = undefined;
      attempt.outcome = 'skipped: the same key as one above';
    } else seen.push(attempt.publicKey);
  }
  return attempts;
}

/** Whether the agent holds the key of `file`, as OpenSSH tells by its `.pub` file; unknown counts as no. */
async function agentHolds(socket: string, file: string): Promise<boolean> {
  const pub = await readFile(`${file}.pub`).catch(() => undefined);
  const parsed = pub === undefined ? undefined : utils.parseKey(pub);
  if (parsed === undefined || parsed instanceof Error) return false;
  const wanted = (Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed)?.getPublicSSH();
  if (wanted === undefined) return false;
  return new Promise((resolve) => {
    new ssh2.OpenSSHAgent(socket).getIdentities((error, keys) => {
      resolve(!error && ((keys ?? []) as ParsedKey[]).some((key) => key.getPublicSSH().equals(wanted)));
    });
  });
}

function listAttempts(attempts: readonly AuthAttempt[]): string {
  return attempts.length === 0 ? '  (nothing: no in-memory key, no agent, no identity file)' : attempts.map((attempt) => `  - ${attempt.label}: ${attempt.outcome}`).join('\n');
}

// --- one hop --------------------------------------------------------------------------

async function connectHop(
  hop: Target,
  label: string,
  sock: Duplex | undefined,
  auth: SshAuth,
  memoryKeys: readonly MemoryKey[],
  options: SshConnectOptions,
  accepted: AcceptedHostKey[],
): Promise<Hop> {
  const proxyCommand = sock === undefined ? hop.proxyCommand : undefined;
  // A name that does not resolve is the first thing to report, before any credential
  // problem (and before asking for a passphrase); the jump host or ProxyCommand resolves it otherwise.
  if (sock === undefined && proxyCommand === undefined) await checkResolves(hop, label, options);
  const known = auth.knownHosts ?? (await loadKnownHosts(hop.knownHostsFiles));
  const entries = entriesFor(known, hop.hostName, hop.port);
  const attempts = await credentialsFor(hop, auth, memoryKeys);
  if (!attempts.some((attempt) => attempt.method)) {
    throw new TransportError('auth', `No usable SSH credentials for ${label}. Tried:\n${listAttempts(attempts)}\nProvide a key: --identity FILE, an IdentityFile in ~/.ssh/config, or a running ssh-agent.`);
  }
  const proxy = proxyCommand === undefined ? undefined : startProxyCommand(proxyCommand);

  return new Promise<Hop>((resolve, reject) => {
    const client = new Client();
    let hostKeyError: TransportError | undefined;
    let acceptedKey: AcceptedHostKey | undefined;
    let serverMethods: AuthenticationType[] | null = null;
    let current: AuthAttempt | undefined;
    let next = 0;
    /** Set once authHandler has nothing left to offer: ssh2's next auth error is the final one. */
    let exhausted = false;
    let settled = false;
    const fail = (error: TransportError) => {
      if (settled) return;
      settled = true;
      client.removeAllListeners();
      // Later errors (e.g. the socket closing) must not become uncaught exceptions.
      client.on('error', () => {});
      client.destroy();
      proxy?.stop();
      reject(error);
    };

    const hostVerifier = (key: Buffer): boolean => {
      const result = checkHostKey(entries, key);
      if (result.verdict === 'known') return true;
      if (result.verdict === 'unknown' && auth.acceptUnknownHostKeys) {
        const presented = describeKey(key);
        acceptedKey = { hop: label, ...presented, knownHostsLine: `${knownHostsName(hop.hostName, hop.port)} ${presented.keyType} ${key.toString('base64')}` };
        return true;
      }
      hostKeyError = hostKeyRefusal(result.verdict, hop, label, key, known, 'expected' in result ? result.expected : 'entry' in result ? [result.entry] : []);
      return false;
    };

    const authHandler = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, callback: (next: AnyAuthMethod | false) => void) => {
      if (current) current.outcome = current.method?.type === 'agent' ? 'none of its keys was accepted' : 'rejected by the server';
      current = undefined;
      if (methodsLeft !== null) serverMethods = methodsLeft;
      if (methodsLeft !== null && !methodsLeft.includes('publickey')) {
        exhausted = true;
        return callback(false);
      }
      while (next < attempts.length) {
        const attempt = attempts[next++];
        if (attempt.method) {
          current = attempt;
          attempt.outcome = 'offered';
          return callback(attempt.method);
        }
      }
      exhausted = true;
      callback(false);
    };

    const authFailure = (serverSaid?: string) => {
      // The server hung up while a key was on offer: it refused that one too.
      if (current?.outcome === 'offered') current.outcome = 'rejected by the server, which then hung up';
      const accepts = serverMethods === null ? '' : `\nThe server accepts: ${serverMethods.join(', ') || 'nothing'}.`;
      const said = serverSaid ? `\nThe server said: ${serverSaid}.` : '';
      return new TransportError(
        'auth',
        `Authentication as ${hop.user} failed on ${label}. Tried:\n${listAttempts(attempts)}${accepts}${said}\n` +
          `Add the public key of one of these to ~${hop.user}/.ssh/authorized_keys on the host, or point deptool at the right key (--identity FILE, IdentityFile in ~/.ssh/config, ssh-agent).`,
      );
    };

    client.on('error', (error: Error & { level?: string; code?: string | number; description?: string }) => {
      if (settled) return;
      const level = error.level;
      // ssh2 reports these (an agent that cannot be reached, a key that cannot sign) and
      // carries on with the next method.
      if (level === 'agent' || (level === 'client-authentication' && !exhausted)) {
        if (current) current.outcome = `failed: ${error.message}`;
        return;
      }
      if (hostKeyError) return fail(hostKeyError);
      if (level === 'client-authentication') return fail(authFailure());
      if (level === 'client-timeout') {
        const through = proxy ? ` through ProxyCommand \`${proxy.command}\`` : '';
        return fail(
          new TransportError(
            'timeout',
            `Timed out after ${seconds(options.connectTimeoutMs)} connecting to ${label}${through}${stageOf(current, serverMethods)}. Check that the address and port are right and the host is up. ${timeoutHint(options)}`,
          ),
        );
      }
      const failure = () => {
        if (level === 'client-socket' || level === 'client-dns') return socketError(error, hop, label);
        // A DISCONNECT from the server during authentication (e.g. MaxAuthTries) is an auth problem.
        if (current !== undefined || serverMethods !== null) return authFailure(error.message);
        return new TransportError('protocol', `SSH connection to ${label} failed: ${error.message}.`);
      };
      // A ProxyCommand that died is the cause of whatever ssh2 saw; its exit may still be on its way.
      if (proxy) return void proxy.ended().then(() => fail(proxy.exited ? proxy.failure(label) : failure()));
      fail(failure());
    });
    client.on('close', () => {
      if (hostKeyError) return fail(hostKeyError);
      // Its exit status and last words may still be on their way.
      if (proxy) return void proxy.ended().then(() => fail(proxy.failure(label)));
      fail(new TransportError('unreachable', `${label} closed the connection before SSH was ready${stageOf(current, serverMethods)}. Is an SSH server listening on port ${hop.port}, and does it accept this client (sshd MaxStartups, AllowUsers, tcp wrappers)?`));
    });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('error');
      client.removeAllListeners('close');
      // The command lives as long as the connection it carries.
      if (proxy) client.once('close', () => proxy.stop());
      if (acceptedKey) accepted.push(acceptedKey);
      // Synchronously, so no error or close after ready goes unheard.
      resolve(new Hop(client));
    });

    const config: ConnectConfig = {
      host: hop.hostName,
      port: hop.port,
      username: hop.user,
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax,
      hostVerifier,
      authHandler: authHandler as ConnectConfig['authHandler'],
      algorithms: { serverHostKey: hostKeyAlgorithms(entries) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
    };
    if (sock) config.sock = sock;
    else if (proxy) config.sock = proxy.sock;
    try {
      client.connect(config);
      // Every command is a few small packets each way; Nagle's algorithm against delayed
      // ACKs would add ~40 ms to each round trip (measured: exec of `true` 90 ms -> a few ms).
      client.setNoDelay(true);
    } catch (error) {
      fail(new TransportError('protocol', `Cannot start an SSH connection to ${label}: ${(error as Error).message}.`));
    }
  });
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function timeoutHint(options: SshConnectOptions): string {
  return options.connectTimeoutHint ?? 'For a slow link, raise the connect timeout.';
}

/** Looks the host name up as the connection will, within the connect timeout. */
async function checkResolves(hop: Target, label: string, options: SshConnectOptions): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.connectTimeoutMs);
  });
  try {
    const result = await Promise.race([lookup(hop.hostName).then(() => 'ok' as const), timeout]);
    if (result === 'timeout') {
      throw new TransportError('timeout', `Cannot resolve the host name ${hop.hostName} for ${label}: no answer from DNS within ${seconds(options.connectTimeoutMs)}. ${timeoutHint(options)}`);
    }
  } catch (error) {
    if (error instanceof TransportError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') throw socketError(error as Error & { code?: string }, hop, label);
    // Anything else is for the connection itself to report.
  } finally {
    clearTimeout(timer);
  }
}

interface ProxyProcess {
  readonly command: string;
  readonly sock: Duplex;
  readonly exited: boolean;
  /** Why the connection through it failed: its exit and the end of its stderr. */
  failure(label: string): TransportError;
  /** Resolves once it exited, or after a moment if it does not. */
  ended(): Promise<void>;
  stop(): void;
}

/** How much of a ProxyCommand's stderr is kept for the error message. */
const PROXY_STDERR_TAIL = 2000;
/** How long a failed connection waits for its ProxyCommand to exit, to report why. */
const PROXY_EXIT_GRACE_MS = 1000;

/** Runs a ProxyCommand as OpenSSH does (`sh -c`), its stdin and stdout being the connection. */
function startProxyCommand(command: string): ProxyProcess {
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let exit: string | undefined;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-PROXY_STDERR_TAIL);
  });
  child.on('error', (error) => {
    exit ??= `could not be started: ${error.message}`;
  });
  child.on('exit', (code, signal) => {
    exit ??= code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with status ${code}`;
  });
  // Writes after the command exited must not become uncaught errors; the close reports it.
  child.stdin.on('error', () => {});
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  sock.on('error', () => {});
  return {
    command,
    sock,
    get exited() {
      return exit !== undefined;
    },
    failure(label) {
      const said = stderr.trim() === '' ? '' : `\nIt said: ${stderr.trim()}`;
      return new TransportError(
        'unreachable',
        `ProxyCommand \`${command}\` for ${label} ${exit ?? 'closed the connection'} before SSH was ready.${said}\nRun the command by hand to check it; it must connect its stdin and stdout to the host's SSH port.`,
      );
    },
    ended() {
      if (exit !== undefined) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, PROXY_EXIT_GRACE_MS);
        child.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    stop() {
      if (exit === undefined) child.kill('SIGTERM');
    },
  };
}

function stageOf(current: AuthAttempt | undefined, serverMethods: AuthenticationType[] | null): string {
  if (current) return ` (while authenticating with ${current.label})`;
  return serverMethods === null ? '' : ' (during authentication)';
}

function socketError(error: Error & { code?: string | number }, hop: Target, label: string): TransportError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new TransportError('unreachable', `Connection refused by ${label}: nothing listens on port ${hop.port}. Is sshd running there, and are the address and port in deptool.json or ~/.ssh/config right?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TransportError('unreachable', `Cannot resolve the host name ${hop.hostName} for ${label} (${String(error.code)}). Check the spelling, HostName in ~/.ssh/config or address in deptool.json, and DNS.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new TransportError('unreachable', `No route to ${label} (${String(error.code)}). Is the host up and on a reachable network? A ProxyJump may be needed.`);
    case 'ETIMEDOUT':
      return new TransportError('timeout', `TCP connection to ${label} timed out. Is the host up, and does a firewall drop port ${hop.port}?`);
    default:
      return new TransportError('unreachable', `Network error talking to ${label}: ${error.message}.`);
  }
}

function hostKeyRefusal(
  verdict: 'unknown' | 'changed' | 'other-type' | 'revoked',
  hop: Target,
  label: string,
  key: Buffer,
  known: KnownHosts,
  expected: readonly KnownHostEntry[],
): TransportError {
  const { keyType, fingerprint: presented } = describeKey(key);
  const name = knownHostsName(hop.hostName, hop.port);
  const files = known.files.length === 0 ? '(no known_hosts file is configured: UserKnownHostsFile none)' : known.files.join(', ');
  const firstFile = known.files[0] ?? '~/.ssh/known_hosts';
  const where = (entries: readonly KnownHostEntry[]) => entries.map((entry) => `${entry.file}:${entry.line} (${entry.keyType} ${fingerprint(entry.key)})`).join(', ');
  const portFlag = hop.port === 22 ? '' : ` -p ${hop.port}`;
  const skipped = known.skipped.length === 0 ? '' : `\nNote: ${known.skipped.length} known_hosts line(s) could not be read and were ignored: ${known.skipped.slice(0, 3).map((line) => `${line.file}:${line.line} (${line.reason})`).join('; ')}.`;
  switch (verdict) {
    case 'unknown':
      return new TransportError(
        'host-key',
        `Host key of ${label} is not known: no entry for ${name} in ${files}.\n` +
          `The server presented this ${keyType} key: ${presented}\n` +
          `To trust it: verify that fingerprint out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${keyscanType(keyType)}_key.pub), then add the key:\n` +
          `  ssh-keyscan${portFlag} -t ${keyscanType(keyType)} ${hop.hostName} >> ${firstFile}\n` +
          `and check that \`ssh-keygen -lf ${firstFile}\` shows ${presented} for ${name}. (In the GitHub Action, add the line to the known-hosts input.)${skipped}`,
      );
    case 'revoked':
      return new TransportError(
        'host-key',
        `Host key of ${label} is REVOKED: the server presented ${keyType} ${presented}, which ${where(expected)} marks @revoked. Refusing to connect. The host must get a new key, or the address is answered by a machine that must not be trusted.`,
      );
    case 'changed':
      return new TransportError(
        'host-key',
        `HOST KEY MISMATCH for ${label}: the server presented ${keyType} ${presented}, but known_hosts expects ${where(expected)} for ${name}.\n` +
          `Someone may be intercepting the connection (man-in-the-middle attack), or the host was reinstalled. Refusing to connect.\n` +
          `If the change is expected, verify the new fingerprint out of band, then replace the old entry: ssh-keygen -R '${name}' -f ${expected[0]?.file ?? firstFile}, and add the new key.`,
      );
    case 'other-type':
      return new TransportError(
        'host-key',
        `Host key of ${label} cannot be verified: the server presented ${keyType} ${presented}, but known_hosts only has other key types for ${name}: ${where(expected)}.\n` +
          `The server may have lost its old key, or someone may be intercepting the connection. Refusing to connect. If the change is expected, verify the new fingerprint out of band and add the new key to ${expected[0]?.file ?? firstFile}.`,
      );
  }
}

/** Opens a direct-tcpip channel from `client` to the next hop (what `ssh -W` does for ProxyJump). */
function forward(client: Client, label: string, next: Target, target: Target, options: SshConnectOptions): Promise<Duplex> {
  const timeoutMs = options.connectTimeoutMs;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TransportError('timeout', `${label} did not open a forwarded connection to ${describeTarget(next)} within ${seconds(timeoutMs)} (for ${target.host}). ${timeoutHint(options)}`)),
      timeoutMs,
    );
    client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (error, stream) => {
      clearTimeout(timer);
      if (error) {
        reject(
          new TransportError(
            'unreachable',
            `${label} could not reach ${next.hostName} port ${next.port}: ${error.message}. ` +
              'Check that the next hop is up and reachable from the jump host, and that the jump host allows TCP forwarding (AllowTcpForwarding in its sshd_config).',
          ),
        );
      } else resolve(stream);
    });
  });
}

// --- the connection -------------------------------------------------------------------

/** A connected hop, with what happened to it since it became ready (nothing may go unheard). */
class Hop {
  closed = false;
  firstError: string | undefined;
  private readonly closeListeners: (() => void)[] = [];

  constructor(readonly client: Client) {
    client.on('error', (error: Error) => {
      this.firstError ??= error.message;
    });
    client.on('close', () => {
      this.closed = true;
      for (const listener of this.closeListeners.splice(0)) listener();
    });
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }
}

/** Something in flight that must fail when the connection goes away. */
interface Pending {
  fail(): void;
}

/** ssh2 only sends `signal` before our EOF, but sshd accepts it any time the command runs. */
function killRemote(stream: ClientChannel): void {
  const channel = stream as unknown as { outgoing?: { id?: number; state?: string }; _client?: { _protocol?: { signal(id: number, name: string): void } } };
  const id = channel.outgoing?.id;
  if (id === undefined || (channel.outgoing?.state !== 'open' && channel.outgoing?.state !== 'eof')) return;
  try {
    channel._client?._protocol?.signal(id, 'KILL');
  } catch {
    // Closing the channel below is the fallback.
  }
}

/**
 * Records a channel's exit status from the moment it opens. sshd's exit-status can arrive
 * in the same TCP read as the channel confirmation, so ssh2 emits 'exit' before any code
 * awaiting the new channel runs; a listener added after an await would miss it.
 */
class ExitWatch {
  status: ExitStatus | undefined;
  private readonly listeners: ((status: ExitStatus) => void)[] = [];

  constructor(stream: ClientChannel) {
    stream.once('exit', (code: number | null, signal?: string) => {
      this.status = { code: code ?? null, signal: signal ?? null };
      for (const listener of this.listeners.splice(0)) listener(this.status);
    });
  }

  onExit(listener: (status: ExitStatus) => void): void {
    if (this.status) listener(this.status);
    else this.listeners.push(listener);
  }
}

interface Started {
  readonly stream: ClientChannel;
  readonly exit: ExitWatch;
}

class SshConnectionImpl implements SshConnection {
  private readonly pending = new Set<Pending>();
  private lost: string | undefined;
  private closing = false;
  private readonly hops: Hop[];

  constructor(
    readonly description: string,
    /** Jump hosts first, the target last. */
    hops: Hop[],
    readonly acceptedHostKeys: readonly AcceptedHostKey[],
  ) {
    this.hops = hops;
    // Any hop going away takes the forwarded connections behind it down too.
    for (const hop of hops) hop.onClose(() => this.markLost(hop));
  }

  private markLost(hop: Hop): void {
    if (this.lost !== undefined) return;
    const cause = this.hops.map((each) => each.firstError).find((error) => error !== undefined);
    const which = hop === this.hops[this.hops.length - 1] ? '' : ' (a jump host connection ended)';
    this.lost = this.closing ? 'the connection was closed' : `the connection was lost${which}${cause ? `: ${cause}` : ''}`;
    for (const pending of [...this.pending]) pending.fail();
    this.pending.clear();
  }

  private lostError(argv: readonly string[], when: string): TransportError {
    const hint = this.closing ? '' : ' It may or may not have completed on the host.';
    return new TransportError('lost', `${this.description}: \`${argv[0]}\` ${when}, but ${this.lost ?? 'the connection was lost'}.${hint}`);
  }

  private get client(): Client {
    return this.hops[this.hops.length - 1].client;
  }

  /**
   * Opens an exec channel for argv. sshd frees a session slot one turn of its event loop
   * after the channel closes, so a channel opened right after others closed can be refused
   * under MaxSessions (default 10) although it fits; refusals are retried for a moment
   * before they count.
   */
  private async start(argv: readonly string[]): Promise<Started> {
    const command = quoteArgv(argv);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.openChannel(argv, command);
      } catch (error) {
        const refused = error instanceof TransportError && error.kind === 'protocol';
        if (!refused || attempt >= OPEN_RETRY_DELAYS_MS.length) throw error;
        await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_DELAYS_MS[attempt]));
      }
    }
  }

  private openChannel(argv: readonly string[], command: string): Promise<Started> {
    if (this.lost !== undefined) return Promise.reject(this.lostError(argv, 'could not start'));
    return new Promise((resolve, reject) => {
      const pending: Pending = { fail: () => reject(this.lostError(argv, 'was starting')) };
      this.pending.add(pending);
      try {
        this.client.exec(command, (error, stream) => {
          if (!this.pending.delete(pending)) {
            // Already failed because the connection went away; do not leak a late channel.
            if (!error) stream.close();
            return;
          }
          if (error) {
            reject(
              new TransportError(
                'protocol',
                `${this.description}: cannot run \`${argv[0]}\`: ${error.message}. The server refused a new session channel; sshd allows MaxSessions (default 10) at once per connection.`,
              ),
            );
            return;
          }
          // Synchronously, before anything else is parsed (see ExitWatch). Stream errors (e.g.
          // a write racing the channel's close) must not crash the process; the outcome is
          // decided by the exit status, the close, or the connection's loss.
          const exit = new ExitWatch(stream);
          stream.on('error', () => {});
          stream.stderr.on('error', () => {});
          resolve({ stream, exit });
        });
      } catch (error) {
        this.pending.delete(pending);
        reject(new TransportError('lost', `${this.description}: cannot run \`${argv[0]}\`: ${(error as Error).message}.`));
      }
    });
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { stream, exit } = await this.start(argv);
    return new Promise<ExecResult>((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let open = 2;
      let timer: NodeJS.Timeout | undefined;
      const input = options.stdin;
      const finish = (error?: Error) => {
        if (!this.pending.delete(pending)) return;
        clearTimeout(timer);
        if (input !== undefined && !Buffer.isBuffer(input)) input.unpipe(stream);
        if (error) {
          stream.close();
          reject(error);
        } else resolve({ ...(exit.status ?? { code: null, signal: null }), stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
      };
      const pending: Pending = { fail: () => finish(this.lostError(argv, 'was running')) };
      this.pending.add(pending);
      stream.on('data', (chunk: Buffer) => stdout.push(chunk));
      stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      // ssh2 emits the channel's close only after stdout ended; stderr ends on its own.
      const ended = () => {
        if (--open === 0) finish();
      };
      stream.on('close', ended);
      stream.stderr.on('end', ended);
      if (options.timeoutMs !== undefined) {
        const timeoutMs = options.timeoutMs;
        timer = setTimeout(() => {
          killRemote(stream);
          finish(
            new TransportError(
              'timeout',
              `${this.description}: \`${argv[0]}\` did not finish within ${timeoutMs} ms. deptool asked sshd to kill it and closed its channel; sshd refuses that for root logins, where it may run on until it ends by itself.`,
            ),
          );
        }, timeoutMs);
      }
      if (input === undefined) stream.end();
      else if (Buffer.isBuffer(input)) stream.end(input);
      else {
        // A failing source is the caller's error, passed on as it is.
        input.once('error', (error) => finish(error));
        input.pipe(stream);
      }
    });
  }

  async open(argv: readonly string[]): Promise<Channel> {
    const { stream, exit } = await this.start(argv);
    let settle!: { resolve(status: ExitStatus): void; reject(error: Error): void };
    const exited = new Promise<ExitStatus>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // The caller may never await `exited` (e.g. it closes the connection first).
    exited.catch(() => {});
    const pending: Pending = { fail: () => settle.reject(this.lostError(argv, 'was running')) };
    this.pending.add(pending);
    const done = (status: ExitStatus) => {
      if (this.pending.delete(pending)) settle.resolve(status);
    };
    // Resolve on exit, not on close: ssh2 emits close only once stdout was read to its end.
    exit.onExit(done);
    stream.on('close', () => done(exit.status ?? { code: null, signal: null }));
    return {
      stdout: stream,
      stderr: stream.stderr,
      write: (data) => {
        stream.write(data);
      },
      end: () => {
        stream.end();
      },
      inputDone: () => stream.writableFinished,
      exited,
    };
  }

  forward(host: string, port: number): Promise<Duplex> {
    const what = [`connect to ${host}:${port}`];
    if (this.lost !== undefined) return Promise.reject(this.lostError(what, 'could not start'));
    return new Promise((resolve, reject) => {
      const pending: Pending = { fail: () => reject(this.lostError(what, 'was starting')) };
      this.pending.add(pending);
      try {
        this.client.forwardOut('127.0.0.1', 0, host, port, (error, stream) => {
          if (!this.pending.delete(pending)) {
            if (!error) stream.destroy();
            return;
          }
          if (error) {
            reject(new TransportError('unreachable', `${this.description} cannot connect to ${host}:${port}: ${error.message.replace(/^\(SSH\) Channel open failure: /, '')}`));
            return;
          }
          // Errors after the open are the reader's (a reset); they must not crash the process.
          stream.on('error', () => {});
          resolve(stream);
        });
      } catch (error) {
        this.pending.delete(pending);
        reject(new TransportError('lost', `${this.description}: cannot connect to ${host}:${port}: ${(error as Error).message}.`));
      }
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    // The target first, then each jump host, which must still carry the target's goodbye.
    for (const hop of [...this.hops].reverse()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          hop.client.destroy();
          resolve();
        }, CLOSE_GRACE_MS);
        hop.onClose(() => {
          clearTimeout(timer);
          resolve();
        });
        if (!hop.closed) hop.client.end();
      });
    }
  }
}
