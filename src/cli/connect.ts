// How the CLI reaches each host: resolves targets from deptool.json and ~/.ssh/config,
// and picks the transport and the agent invocation (sudo, sandbox root) per host.
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { SSH_TIMEOUTS, invocationFor, type Connector } from '../deploy/connector.js';
import { connectLocal } from '../transport/local.js';
import { connectSsh } from '../transport/ssh.js';
import { readSshConfig } from '../transport/ssh-config.js';
import { jumpResolver, resolveTargets } from '../transport/targets.js';
import type { Planned } from './context.js';
import type { Io } from './io.js';

export interface ConnectOptions {
  readonly identity?: string;
  /** Sandbox root for local-transport hosts. */
  readonly root?: string;
  /** The hosts that will be contacted (all must be local when `root` is given). */
  readonly hosts: readonly string[];
}

export async function connector(io: Io, cluster: Pick<Planned, 'tree' | 'settings'>, options: ConnectOptions): Promise<Connector> {
  const home = io.env.HOME ?? homedir();
  const sshConfigText = await readSshConfig(join(home, '.ssh', 'config'), home);
  const resolveOptions = { sshConfigText, localUser: userInfo().username, home, env: io.env };
  const targets = resolveTargets(cluster.tree, cluster.settings, resolveOptions);
  const resolveJump = jumpResolver(resolveOptions);
  const root = options.root === undefined ? null : resolve(io.cwd, options.root);
  if (root !== null) {
    const remote = options.hosts.filter((host) => targets.get(host)?.transport !== 'local');
    if (remote.length > 0) {
      throw new UsageError(`--root only applies to hosts with "transport": "local" in deptool.json; ${remote.join(', ')} ${remote.length === 1 ? 'uses' : 'use'} ssh.\nUse --limit to pick local hosts.`);
    }
  }
  const identityFile = options.identity === undefined ? undefined : resolve(io.cwd, options.identity);
  return {
    targets,
    connect: (target) =>
      target.transport === 'local' ? Promise.resolve(connectLocal()) : connectSsh(target, { identityFile, agentSocket: io.env.SSH_AUTH_SOCK }, { ...SSH_TIMEOUTS, resolveJump }),
    invocation: (target) => invocationFor(target, root),
  };
}
