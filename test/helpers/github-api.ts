// A local stand-in for api.github.com, for tests of the GitHub Action. Every request it receives and every
// response it sends is checked against GitHub's published OpenAPI description (@octokit/openapi), so a test
// passes only if the Action's calls, and this helper's fixtures, are what the real API accepts and returns.
// Failures are not thrown (the Action runs in another process): they are collected in `violations`.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** GitHub's documented limit on an issue comment's body, counted in characters (code points). */
export const MAX_COMMENT_LENGTH = 65536;

export interface TokenIdentity {
  readonly login: string;
  readonly type: 'User' | 'Bot';
  /** Issues/pull-requests write; false is what a workflow triggered from a fork gets. */
  readonly canWrite: boolean;
  /** Whether GET /user works: a PAT can, an installation token (GITHUB_TOKEN) gets 403. */
  readonly canReadUser: boolean;
  readonly id?: number;
}

export interface Violation {
  readonly kind: 'unknown-operation' | 'unsupported' | 'auth' | 'request' | 'response' | 'github-limit' | 'internal';
  readonly method: string;
  readonly path: string;
  readonly message: string;
  readonly errors?: readonly ErrorObject[];
}

export interface RecordedRequest {
  readonly method: string;
  /** The path as requested, e.g. /repositories/186853002/issues/1/comments when following a Link. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly bodyText: string;
  readonly body: unknown;
  /** The matched OpenAPI operation, e.g. 'issues/create-comment'. */
  operationId?: string;
  response?: { status: number; headers: Record<string, string>; bodyText: string };
}

export interface StoredComment {
  readonly id: number;
  readonly issueNumber: number;
  readonly body: string;
  readonly login: string;
  readonly userType: 'User' | 'Bot';
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PullSpec {
  readonly number: number;
  readonly headSha: string;
  readonly mergeCommitSha?: string | null;
  readonly state?: 'open' | 'closed';
  readonly merged?: boolean;
  readonly title?: string;
  readonly body?: string | null;
  readonly login?: string;
  readonly headRef?: string;
  readonly baseRef?: string;
  readonly baseSha?: string;
  /** 'owner/name' of the head repository when the PR comes from a fork. */
  readonly headRepo?: string;
  /** Further commits whose commits/{sha}/pulls lists this PR (head and merge commit always do). */
  readonly commitShas?: readonly string[];
}

export interface GitHubApiOptions {
  readonly tokens: Readonly<Record<string, TokenIdentity>>;
  /** 'owner/name'; default Codertocat/Hello-World (the webhook examples' repository). */
  readonly repo?: string;
  readonly repoId?: number;
  readonly now?: () => Date;
  /** Test hook: replaces a response body before it is validated and sent, to prove validation can fail. */
  readonly tamperResponse?: (operationId: string, status: number, body: unknown) => unknown;
}

export interface GitHubApi {
  readonly url: string;
  readonly repo: { readonly owner: string; readonly name: string; readonly id: number };
  readonly violations: Violation[];
  readonly requests: RecordedRequest[];
  addComment(issueNumber: number, comment: { body: string; login?: string; type?: 'User' | 'Bot'; createdAt?: Date }): StoredComment;
  comments(issueNumber: number): StoredComment[];
  addPull(pull: PullSpec): void;
  /** Fails with every violation listed, for the end of a test. */
  assertNoViolations(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// The OpenAPI description: parsed once per process, schemas converted and compiled per operation on first use.
// The $ref form (13 MB) is used, not the dereferenced one (73 MB, ~20x slower to parse).

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const asObj = (value: unknown): Obj => (isObj(value) ? value : {});

interface Operation {
  readonly id: string;
  readonly method: string;
  readonly template: string;
  readonly docUrl: string;
  readonly raw: Obj;
}
interface Route {
  readonly regex: RegExp;
  readonly names: readonly string[];
  readonly literals: number;
  readonly operation: Operation;
}
interface CompiledOperation {
  readonly params: ValidateFunction;
  readonly paramTypes: ReadonlyMap<string, unknown>;
  readonly body: ValidateFunction | undefined;
  readonly bodyRequired: boolean;
  readonly responses: Map<number, ValidateFunction | null | undefined>;
}

const SCHEMA_BASE = 'https://deptool.test/github-openapi/';
// Annotations ajv need not see; discriminator is dropped because oneOf alone decides (and ajv's needs options).
const DROPPED_KEYWORDS = new Set(['example', 'examples', 'description', 'title', 'discriminator', 'deprecated', 'readOnly', 'writeOnly', 'externalDocs']);
// Ajv's own `format` set is in ajv-formats, which we do not take; these are the formats the operations use.
const STRING_FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (value) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value)),
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)),
  uri: (value) => URL.canParse(value),
  email: (value) => /^[^\s@]+@[^\s@]+$/.test(value),
};
const NUMBER_FORMATS: Record<string, (value: number) => boolean> = {
  int64: Number.isSafeInteger,
  int32: (value) => (value | 0) === value,
};

