// The Action's view of the store: a private repository in RUNNER_TEMP that mirrors the
// store branch of the user's repository, fetched at the start and pushed at the end.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as core from '@actions/core';
import { fetchStore, type RemoteBranch } from '../store/remote.js';
import { Store } from '../store/store.js';
import type { RunContext } from './context.js';
import type { ActionInputs } from './inputs.js';

export interface ActionStore {
  readonly store: Store;
  readonly remote: RemoteBranch;
  readonly ref: string;
  /** The store branch's tip when fetched; null when it does not exist yet. */
  readonly base: string | null;
}

/** Where actions/checkout cloned from; the repository's URL when the workspace is no checkout. */
async function repositoryUrl(context: RunContext): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('git', ['-C', context.workspace, 'remote', 'get-url', 'origin']);
    if (stdout.trim() !== '') return stdout.trim();
  } catch {
    // Not a checkout: fall through to the repository's own URL.
  }
  return `${context.serverUrl}/${context.owner}/${context.repo}.git`;
}

/**
 * The token as an HTTP header for git, scoped to the repository's server and passed in
 * the environment (GIT_CONFIG_*), never on a command line. Independent of whether
 * actions/checkout persisted its credentials.
 */
function authEnv(url: string, token: string): NodeJS.ProcessEnv {
  if (token === '' || !/^https?:\/\//.test(url)) return {};
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  core.setSecret(basic);
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.${new URL(url).origin}/.extraheader`, GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}` };
}

export async function openActionStore(context: RunContext, inputs: ActionInputs): Promise<ActionStore> {
  const store = await Store.init(join(context.tempDir, 'deptool-store'));
  const url = await repositoryUrl(context);
  const remote: RemoteBranch = { url, branch: inputs.storeBranch, env: authEnv(url, inputs.githubToken) };
  const ref = `refs/heads/${inputs.storeBranch}`;
  const base = await fetchStore(store, remote, ref);
  return { store, remote, ref, base };
}
