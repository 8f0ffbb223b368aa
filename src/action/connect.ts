// How the Action reaches hosts: the private key from its input, held in memory only;
// host keys only from the known-hosts input; ssh_config from the ssh-config input.
import * as core from '@actions/core';
import { homedir } from 'node:os';
import { UsageError } from '../errors.js';
import { invocationFor, sshOptionsFor, type Connector } from '../deploy/connector.js';
import { parseKnownHosts } from '../transport/known-hosts.js';
import { connectLocal } from '../transport/local.js';
import { connectSsh } from '../transport/ssh.js';
import { jumpResolver, resolveTargets } from '../transport/targets.js';
import type { ClusterSettings } from '../tree/settings.js';
import type { ConfigTree } from '../tree/types.js';
import type { ActionInputs } from './inputs.js';

const KNOWN_HOSTS_NAME = 'the known-hosts input';

export function actionConnector(tree: ConfigTree, settings: ClusterSettings, inputs: ActionInputs, hosts: readonly string[]): Connector {
  const home = homedir();
  // The runner's own user ('runner') means nothing on a fleet: without a configured user, log in as root.
  const options = { sshConfigText: inputs.sshConfig, sshConfigPath: 'the ssh-config input', localUser: 'root', home, env: {} };
  const targets = resolveTargets(tree, settings, options);
  const remote = hosts.some((host) => targets.get(host)?.transport !== 'local');
  if (remote && inputs.sshPrivateKey.trim() === '') {
    throw new UsageError("Input 'ssh-private-key' is required to deploy: pass the deploy key from a secret (ssh-private-key: ${{ secrets.DEPTOOL_SSH_KEY }}).");
  }
  const parsed = parseKnownHosts(inputs.knownHosts, KNOWN_HOSTS_NAME);
  if (remote && parsed.entries.length === 0 && !inputs.acceptUnknownHostKeys) {
    throw new UsageError(
      "Input 'known-hosts' is required to deploy: every host key is checked against it.\n" +
        "Put the hosts' lines in a variable or secret (ssh-keyscan output, verified out of band) and pass it as known-hosts.",
    );
  }
  if (inputs.acceptUnknownHostKeys) {
    core.warning("accept-unknown-host-keys is on: hosts with no entry in known-hosts are trusted on first sight, so a machine answering in a host's place would be too. Add their lines to known-hosts and turn it off.", { title: 'Host keys are not fully verified' });
  }
  const auth = {
    privateKeys: remote ? [Buffer.from(inputs.sshPrivateKey.replace(/\r\n/g, '\n'), 'utf8')] : [],
    knownHosts: { files: [KNOWN_HOSTS_NAME], entries: parsed.entries, skipped: parsed.skipped },
    acceptUnknownHostKeys: inputs.acceptUnknownHostKeys,
  };
  for (const host of hosts) for (const warning of targets.get(host)?.warnings ?? []) core.warning(warning, { title: 'ssh-config option not honoured' });
  const resolveJump = jumpResolver(options);
  const sources = { settings: settings.connectTimeout ?? null, sshConfigPath: options.sshConfigPath };
  return {
    targets,
    connect: async (target) => {
      if (target.transport === 'local') return connectLocal();
      const connection = await connectSsh(target, auth, { ...sshOptionsFor(target, sources), resolveJump });
      for (const key of connection.acceptedHostKeys) {
        core.warning(`Trusted the unknown host key of ${key.hop} (${key.keyType} ${key.fingerprint}) because accept-unknown-host-keys is on. Add it to known-hosts:\n${key.knownHostsLine}`, { title: 'Unknown host key accepted' });
      }
      return connection;
    },
    invocation: (target) => invocationFor(target, null),
  };
}