class Description {
  readonly routes: Route[];
  // strict: false because OpenAPI 3.0 is not JSON Schema: unknown keywords are ignored, not errors.
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly components = new Set<string>();
  private readonly compiled = new Map<Operation, CompiledOperation>();
  readonly basicError: ValidateFunction;

  constructor(private readonly doc: Obj) {
    for (const [name, validate] of Object.entries(STRING_FORMATS)) this.ajv.addFormat(name, { type: 'string', validate });
    for (const [name, validate] of Object.entries(NUMBER_FORMATS)) this.ajv.addFormat(name, { type: 'number', validate });
    // One route per operation: whether {ref} may span segments (x-multi-segment) depends on the operation.
    this.routes = Object.entries(asObj(doc.paths)).flatMap(([template, item]) =>
      Object.entries(asObj(item)).flatMap(([method, raw]) => {
        if (!isObj(raw) || typeof raw.operationId !== 'string') return [];
        const parameters = ((raw.parameters as unknown[] | undefined) ?? []).map((p) => this.deref(p));
        const multi = new Set(parameters.filter((p) => p['x-multi-segment'] === true).map((p) => p.name));
        const names: string[] = [];
        const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
          names.push(name);
          return multi.has(name) ? '(.+)' : '([^/]+)';
        });
        const url = asObj(raw.externalDocs).url;
        const docUrl = typeof url === 'string' ? url : 'https://docs.github.com/rest';
        const operation = { id: raw.operationId, method: method.toUpperCase(), template, docUrl, raw };
        const literals = template.split('/').filter((s) => s && !s.startsWith('{')).length;
        return [{ regex: new RegExp(`^${pattern}$`), names, literals, operation }];
      }),
    );
    // Most literal segments first, so /issues/comments/{comment_id} beats /issues/{issue_number}/comments.
    this.routes.sort((a, b) => b.literals - a.literals);
    this.basicError = this.ajv.compile(this.convert({ $ref: '#/components/schemas/basic-error' }) as Obj);
  }

  match(method: string, path: string): { operation?: Operation; params: Record<string, string> } {
    for (const { regex, names, operation } of this.routes) {
      const found = operation.method === method ? regex.exec(path) : null;
      if (!found) continue;
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      } catch {
        continue;
      }
      return { operation, params };
    }
    return { params: {} };
  }

  private resolve(ref: string): unknown {
    return ref.slice(2).split('/').reduce<unknown>((node, key) => asObj(node)[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
  }

  private deref(node: unknown): Obj {
    let result = asObj(node);
    while (typeof result.$ref === 'string') result = asObj(this.resolve(result.$ref));
    return result;
  }

  /** OpenAPI 3.0 schema → JSON Schema for ajv; component schemas are registered once and referenced by $id. */
  private convert(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.convert(item));
    if (!isObj(node)) return node;
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace('#/components/schemas/', '');
      if (!this.components.has(name)) {
        this.components.add(name); // before converting: schemas can be recursive
        this.ajv.addSchema({ ...asObj(this.convert(this.resolve(node.$ref))), $id: SCHEMA_BASE + name });
      }
      return { $ref: SCHEMA_BASE + name };
    }
    const out: Obj = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-') || DROPPED_KEYWORDS.has(key) || key === 'nullable') continue;
      if (key === 'format' && !(String(value) in STRING_FORMATS || String(value) in NUMBER_FORMATS)) continue;
      if (key === 'properties') out[key] = Object.fromEntries(Object.entries(asObj(value)).map(([k, v]) => [k, this.convert(v)]));
      else if (key === 'enum' || key === 'required' || key === 'default') out[key] = value;
      else out[key] = this.convert(value);
    }
    // OpenAPI 3.0's boolean exclusiveMinimum/Maximum are numbers in JSON Schema draft 7.
    for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof out[exclusive] !== 'boolean') continue;
      if (out[exclusive] === true) out[exclusive] = out[bound];
      else delete out[exclusive];
      if (out[exclusive] !== undefined) delete out[bound];
    }
    // Ajv's own `nullable` refuses schemas without `type` (GitHub has those), so convert it ourselves.
    if (node.nullable !== true) return out;
    if (typeof out.type !== 'string') return { anyOf: [{ type: 'null' }, out] };
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
    return out;
  }

  compile(operation: Operation): CompiledOperation {
    const cached = this.compiled.get(operation);
    if (cached) return cached;
    const properties: Obj = {};
    const required: string[] = [];
    const paramTypes = new Map<string, unknown>();
    for (const parameter of (operation.raw.parameters as unknown[] | undefined) ?? []) {
      const p = this.deref(parameter);
      if (p.in !== 'path' && p.in !== 'query') continue;
      const name = String(p.name);
      const schema = asObj(this.convert(p.schema));
      // The description says "(max 100)" only in prose; GitHub silently clamps larger values, losing items.
      properties[name] = name === 'per_page' ? { ...schema, minimum: 1, maximum: 100 } : schema;
      paramTypes.set(name, asObj(p.schema).type);
      if (p.required === true) required.push(name);
    }
    const params = this.ajv.compile({ type: 'object', properties, required, additionalProperties: false });
    const requestBody = this.deref(operation.raw.requestBody);
    const bodySchema = asObj(asObj(requestBody.content)['application/json']).schema;
    const body = bodySchema === undefined ? undefined : this.ajv.compile(asObj(this.convert(bodySchema)));
    const result = { params, paramTypes, body, bodyRequired: requestBody.required === true, responses: new Map() };
    this.compiled.set(operation, result);
    return result;
  }

  /** The validator for a response status: null when it has no body, undefined when the status is not described. */
  response(operation: Operation, status: number): ValidateFunction | null | undefined {
    const compiled = this.compile(operation);
    if (!compiled.responses.has(status)) {
      const declared = asObj(operation.raw.responses)[String(status)];
      let validate: ValidateFunction | null | undefined;
      if (declared !== undefined) {
        const schema = asObj(asObj(this.deref(declared).content)['application/json']).schema;
        validate = schema === undefined ? null : this.ajv.compile(asObj(this.convert(schema)));
      }
      compiled.responses.set(status, validate);
    }
    return compiled.responses.get(status);
  }

  errorsText(errors: readonly ErrorObject[] | null | undefined, dataVar: string): string {
    return this.ajv.errorsText(errors as ErrorObject[], { dataVar });
  }
}

