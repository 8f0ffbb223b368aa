// The api.github.com stand-in itself: it must behave like GitHub for the calls the Action makes, and its
// validation must really fail on requests and responses GitHub's description does not allow.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { getOctokit } from '@actions/github';
import { loadGitHubDescription, MAX_COMMENT_LENGTH, startGitHubApi, type GitHubApi, type GitHubApiOptions } from './github-api.js';

const TOKENS = {
  ghs_write: { login: 'github-actions[bot]', type: 'Bot', canWrite: true, canReadUser: false },
  ghs_fork: { login: 'github-actions[bot]', type: 'Bot', canWrite: false, canReadUser: false },
  ghp_user: { login: 'Codertocat', type: 'User', canWrite: true, canReadUser: true },
} as const;
const REPO = { owner: 'Codertocat', repo: 'Hello-World' };
const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const MERGE_SHA = 'c4295bd74fb0f4fda03689c3df3f2803b658fd85';

async function start(t: TestContext, options: Partial<GitHubApiOptions> = {}): Promise<GitHubApi> {
  const server = await startGitHubApi({ tokens: TOKENS, ...options });
  t.after(() => server.close());
  return server;
}

// GITHUB_API_URL is read when @actions/github is imported, so in-process the base URL is passed explicitly.
const octokitFor = (server: GitHubApi, token: keyof typeof TOKENS | 'ghp_revoked') => getOctokit(token, { baseUrl: server.url });

/** A raw request, for what Octokit would never send. */
function send(server: GitHubApi, method: string, path: string, body?: string, token: string | null = 'ghs_write'): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (token !== null) headers.authorization = `token ${token}`;
  return fetch(server.url + path, { method, headers, body });
}

/** Asserts an Octokit call fails with this status and, if given, exactly this response body. */
async function failsWith(promise: Promise<unknown>, status: number, data?: unknown): Promise<void> {
  await assert.rejects(promise, (e: { status?: number; response?: { data?: unknown } }) => {
    assert.equal(e.status, status);
    if (data !== undefined) assert.deepEqual(e.response?.data, data);
    return true;
  });
}

// Parsing the description is the slow part (a few hundred ms); do it once, outside any test's own time.
before(() => loadGitHubDescription());

test('creating, listing and updating a comment round-trips with no violations', async (t) => {
  const server = await start(t);
  const octokit = octokitFor(server, 'ghs_write');
  const created = await octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: 'Deployed **abc**' });
  assert.equal(created.status, 201);
  assert.equal(created.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(created.data.user?.login, 'github-actions[bot]');
  assert.equal(created.data.user?.type, 'Bot');
  assert.match(created.data.html_url, /^https:\/\/github\.com\/Codertocat\/Hello-World\/issues\/1#issuecomment-\d+$/);
  assert.match(created.data.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const listed = await octokit.rest.issues.listComments({ ...REPO, issue_number: 1 });
  assert.deepEqual(
    listed.data.map((c) => [c.id, c.body]),
    [[created.data.id, 'Deployed **abc**']],
  );
  const updated = await octokit.rest.issues.updateComment({ ...REPO, comment_id: created.data.id, body: 'Rolled back' });
  assert.equal(updated.status, 200);
  assert.deepEqual(
    server.comments(1).map((c) => [c.id, c.body, c.login]),
    [[created.data.id, 'Rolled back', 'github-actions[bot]']],
  );
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.operationId, r.headers.authorization, r.response?.status]),
    [
      ['POST', 'issues/create-comment', 'token ghs_write', 201],
      ['GET', 'issues/list-comments', 'token ghs_write', 200],
      ['PATCH', 'issues/update-comment', 'token ghs_write', 200],
    ],
  );
  assert.deepEqual(server.requests[0].body, { body: 'Deployed **abc**' });
  server.assertNoViolations();
});

