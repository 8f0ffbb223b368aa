// The Action's store lives as a branch of the user's repository: fetched into a private
// store repository at the start of a run, and pushed back at the end. Two runs racing to
// push both land: a rejected push is fetched, the attempt rebuilt on the new tip (hosts
// are disjoint, as for concurrent local records), and pushed again.
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationError } from '../errors.js';
import { execGit } from './git.js';
import type { Store } from './store.js';
import type { Attempt } from './types.js';

export interface RemoteBranch {
  /** Anything `git fetch` takes: a URL or a path. */
  readonly url: string;
  /** Branch name, e.g. `deptool/store`. */
  readonly branch: string;
  /**
   * Extra environment for git, e.g. GIT_CONFIG_COUNT/KEY/VALUE carrying an auth header:
   * kept out of the command line, where other processes could read it.
   */
  readonly env?: NodeJS.ProcessEnv;
}

export interface Published {
  readonly commit: string;
  /** Pushes it took; more than one means another run pushed first and the attempt was rebuilt on its result. */
  readonly tries: number;
}

const PUSH_TRIES = 8;
const UNMOVED_TRIES = 3;

async function git(store: Store, remote: RemoteBranch, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await execGit(store.gitDir, args, { env: { GIT_TERMINAL_PROMPT: '0', ...remote.env } });
  return { code: result.code, stdout: result.stdout.toString('utf8'), stderr: result.error?.message ?? '' };
}

function where(remote: RemoteBranch): string {
  return `branch '${remote.branch}' of ${remote.url}`;
}

/** The remote branch's tip, or null when the branch does not exist yet. */
export async function remoteTip(store: Store, remote: RemoteBranch): Promise<string | null> {
  const result = await git(store, remote, ['ls-remote', '--exit-code', '--', remote.url, `refs/heads/${remote.branch}`]);
  // ls-remote --exit-code exits 2 when the remote has no such ref.
  if (result.code === 2) return null;
  if (result.code !== 0) throw new OperationError(`Cannot read the store ${where(remote)}: ${result.stderr}\nCheck the repository URL and that the token may read it (permissions: contents: read).`);
  const oid = result.stdout.split('\t')[0];
  if (!/^[0-9a-f]{40}$/.test(oid)) throw new OperationError(`Unexpected answer from git ls-remote for the store ${where(remote)}: '${result.stdout.trim()}'.`);
  return oid;
}

/**
 * Makes `localRef` the remote branch's tip (creating it, moving it, or deleting it when
 * the branch does not exist) and returns that tip. Commits made locally and not yet pushed
 * stay in the object store: publish() rebuilds them.
 */
export async function fetchStore(store: Store, remote: RemoteBranch, localRef: string): Promise<string | null> {
  const tip = await remoteTip(store, remote);
  if (tip === null) {
    await git(store, remote, ['update-ref', '-d', localRef]);
    return null;
  }
  const result = await git(store, remote, ['fetch', '--no-tags', '--no-write-fetch-head', '--quiet', '--', remote.url, `+${tip}:${localRef}`]);
  if (result.code !== 0) {
    // Servers that refuse fetching by id (uploadpack.allowReachableSHA1InWant off) get the branch by name.
    const byName = await git(store, remote, ['fetch', '--no-tags', '--no-write-fetch-head', '--quiet', '--', remote.url, `+refs/heads/${remote.branch}:${localRef}`]);
    if (byName.code !== 0) throw new OperationError(`Cannot fetch the store ${where(remote)}: ${byName.stderr}`);
    const resolved = await git(store, remote, ['rev-parse', '--verify', `${localRef}^{commit}`]);
    return resolved.stdout.trim();
  }
  return tip;
}

/**
 * Fails unless the remote would accept a push to the branch, checked with a push of its
 * own tip (a no-op): a deploy must not change hosts that it then cannot record. A branch
 * that does not exist yet cannot be checked this way; its first push creates it.
 */
export async function checkPushAccess(store: Store, remote: RemoteBranch, tip: string | null): Promise<void> {
  if (tip === null) return;
  const result = await git(store, remote, ['push', '--dry-run', '--porcelain', '--quiet', '--', remote.url, `${tip}:refs/heads/${remote.branch}`]);
  if (result.code !== 0) {
    throw new OperationError(`Cannot push to the store ${where(remote)}, so no host was changed: ${result.stderr}\nGive the workflow 'contents: write' and allow it to push that branch.`);
  }
}

/**
 * Records the attempt on `attempt.ref` (which fetchStore made the remote tip) and pushes
 * it as the remote branch's new tip, fast-forward only. When another run pushed first,
 * fetches its result and rebuilds the attempt on top, so neither run's results are lost.
 */
export async function publish(store: Store, remote: RemoteBranch, attempt: Attempt): Promise<Published> {
  let lastError = '';
  let unmoved = 0;
  let base = await store.tip(attempt.ref);
  let commit = await store.recordAttempt(attempt);
  for (let tries = 1; tries <= PUSH_TRIES; tries++) {
    const pushed = await git(store, remote, ['push', '--porcelain', '--quiet', '--', remote.url, `${commit}:refs/heads/${remote.branch}`]);
    if (pushed.code === 0) return { commit, tries };
    lastError = pushed.stderr;
    const now = await remoteTip(store, remote);
    if (now === base) {
      // Unmoved, the push failed for another reason (permissions, protection), unless a racing
      // push held the remote's ref lock and had not finished yet: only repeated refusals count.
      if (++unmoved === UNMOVED_TRIES) {
        throw new OperationError(`Cannot push the store ${where(remote)}: ${pushed.stderr}\nThe deploy's record is commit ${commit} in ${store.dir}. Give the workflow 'contents: write' and allow it to push that branch.`);
      }
    } else {
      base = await fetchStore(store, remote, attempt.ref);
      commit = await store.recordAttempt(attempt);
    }
    await sleep(50 * tries + Math.random() * 100);
  }
  throw new OperationError(`Cannot push the store ${where(remote)} after ${PUSH_TRIES} tries; other runs kept pushing first. Last error: ${lastError}`);
}