let description: Promise<Description> | undefined;

const loadDescription = (): Promise<Description> =>
  (description ??= readFile(createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8').then(
    (text) => new Description(asObj(JSON.parse(text))),
  ));

/** Parses the description (0.2-0.3 s, once per process, shared by every server); call it in a `before` to keep it out of a test. */
export async function loadGitHubDescription(): Promise<void> {
  await loadDescription();
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures, shaped after GitHub's (the webhook examples' pull request is the starting point for pulls).

let examplePull: string | undefined;
/** A fresh copy of the webhook examples' closed pull request (Codertocat/Hello-World#2), as JSON text. */
function pullExample(): string {
  if (examplePull === undefined) {
    const events = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: Obj[] }[];
    const closed = events.find((event) => event.name === 'pull_request')?.examples.find((example) => example.action === 'closed');
    examplePull = JSON.stringify(closed?.pull_request);
  }
  return examplePull;
}
// Fields of the full pull-request schema that pull-request-simple (the commits/{sha}/pulls items) lacks.
const FULL_PULL_ONLY = ['merged', 'mergeable', 'rebaseable', 'mergeable_state', 'merged_by', 'maintainer_can_modify'].concat(
  ['comments', 'review_comments', 'commits', 'additions', 'deletions', 'changed_files'],
);

const timestamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z'); // GitHub has no milliseconds
const nodeId = (kind: string, id: number): string => Buffer.from(`${kind}${id}`).toString('base64');
const characters = (text: string): number => [...text].length;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
type Violate = (kind: Violation['kind'], message: string, errors?: readonly ErrorObject[]) => void;
interface Context {
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: Obj;
  readonly identity: TokenIdentity;
  readonly operation: Operation;
  readonly violate: Violate;
}
const error = (status: number, message: string, docUrl: string, extra: Obj = {}): Reply => ({
  status,
  body: { message, ...extra, documentation_url: docUrl, status: String(status) },
});

