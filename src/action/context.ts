// What the runner tells the Action about its run: the event, the repository and where to
// write, read from the environment exactly as a GitHub runner sets it.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

export interface PullRequestRef {
  readonly number: number;
  /** The PR comes from another repository: its token cannot write to this one. */
  readonly fromFork: boolean;
  readonly url: string;
}

export interface RunContext {
  readonly eventName: string;
  readonly payload: Record<string, unknown>;
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

function object(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function fullName(repoObject: unknown): string | null {
  const name = object(repoObject)?.full_name;
  return typeof name === 'string' ? name : null;
}

export function readContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const eventPath = required(env, 'GITHUB_EVENT_PATH');
  let payload: Record<string, unknown>;
  try {
    payload = object(JSON.parse(readFileSync(eventPath, 'utf8'))) ?? {};
  } catch (error) {
    throw new UsageError(`Cannot read the event payload ${eventPath}: ${(error as Error).message}.`);
  }
  const [owner, repo] = required(env, 'GITHUB_REPOSITORY').split('/');
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const runId = required(env, 'GITHUB_RUN_ID');
  const attempt = env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
  const pr = object(payload.pull_request);
  let pullRequest: PullRequestRef | null = null;
  if (pr && typeof pr.number === 'number') {
    const head = fullName(object(pr.head)?.repo);
    const base = fullName(object(pr.base)?.repo) ?? `${owner}/${repo}`;
    pullRequest = { number: pr.number, fromFork: head !== base, url: typeof pr.html_url === 'string' ? pr.html_url : `${serverUrl}/${owner}/${repo}/pull/${pr.number}` };
  }
  const defaultBranch = object(payload.repository)?.default_branch;
  return {
    eventName: required(env, 'GITHUB_EVENT_NAME'),
    payload,
    owner,
    repo,
    sha: required(env, 'GITHUB_SHA'),
    ref: env.GITHUB_REF ?? '',
    actor: env.GITHUB_ACTOR ?? 'github-actions',
    workspace: required(env, 'GITHUB_WORKSPACE'),
    tempDir: required(env, 'RUNNER_TEMP'),
    serverUrl,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${attempt}`,
    pullRequest,
    defaultBranch: typeof defaultBranch === 'string' ? defaultBranch : null,
  };
}
