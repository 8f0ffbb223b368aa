// What the runner tells the Action about its run: the toolkit's context (event, payload,
// repository, run), plus the directories the Action works in and what it derives for itself.
import { context as github } from '@actions/github';
import { UsageError } from '../errors.js';

export interface PullRequestRef {
  readonly number: number;
  /** The PR comes from another repository: its token cannot write to this one. */
  readonly fromFork: boolean;
}

export interface RunContext {
  readonly eventName: string;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly ref: string;
  readonly actor: string;
  readonly workspace: string;
  /** Scratch space that outlives no job (RUNNER_TEMP). */
  readonly tempDir: string;
  readonly serverUrl: string;
  readonly apiUrl: string;
  readonly runUrl: string;
  /** The pull request of a pull_request event. */
  readonly pullRequest: PullRequestRef | null;
  readonly defaultBranch: string | null;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new UsageError(`${name} is not set: deptool's Action runs inside a GitHub Actions job, which sets it.`);
  return value;
}

export function readContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const workspace = required(env, 'GITHUB_WORKSPACE');
  const tempDir = required(env, 'RUNNER_TEMP');
  for (const name of ['GITHUB_EVENT_NAME', 'GITHUB_EVENT_PATH', 'GITHUB_REPOSITORY']) required(env, name);
  const { owner, repo } = github.repo;
  const attempt = github.runAttempt > 1 ? `/attempts/${github.runAttempt}` : '';
  const pr = github.payload.pull_request;
  const base = (pr?.base as { repo?: { full_name?: string } } | undefined)?.repo?.full_name ?? `${owner}/${repo}`;
  const head = (pr?.head as { repo?: { full_name?: string } | null } | undefined)?.repo?.full_name ?? null;
  const defaultBranch: unknown = github.payload.repository?.default_branch;
  return {
    eventName: github.eventName,
    owner,
    repo,
    sha: github.sha,
    ref: github.ref,
    actor: github.actor || 'github-actions',
    workspace,
    tempDir,
    serverUrl: github.serverUrl,
    apiUrl: github.apiUrl,
    runUrl: `${github.serverUrl}/${owner}/${repo}/actions/runs/${github.runId}${attempt}`,
    pullRequest: pr ? { number: pr.number, fromFork: head !== base } : null,
    defaultBranch: typeof defaultBranch === 'string' ? defaultBranch : null,
  };
}