export async function startGitHubApi(options: GitHubApiOptions): Promise<GitHubApi> {
  const spec = await loadDescription();
  const [owner, name] = (options.repo ?? 'Codertocat/Hello-World').split('/');
  const repo = { owner, name, id: options.repoId ?? 186853002 };
  const now = options.now ?? (() => new Date());
  const violations: Violation[] = [];
  const requests: RecordedRequest[] = [];
  const stored: StoredComment[] = [];
  const pulls = new Map<number, PullSpec>();
  // Real ids where known (the webhook examples' user, the github-actions app's bot), then the tokens' own.
  const userIds = new Map<string, number>([['Codertocat', 21031067], ['github-actions[bot]', 41898282]]);
  for (const identity of Object.values(options.tokens)) if (identity.id !== undefined) userIds.set(identity.login, identity.id);
  let nextCommentId = 2_500_000_001; // beyond 2^31, as GitHub's are
  let url = '';

  const apiRepo = (): string => `${url}/repos/${owner}/${name}`;
  const userId = (login: string): number => {
    if (!userIds.has(login)) userIds.set(login, 1_000_000 + userIds.size);
    return userIds.get(login) as number;
  };
  const simpleUser = (login: string, type: string): Obj => {
    const api = `${url}/users/${encodeURIComponent(login)}`;
    const id = userId(login);
    const html = type === 'Bot' ? `https://github.com/apps/${login.replace(/\[bot\]$/, '')}` : `https://github.com/${login}`;
    return {
      login, id, node_id: nodeId(type === 'Bot' ? '03:Bot' : '04:User', id), avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '', url: api, html_url: html, followers_url: `${api}/followers`, following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`, starred_url: `${api}/starred{/owner}{/repo}`, subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`, repos_url: `${api}/repos`, events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`, type, user_view_type: 'public', site_admin: false,
    };
  };
  const issueComment = (c: StoredComment): Obj => ({
    url: `${apiRepo()}/issues/comments/${c.id}`,
    html_url: `https://github.com/${owner}/${name}/${pulls.has(c.issueNumber) ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${apiRepo()}/issues/${c.issueNumber}`,
    id: c.id, node_id: nodeId('012:IssueComment', c.id), user: simpleUser(c.login, c.userType),
    created_at: c.createdAt, updated_at: c.updatedAt,
    author_association: c.login.toLowerCase() === owner.toLowerCase() ? 'OWNER' : 'NONE', body: c.body,
    reactions: {
      url: `${apiRepo()}/issues/comments/${c.id}/reactions`,
      total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0,
    },
    performed_via_github_app: null,
  });
  /** The example's repository, renamed; API URLs point at this server, as GitHub's point at its own API. */
  const repository = (fullName: string, id: number): Obj => {
    const text = pullExample().replaceAll('https://api.github.com', url).replaceAll('Codertocat/Hello-World', fullName);
    const [repoOwner, repoName] = fullName.split('/');
    return {
      ...asObj(asObj(asObj(JSON.parse(text)).base).repo),
      id,
      node_id: nodeId('010:Repository', id),
      name: repoName,
      owner: simpleUser(repoOwner, 'User'),
      fork: fullName !== `${owner}/${name}`,
    };
  };
  const pullRequest = (p: PullSpec, full: boolean): Obj => {
    const api = `${apiRepo()}/pulls/${p.number}`;
    const html = `https://github.com/${owner}/${name}/pull/${p.number}`;
    const closed = p.merged === true || p.state === 'closed';
    const when = timestamp(now());
    const user = simpleUser(p.login ?? owner, 'User');
    const [headOwner] = (p.headRepo ?? owner).split('/');
    const links: Record<string, string> = {
      self: api,
      html,
      issue: `${apiRepo()}/issues/${p.number}`,
      comments: `${apiRepo()}/issues/${p.number}/comments`,
      review_comments: `${api}/comments`,
      review_comment: `${apiRepo()}/pulls/comments{/number}`,
      commits: `${api}/commits`,
      statuses: `${apiRepo()}/statuses/${p.headSha}`,
    };
    const pr: Obj = {
      ...asObj(JSON.parse(pullExample())), // key order, and the counts (commits, additions, ...) of a full pull request
      url: api, id: 100_000_000 + p.number, node_id: nodeId('011:PullRequest', 100_000_000 + p.number), number: p.number,
      html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, issue_url: links.issue,
      commits_url: links.commits, review_comments_url: links.review_comments, review_comment_url: links.review_comment,
      comments_url: links.comments, statuses_url: links.statuses,
      state: closed ? 'closed' : 'open', locked: false, title: p.title ?? `Pull request #${p.number}`, user, body: p.body ?? null,
      created_at: when, updated_at: when, closed_at: closed ? when : null, merged_at: p.merged === true ? when : null,
      merge_commit_sha: p.mergeCommitSha ?? null,
      assignee: null, assignees: [], requested_reviewers: [], requested_teams: [], labels: [], milestone: null,
      head: {
        label: `${headOwner}:${p.headRef ?? 'feature'}`, ref: p.headRef ?? 'feature', sha: p.headSha, user: simpleUser(headOwner, 'User'),
        repo: p.headRepo ? repository(p.headRepo, repo.id + 1) : repository(`${owner}/${name}`, repo.id),
      },
      base: {
        label: `${owner}:${p.baseRef ?? 'main'}`, ref: p.baseRef ?? 'main', sha: p.baseSha ?? '0'.repeat(40), user: simpleUser(owner, 'User'),
        repo: repository(`${owner}/${name}`, repo.id),
      },
      _links: Object.fromEntries(Object.entries(links).map(([rel, href]) => [rel, { href }])),
      author_association: user.login === owner ? 'OWNER' : 'CONTRIBUTOR', auto_merge: null, active_lock_reason: null, draft: false,
      merged: p.merged === true, merged_by: p.merged === true ? simpleUser(owner, 'User') : null,
      mergeable: closed ? null : true, rebaseable: closed ? null : true, mergeable_state: closed ? 'unknown' : 'clean',
    };
    if (!full) for (const key of FULL_PULL_ONLY) delete pr[key];
    return pr;
  };

  /** One page of `items`, with GitHub's Link header (prev, next, last, first) on the /repositories/{id} form. */
  const page = (items: readonly Obj[], query: URLSearchParams, linkPath: string): Reply => {
    const perPage = Math.min(100, Math.max(1, Number.parseInt(query.get('per_page') ?? '', 10) || 30)); // clamps, as GitHub does
    const current = Math.max(1, Number.parseInt(query.get('page') ?? '', 10) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string): string => {
      const params = new URLSearchParams(query);
      params.set('page', String(n));
      return `<${url}${linkPath}?${params.toString()}>; rel="${rel}"`;
    };
    const links = [
      ...(current > 1 ? [link(current - 1, 'prev')] : []),
      ...(current < last ? [link(current + 1, 'next'), link(last, 'last')] : []),
      ...(current > 1 ? [link(1, 'first')] : []),
    ];
    const body = items.slice((current - 1) * perPage, current * perPage);
    return { status: 200, body, headers: links.length ? { link: links.join(', ') } : {} };
  };
  /** GitHub's 422 for an over-long comment; also a violation, since the Action must truncate before sending. */
  const tooLong = ({ body, operation, violate }: Context): Reply | undefined => {
    const length = characters(String(body.body));
    if (length <= MAX_COMMENT_LENGTH) return undefined;
    violate('github-limit', `comment body of ${length} characters (maximum is ${MAX_COMMENT_LENGTH})`);
    return error(422, 'Validation Failed', operation.docUrl, {
      errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)` }],
    });
  };

  const handlers: Record<string, (ctx: Context) => Reply> = {
    'users/get-authenticated': ({ identity, operation }) => {
      if (!identity.canReadUser) return error(403, 'Resource not accessible by integration', operation.docUrl);
      const user = simpleUser(identity.login, identity.type);
      return {
        status: 200,
        body: {
          ...user, user_view_type: 'private', name: null, company: null, blog: '', location: null, email: null, hireable: null, bio: null,
          twitter_username: null, notification_email: null, public_repos: 1, public_gists: 0, followers: 0, following: 0,
          created_at: '2019-05-15T15:19:25Z', updated_at: timestamp(now()), private_gists: 0, total_private_repos: 0,
          owned_private_repos: 0, disk_usage: 0, collaborators: 0, two_factor_authentication: true,
          plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
        },
      };
    },
    'issues/list-comments': ({ params, query }) => {
      const since = query.get('since');
      const wanted = (c: StoredComment): boolean => since === null || Date.parse(c.updatedAt) >= Date.parse(since);
      const items = stored.filter((c) => c.issueNumber === Number(params.issue_number) && wanted(c));
      return page(items.map(issueComment), query, `/repositories/${repo.id}/issues/${params.issue_number}/comments`);
    },
    'issues/create-comment': (ctx) => {
      const rejected = tooLong(ctx);
      if (rejected) return rejected;
      const { login, type } = ctx.identity;
      const comment = api.addComment(Number(ctx.params.issue_number), { body: String(ctx.body.body), login, type });
      return { status: 201, body: issueComment(comment), headers: { location: `${apiRepo()}/issues/comments/${comment.id}` } };
    },
    'issues/update-comment': (ctx) => {
      const index = stored.findIndex((c) => c.id === Number(ctx.params.comment_id));
      if (index < 0) return error(404, 'Not Found', ctx.operation.docUrl);
      const rejected = tooLong(ctx);
      if (rejected) return rejected;
      stored[index] = { ...stored[index], body: String(ctx.body.body), updatedAt: timestamp(now()) };
      return { status: 200, body: issueComment(stored[index]) };
    },
    'repos/list-pull-requests-associated-with-commit': ({ params, query }) => {
      const sha = params.commit_sha;
      const matching = [...pulls.values()].filter((p) => p.headSha === sha || p.mergeCommitSha === sha || p.commitShas?.includes(sha));
      return page(matching.map((p) => pullRequest(p, false)), query, `/repositories/${repo.id}/commits/${sha}/pulls`);
    },
    'pulls/get': ({ params, operation }) => {
      const pull = pulls.get(Number(params.pull_number));
      return pull ? { status: 200, body: pullRequest(pull, true) } : error(404, 'Not Found', operation.docUrl);
    },
  };

  /** Checks auth and the request against the operation, then runs its handler. */
  const handle = (request: IncomingMessage, bodyText: string, target: URL, match: ReturnType<Description['match']>, violate: Violate): Reply => {
    const { operation, params } = match;
    if (!operation) {
      violate('unknown-operation', `${request.method} ${target.pathname} is not an operation of GitHub's REST API`);
      return error(404, 'Not Found', 'https://docs.github.com/rest');
    }
    if (!request.headers.authorization) {
      violate('auth', 'request without an authorization header');
      return error(401, 'Requires authentication', operation.docUrl);
    }
    const token = /^(?:token|bearer) (\S+)$/i.exec(request.headers.authorization)?.[1];
    const identity = token === undefined ? undefined : options.tokens[token];
    if (!identity) return error(401, 'Bad credentials', 'https://docs.github.com/rest');

    const compiled = spec.compile(operation);
    const values: Obj = { ...params };
    for (const key of new Set(target.searchParams.keys())) values[key] = target.searchParams.get(key);
    for (const [key, value] of Object.entries(values)) {
      const type = compiled.paramTypes.get(key); // parameters arrive as text; the schemas type them
      if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(String(value))) values[key] = Number(value);
      if (type === 'boolean' && (value === 'true' || value === 'false')) values[key] = value === 'true';
    }
    if (!compiled.params(values)) {
      const errors = compiled.params.errors ?? [];
      violate('request', spec.errorsText(errors, 'params'), errors);
      if (errors.some((e) => Object.keys(params).some((key) => e.instancePath === `/${key}`))) return error(404, 'Not Found', operation.docUrl);
      // A bad query parameter is ignored by GitHub (the default applies); the violation is what matters.
    }
    let body: unknown;
    if (bodyText !== '') {
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) violate('request', `body sent as ${request.headers['content-type']}`);
      try {
        body = JSON.parse(bodyText);
      } catch {
        violate('request', 'body is not JSON');
        return error(400, 'Problems parsing JSON', operation.docUrl);
      }
    }
    if (compiled.body && (body !== undefined || compiled.bodyRequired) && !compiled.body(body)) {
      const errors = compiled.body.errors ?? [];
      violate('request', spec.errorsText(errors, 'body'), errors);
      return error(422, `Invalid request.\n\n${spec.errorsText(errors, 'body')}`, operation.docUrl);
    }
    const handler = handlers[operation.id];
    if (!handler) {
      violate('unsupported', `${operation.id} (${operation.method} ${operation.template}) is valid but not served by this stand-in`);
      return error(404, 'Not Found', operation.docUrl);
    }
    const otherRepo = 'owner' in params && `${params.owner}/${params.repo}`.toLowerCase() !== `${owner}/${name}`.toLowerCase();
    if (otherRepo) return error(404, 'Not Found', operation.docUrl); // names are case-insensitive on GitHub
    if (operation.method !== 'GET' && !identity.canWrite) return error(403, 'Resource not accessible by integration', operation.docUrl);
    return handler({ params, query: target.searchParams, body: asObj(body), identity, operation, violate });
  };

  const validateReply = (operation: Operation | undefined, reply: Reply, violate: Violate): void => {
    let validate = operation ? spec.response(operation, reply.status) : undefined;
    if (validate === undefined) {
      // GitHub's description omits most error statuses (401 nearly everywhere); their bodies are all basic-error.
      if (reply.status < 400) return violate('response', `status ${reply.status} is not described for ${operation?.id}`);
      validate = spec.basicError;
    }
    if (validate === null) {
      if (reply.body !== undefined) violate('response', `status ${reply.status} must have no body`);
    } else if (!validate(reply.body)) {
      violate('response', spec.errorsText(validate.errors, 'response'), validate.errors ?? []);
    }
  };

  /** Validates, answers and records one request; never throws. */
  const respond = (request: IncomingMessage, response: ServerResponse, bodyText: string): void => {
    const target = new URL(request.url ?? '/', url);
    const method = request.method ?? 'GET';
    let body: unknown = bodyText;
    try {
      body = bodyText === '' ? undefined : JSON.parse(bodyText);
    } catch {
      // kept as text; handle() reports it
    }
    const query = Object.fromEntries(target.searchParams);
    const record: RecordedRequest = { method, path: target.pathname, query, headers: request.headers, bodyText, body };
    requests.push(record);
    const violate: Violate = (kind, message, errors) => {
      violations.push({ kind, method, path: target.pathname, message, ...(errors ? { errors } : {}) });
    };
    // GitHub's Link headers use /repositories/{id}/..., which the description lacks: validate and serve it as /repos/...
    const match = spec.match(method, target.pathname.replace(new RegExp(`^/repositories/${repo.id}(?=/)`), `/repos/${owner}/${name}`));
    record.operationId = match.operation?.id;
    let reply: Reply;
    try {
      reply = handle(request, bodyText, target, match, violate);
      const tamper = options.tamperResponse;
      if (tamper && match.operation) reply = { ...reply, body: tamper(match.operation.id, reply.status, reply.body) };
      validateReply(match.operation, reply, violate);
    } catch (caught) {
      violate('internal', caught instanceof Error ? (caught.stack ?? caught.message) : String(caught));
      reply = error(500, 'Server Error', 'https://docs.github.com/rest');
    }
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    const headers: Record<string, string> = {
      ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(5000 - requests.length),
      'x-ratelimit-reset': String(Math.floor(now().getTime() / 1000) + 3600),
      'x-ratelimit-used': String(requests.length),
      'x-ratelimit-resource': 'core',
      'x-github-request-id': `DEPT:${requests.length.toString(16).toUpperCase()}`,
      ...reply.headers,
      'content-length': String(Buffer.byteLength(text)),
    };
    record.response = { status: reply.status, headers, bodyText: text };
    response.writeHead(reply.status, headers).end(text);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => respond(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api: GitHubApi = {
    url,
    repo,
    violations,
    requests,
    addComment(issueNumber, comment) {
      const at = timestamp(comment.createdAt ?? now());
      const created: StoredComment = {
        id: nextCommentId++,
        issueNumber,
        body: comment.body,
        login: comment.login ?? 'octocat',
        userType: comment.type ?? 'User',
        createdAt: at,
        updatedAt: at,
      };
      stored.push(created);
      return { ...created };
    },
    comments: (issueNumber) => stored.filter((c) => c.issueNumber === issueNumber).map((c) => ({ ...c })),
    addPull(pull) {
      pulls.set(pull.number, pull);
    },
    assertNoViolations() {
      assert.deepEqual(violations.map((v) => `${v.kind}: ${v.method} ${v.path}: ${v.message}`), []);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((closed) => (closed ? reject(closed) : resolve()));
        server.closeAllConnections(); // keep-alive sockets of the client would hold close() open
      }),
  };
  return api;
}