test('octokit.paginate follows the Link headers through 250 comments', async (t) => {
  const server = await start(t);
  for (let i = 0; i < 250; i++) server.addComment(7, { body: `comment ${i}`, login: i % 3 ? 'octocat' : 'github-actions[bot]', type: i % 3 ? 'User' : 'Bot' });
  server.addComment(8, { body: 'another pull request' });
  const octokit = octokitFor(server, 'ghs_write');
  const all = await octokit.paginate(octokit.rest.issues.listComments, { ...REPO, issue_number: 7, per_page: 100 });
  assert.deepEqual(
    all.map((c) => c.body),
    Array.from({ length: 250 }, (_, i) => `comment ${i}`),
  );
  assert.ok(all.every((c, i) => i === 0 || c.id > all[i - 1].id), 'ids ascend');
  // GitHub's Link URLs use the /repositories/{id} form; following them must reach the same operation.
  const base = `${server.url}/repositories/186853002/issues/7/comments?per_page=100`;
  assert.deepEqual(
    server.requests.map((r) => [r.path, r.query, r.operationId, r.response?.headers.link]),
    [
      ['/repos/Codertocat/Hello-World/issues/7/comments', { per_page: '100' }, 'issues/list-comments', `<${base}&page=2>; rel="next", <${base}&page=3>; rel="last"`],
      [
        '/repositories/186853002/issues/7/comments',
        { per_page: '100', page: '2' },
        'issues/list-comments',
        `<${base}&page=1>; rel="prev", <${base}&page=3>; rel="next", <${base}&page=3>; rel="last", <${base}&page=1>; rel="first"`,
      ],
      ['/repositories/186853002/issues/7/comments', { per_page: '100', page: '3' }, 'issues/list-comments', `<${base}&page=2>; rel="prev", <${base}&page=1>; rel="first"`],
    ],
  );
  server.assertNoViolations();
});

test('a body over 65536 characters gets GitHub\'s 422 and is a violation; exactly 65536 is fine', async (t) => {
  const server = await start(t);
  const octokit = octokitFor(server, 'ghs_write');
  // Characters, not UTF-16 units: 65536 emoji are 131072 units and still allowed.
  const { data } = await octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: '🚀'.repeat(MAX_COMMENT_LENGTH) });
  server.assertNoViolations();

  await failsWith(octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: 'x'.repeat(MAX_COMMENT_LENGTH + 1) }), 422, {
    message: 'Validation Failed',
    errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }],
    documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
    status: '422',
  });
  await failsWith(octokit.rest.issues.updateComment({ ...REPO, comment_id: data.id, body: 'y'.repeat(MAX_COMMENT_LENGTH + 1) }), 422);
  assert.deepEqual(
    server.violations.map((v) => [v.kind, v.method, v.message]),
    [
      ['github-limit', 'POST', 'comment body of 65537 characters (maximum is 65536)'],
      ['github-limit', 'PATCH', 'comment body of 65537 characters (maximum is 65536)'],
    ],
  );
  assert.deepEqual(
    server.comments(1).map((c) => c.id),
    [data.id],
  );
  assert.equal(server.comments(1)[0].body, '🚀'.repeat(MAX_COMMENT_LENGTH));
});

