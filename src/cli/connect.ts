// How the CLI reaches each host: resolves targets from deptool.json and ~/.ssh/config,
// and picks the transport and the agent invocation (sudo, sandbox root) per host.
import { spawnSync } from 'node:child_process';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { invocationFor, sshOptionsFor, type Connector } from '../deploy/connector.js';
import { connectLocal } from '../transport/local.js';
import { connectSsh } from '../transport/ssh.js';
import { readSshConfig } from '../transport/ssh-config.js';
import { jumpResolver, resolveTargets } from '../transport/targets.js';
import type { Planned } from './context.js';
import type { Io } from './io.js';

const MAX_CONNECT_TIMEOUT = 3600;

export interface ConnectOptions {
  readonly identity?: string;
  /** Sandbox root for local-transport hosts. */
  readonly root?: string;
  /** The hosts that will be contacted (all must be local when `root` is given). */
  readonly hosts: readonly string[];
  /** `--connect-timeout` as given, unchecked. */
  readonly connectTimeout?: unknown;
}

export async function connector(io: Io, cluster: Pick<Planned, 'tree' | 'settings'>, options: ConnectOptions): Promise<Connector> {
  const connectTimeout = connectTimeoutFlag(options.connectTimeout);
  const home = io.env.HOME ?? homedir();
  const sshConfigPath = join(home, '.ssh', 'config');
  const sshConfigText = await readSshConfig(sshConfigPath, home);
  // `Match exec` runs as in OpenSSH: the operator's own config, the operator's own shell.
  const exec = (command: string) => spawnSync(io.env.SHELL || '/bin/sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'], env: io.env, cwd: io.cwd }).status === 0;
  const resolveOptions = { sshConfigText, localUser: userInfo().username, home, env: io.env, exec };
  const targets = resolveTargets(cluster.tree, cluster.settings, resolveOptions);
  const resolveHop = jumpResolver(resolveOptions);
  const root = options.root === undefined ? null : resolve(io.cwd, options.root);
  if (root !== null) {
    const remote = options.hosts.filter((host) => targets.get(host)?.transport !== 'local');
    if (remote.length > 0) {
      throw new UsageError(`--root only applies to hosts with "transport": "local" in deptool.json; ${remote.join(', ')} ${remote.length === 1 ? 'uses' : 'use'} ssh.\nUse --limit to pick local hosts.`);
    }
  }
  const warned = new Set<string>();
  const warn = (warnings: readonly string[] = []) => {
    for (const warning of warnings) {
      if (warned.has(warning)) continue;
      warned.add(warning);
      io.stderr.write(`warning: ${warning}\n`);
    }
  };
  for (const host of options.hosts) warn(targets.get(host)?.warnings);
  // Jump hosts are resolved as they are reached; what ssh config asks of them is heard too.
  const resolveJump = (spec: string) => {
    const hop = resolveHop(spec);
    warn(hop.warnings);
    return hop;
  };
  const identityFile = options.identity === undefined ? undefined : resolve(io.cwd, options.identity);
  const askPassphrase = io.stdin.isTTY === true && typeof (io.stdin as { setRawMode?: unknown }).setRawMode === 'function' ? passphrasePrompter(io) : undefined;
  const auth = { identityFile, agentSocket: io.env.SSH_AUTH_SOCK, ...(askPassphrase ? { askPassphrase } : {}) };
  const sources = { flagName: '--connect-timeout', ...(connectTimeout === undefined ? {} : { flag: connectTimeout }), settings: cluster.settings.connectTimeout ?? null, sshConfigPath: '~/.ssh/config' };
  return {
    targets,
    connect: (target) => (target.transport === 'local' ? Promise.resolve(connectLocal()) : connectSsh(target, auth, { ...sshOptionsFor(target, sources), resolveJump })),
    invocation: (target) => invocationFor(target, root),
  };
}

function connectTimeoutFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (seconds >= 1 && seconds <= MAX_CONNECT_TIMEOUT) return seconds;
  throw new UsageError(`--connect-timeout takes a whole number of seconds from 1 to ${MAX_CONNECT_TIMEOUT}, not '${typeof value === 'string' ? value : JSON.stringify(value)}'.`);
}

/**
 * Asks on the terminal, without echo, for the passphrase of each key file once: hosts
 * connect in parallel, so the questions queue and an answer serves every host.
 */
function passphrasePrompter(io: Io): (file: string) => Promise<string | undefined> {
  const answers = new Map<string, Promise<string | undefined>>();
  let queue: Promise<unknown> = Promise.resolve();
  return (file) => {
    let answer = answers.get(file);
    if (answer === undefined) {
      answer = queue.then(() => readSecret(io, `Enter passphrase for key '${file}': `));
      queue = answer.catch(() => undefined);
      answers.set(file, answer);
    }
    return answer;
  };
}

/** One line from the terminal in raw mode, not echoed; Ctrl-C or Ctrl-D gives up (undefined). */
function readSecret(io: Io, prompt: string): Promise<string | undefined> {
  const input = io.stdin as Io['stdin'] & { setRawMode(raw: boolean): void };
  io.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve) => {
    let text = '';
    const finish = (result: string | undefined) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      io.stderr.write('\n');
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(text);
        if (char === '\u0003' || char === '\u0004') return finish(undefined);
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else if (char === '\u0015') text = '';
        else text += char;
      }
    };
    input.on('data', onData);
  });
}
