// The GitHub REST calls the Action makes, through the toolkit's Octokit: the sticky plan
// comment, and the pull request a pushed commit came from.
import { getOctokit } from '@actions/github';
import { UsageError } from '../errors.js';
import { parsePlanMarker } from '../render/markdown.js';
import type { RunContext } from './context.js';

/** The GITHUB_TOKEN is a GitHub App installation token: GET /user is forbidden to it, and what it posts is by this bot. */
export const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';

export interface Comment {
  readonly id: number;
  readonly body: string;
  readonly url: string;
}

export interface MergedPull {
  readonly number: number;
  readonly url: string;
}

/** The token may not do this (a fork PR's read-only token, or missing `permissions:`). */
export class ForbiddenError extends Error {}

function status(error: unknown): number | null {
  const value = (error as { status?: unknown } | null)?.status;
  return typeof value === 'number' ? value : null;
}

export class GitHubApi {
  private client: ReturnType<typeof getOctokit> | null = null;
  private login: Promise<string> | null = null;

  constructor(
    private readonly token: string,
    private readonly context: Pick<RunContext, 'owner' | 'repo' | 'apiUrl'>,
  ) {}

  /** Made on first use: a plan without a comment needs no token. */
  private get octokit(): ReturnType<typeof getOctokit> {
    if (this.token === '') throw new UsageError("Input 'github-token' is empty; it defaults to the workflow's token (github.token): remove the override or pass a token.");
    this.client ??= getOctokit(this.token, { baseUrl: this.context.apiUrl });
    return this.client;
  }

  private get repo(): { owner: string; repo: string } {
    return { owner: this.context.owner, repo: this.context.repo };
  }

  /** Who the token acts as: comments by anyone else are never touched. */
  identity(): Promise<string> {
    this.login ??= this.octokit.rest.users.getAuthenticated().then(
      (response) => response.data.login,
      (error: unknown) => {
        if (status(error) === 403 || status(error) === 401) return WORKFLOW_TOKEN_LOGIN;
        throw error;
      },
    );
    return this.login;
  }

  /** The newest comment of ours on the PR carrying the plan marker of `cluster`, across every page. */
  async findPlanComment(issue: number, cluster: string): Promise<Comment | null> {
    const login = await this.identity();
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...this.repo, issue_number: issue, per_page: 100 });
    let found: Comment | null = null;
    for (const comment of comments) {
      if (comment.user?.login !== login || comment.body === undefined) continue;
      if (parsePlanMarker(comment.body)?.cluster !== cluster) continue;
      if (found === null || comment.id > found.id) found = { id: comment.id, body: comment.body, url: comment.html_url };
    }
    return found;
  }

  async createComment(issue: number, body: string): Promise<Comment> {
    try {
      const { data } = await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: issue, body });
      return { id: data.id, body: data.body ?? body, url: data.html_url };
    } catch (error) {
      if (status(error) === 403) throw new ForbiddenError('the token may not comment on this pull request');
      throw error;
    }
  }

  async updateComment(id: number, body: string): Promise<Comment> {
    try {
      const { data } = await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: id, body });
      return { id: data.id, body: data.body ?? body, url: data.html_url };
    } catch (error) {
      if (status(error) === 403) throw new ForbiddenError('the token may not edit the plan comment');
      throw error;
    }
  }

  /** The merged pull request whose merge (or squash, or rebase) produced `sha`, if any. */
  async mergedPullFor(sha: string): Promise<MergedPull | null> {
    const { data } = await this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...this.repo, commit_sha: sha, per_page: 100 });
    const merged = data.filter((pull) => pull.merged_at !== null);
    const pull = merged.find((p) => p.merge_commit_sha === sha) ?? merged[0] ?? null;
    return pull === null ? null : { number: pull.number, url: pull.html_url };
  }
}