test('request bodies and parameters are validated against the operation', async (t) => {
  const server = await start(t);
  const wrongType = await send(server, 'POST', '/repos/Codertocat/Hello-World/issues/1/comments', JSON.stringify({ body: 5 }));
  assert.equal(wrongType.status, 422);
  const missing = await send(server, 'POST', '/repos/Codertocat/Hello-World/issues/1/comments', '{}');
  assert.equal(missing.status, 422);
  const notJson = await send(server, 'POST', '/repos/Codertocat/Hello-World/issues/1/comments', 'body=hi');
  assert.equal(notJson.status, 400);
  const tooMany = await send(server, 'GET', '/repos/Codertocat/Hello-World/issues/1/comments?per_page=500');
  assert.equal(tooMany.status, 200); // GitHub clamps silently, which is exactly why it is a violation
  const notANumber = await send(server, 'GET', '/repos/Codertocat/Hello-World/issues/one/comments');
  assert.equal(notANumber.status, 404);
  const unknownQuery = await send(server, 'GET', '/repos/Codertocat/Hello-World/issues/1/comments?perpage=100');
  assert.equal(unknownQuery.status, 200);
  assert.deepEqual(
    server.violations.map((v) => [v.kind, v.message]),
    [
      ['request', 'body/body must be string'],
      ['request', "body must have required property 'body'"],
      ['request', 'body is not JSON'],
      ['request', 'params/per_page must be <= 100'],
      ['request', 'params/issue_number must be integer'],
      ['request', 'params must NOT have additional properties'],
    ],
  );
  assert.equal(server.violations[0].errors?.[0].instancePath, '/body');
  assert.deepEqual(server.comments(1), []);
});

test('an unknown path, and a real operation the stand-in does not serve, are violations', async (t) => {
  const server = await start(t);
  assert.equal((await send(server, 'GET', '/repos/Codertocat/Hello-World/issues/1/remarks')).status, 404);
  assert.equal((await send(server, 'DELETE', '/user')).status, 404);
  await failsWith(octokitFor(server, 'ghs_write').rest.repos.get(REPO), 404);
  assert.deepEqual(
    server.violations.map((v) => [v.kind, v.method, v.path]),
    [
      ['unknown-operation', 'GET', '/repos/Codertocat/Hello-World/issues/1/remarks'],
      ['unknown-operation', 'DELETE', '/user'],
      ['unsupported', 'GET', '/repos/Codertocat/Hello-World'],
    ],
  );
});

test('a response that does not match the description is caught', async (t) => {
  const server = await start(t, {
    tamperResponse: (operationId, _status, body) =>
      operationId === 'issues/create-comment' ? { ...(body as object), created_at: 'yesterday', user: undefined } : body,
  });
  await octokitFor(server, 'ghs_write').rest.issues.createComment({ ...REPO, issue_number: 1, body: 'hi' });
  assert.equal(server.violations.length, 1);
  const [violation] = server.violations;
  assert.equal(violation.kind, 'response');
  assert.deepEqual(violation.errors?.map((e) => [e.instancePath, e.keyword]).sort(), [
    ['', 'required'],
    ['/created_at', 'format'],
  ]);
  assert.throws(() => server.assertNoViolations(), /response: POST \/repos\/Codertocat\/Hello-World\/issues\/1\/comments/);
});

test('a read-only token (a fork\'s GITHUB_TOKEN) gets 403 on writes, which is GitHub behaviour, not a violation', async (t) => {
  const server = await start(t);
  const { id } = server.addComment(1, { body: 'earlier' });
  const octokit = octokitFor(server, 'ghs_fork');
  const forbidden = {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
    status: '403',
  };
  await failsWith(octokit.rest.issues.createComment({ ...REPO, issue_number: 1, body: 'hi' }), 403, forbidden);
  await failsWith(octokit.rest.issues.updateComment({ ...REPO, comment_id: id, body: 'hi' }), 403);
  assert.equal((await octokit.rest.issues.listComments({ ...REPO, issue_number: 1 })).data.length, 1);
  assert.deepEqual(
    server.comments(1).map((c) => c.body),
    ['earlier'],
  );
  server.assertNoViolations();
});

test('GET /user: 403 for an installation token, the private profile for a user token', async (t) => {
  const server = await start(t);
  await failsWith(octokitFor(server, 'ghs_write').rest.users.getAuthenticated(), 403, {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
    status: '403',
  });
  const { data } = await octokitFor(server, 'ghp_user').rest.users.getAuthenticated();
  assert.equal(data.login, 'Codertocat');
  assert.equal(data.type, 'User');
  server.assertNoViolations();
});

test('401 without a token (a violation) and with an unknown one (GitHub behaviour)', async (t) => {
  const server = await start(t);
  const anonymous = await send(server, 'GET', '/repos/Codertocat/Hello-World/issues/1/comments', undefined, null);
  assert.equal(anonymous.status, 401);
  await failsWith(octokitFor(server, 'ghp_revoked').rest.issues.listComments({ ...REPO, issue_number: 1 }), 401, {
    message: 'Bad credentials',
    documentation_url: 'https://docs.github.com/rest',
    status: '401',
  });
  assert.deepEqual(
    server.violations.map((v) => [v.kind, v.message]),
    [['auth', 'request without an authorization header']],
  );
});

test('a commit lists its registered pull requests; a pull request reads in full', async (t) => {
  const server = await start(t);
  server.addPull({ number: 2, headSha: SHA, mergeCommitSha: MERGE_SHA, state: 'closed', merged: true, title: 'Update the README' });
  server.addPull({ number: 5, headSha: 'f'.repeat(40), headRepo: 'forker/Hello-World', title: 'From a fork' });
  const octokit = octokitFor(server, 'ghs_write');
  const byMerge = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...REPO, commit_sha: MERGE_SHA });
  assert.deepEqual(
    byMerge.data.map((p) => [p.number, p.state, p.title, p.head.sha, p.merge_commit_sha, p.merged_at !== null]),
    [[2, 'closed', 'Update the README', SHA, MERGE_SHA, true]],
  );
  assert.equal('merged' in byMerge.data[0], false, 'pull-request-simple has no merged field');
  const fromFork = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...REPO, commit_sha: 'f'.repeat(40) });
  assert.deepEqual(
    fromFork.data.map((p) => [p.number, p.head.repo.full_name, p.head.repo.fork, p.base.repo.full_name]),
    [[5, 'forker/Hello-World', true, 'Codertocat/Hello-World']],
  );
  assert.deepEqual((await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...REPO, commit_sha: 'a'.repeat(40) })).data, []);
  const full = await octokit.rest.pulls.get({ ...REPO, pull_number: 2 });
  assert.equal(full.data.merged, true);
  await failsWith(octokit.rest.pulls.get({ ...REPO, pull_number: 3 }), 404);
  // Comments on a registered pull request link to /pull/, as GitHub's do.
  const comment = await octokit.rest.issues.createComment({ ...REPO, issue_number: 2, body: 'hi' });
  assert.match(comment.data.html_url, /\/Hello-World\/pull\/2#issuecomment-/);
  server.assertNoViolations();
});

test('another repository, or an unknown comment, is a plain 404', async (t) => {
  const server = await start(t);
  const octokit = octokitFor(server, 'ghs_write');
  await failsWith(octokit.rest.issues.listComments({ owner: 'someone', repo: 'else', issue_number: 1 }), 404);
  await failsWith(octokit.rest.issues.updateComment({ ...REPO, comment_id: 1, body: 'hi' }), 404);
  server.assertNoViolations();
});

test('a child process configured only by GITHUB_API_URL, as the Action is, reaches the stand-in', async (t) => {
  const server = await start(t);
  // Asynchronous on purpose: the server lives in this process, so a synchronous spawn would deadlock.
  const script = `
    import { getOctokit } from '@actions/github';
    const octokit = getOctokit(process.env.TOKEN);
    const { data } = await octokit.rest.issues.createComment({ owner: 'Codertocat', repo: 'Hello-World', issue_number: 4, body: 'from a child' });
    console.log(data.id);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, GITHUB_API_URL: server.url, TOKEN: 'ghs_write' },
  });
  assert.deepEqual(
    server.comments(4).map((c) => [String(c.id), c.body]),
    [[stdout.trim(), 'from a child']],
  );
  assert.match(String(server.requests[0].headers['user-agent']), /octokit/);
  server.assertNoViolations();
});
