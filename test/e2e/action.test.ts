// The Action's deploy and rollback on real hosts: merged pull requests deploy and push the
// store branch, broken units are annotated with their systemd status, workflow_dispatch
// rolls back, two racing runs both land in the store branch, and re-running a reviewed deploy
// that failed on one host deploys what is left of the reviewed plan.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parsePlanMarker } from '../../src/render/markdown.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { pullRequest, push, workflowDispatch } from '../action/payloads.js';
import { actionRepo, type ActionRepo } from '../action/repo.js';
import { git, writeTree } from '../helpers/write-tree.js';
import { runAction, type ActionRun } from '../action/runner.js';
import { bootFleet, type Fleet } from './fleet/fleet.js';
import { waitFor } from './fleet/system.js';

const BOT = 'github-actions[bot]';
const TOKEN = 'ghs_workflowtoken';
const PR = pullRequest('opened').pull_request;
const PUSH = push();
/** The content of a file under sensitive-paths: deployed, never shown. */
const SECRET = 'API_TOKEN=s3cr3t-do-not-show-';

let fleet: Fleet;
let repo: ActionRepo;
let api: GitHubApi;
const ports = new Map<string, number>();

before(async () => {
  fleet = await bootFleet({ count: 2, hostnames: ['web1', 'web2'] });
  for (const host of ['web1', 'web2']) ports.set(host, await fleet.allocatePort());
  repo = await actionRepo();
  api = await startGitHubApi({ tokens: { [TOKEN]: { login: BOT, type: 'Bot', canWrite: true, canReadUser: false } } });
  api.addPull({ number: PR.number, headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821', mergeCommitSha: PUSH.after, state: 'closed', merged: true });
});

after(async () => {
  await api?.close();
  await repo?.remove();
  await fleet?.stop();
});

/** ssh_config with addresses only: the key must come from the input, held in memory, and host keys from known-hosts. */
function sshConfig(): string {
  return fleet.hosts.map((h) => `Host ${h.name}\n  HostName ${h.address}\n  Port ${h.port}\n  User root\n`).join('\n');
}

function secrets(): Record<string, string> {
  return { 'ssh-private-key': fleet.privateKeyPem, 'known-hosts': fleet.hosts.map((h) => h.knownHostsLine).join('\n'), 'ssh-config': sshConfig(), settle: '0.5', 'sensitive-paths': '*/*/secret.env' };
}

function unit(host: string, execStart?: string): string {
  const serve = `/usr/bin/python3 -m http.server ${ports.get(host)} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
  return `[Unit]\nDescription=Site\n\n[Service]\nExecStart=${execStart ?? serve}\n\n[Install]\nWantedBy=multi-user.target\n`;
}

function site(host: string, content: string, execStart?: string): Record<string, string> {
  return {
    [`${host}/site/index.html`]: content,
    [`${host}/site/secret.env`]: `${SECRET}${content}`,
    [`${host}/site/manifest.json`]: '{ "systemd": { "units_enabled": ["site.service"] } }',
    [`${host}/site/systemd/site.service`]: unit(host, execStart),
  };
}

async function served(host: string, port = ports.get(host)): Promise<string> {
  const url = `http://127.0.0.1:${port}/index.html`;
  const result = await fleet.exec(host, ['python3', '-c', `import urllib.request;print(urllib.request.urlopen('${url}').read().decode(),end='')`]);
  return result.stdout;
}

function onPush(workspace = repo.workspace, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({ eventName: 'push', payload: push(), workspace, sha: PUSH.after, ref: PUSH.ref, apiUrl: api.url, inputs: { cluster: 'prod', ...secrets(), ...inputs } });
}

const comment = () => api.comments(PR.number).find((c) => c.login === BOT && parsePlanMarker(c.body) !== null);

function assertNoSecrets(run: ActionRun): void {
  const visible = run.everything.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
  const keyBody = fleet.privateKeyPem.split('\n')[1];
  assert.ok(!visible.includes(keyBody) && !visible.includes('PRIVATE KEY'), 'the private key was printed');
  assert.ok(!api.requests.some((r) => r.bodyText.includes(keyBody)), 'the private key was sent to GitHub');
  assert.ok(!visible.includes(SECRET), 'a sensitive file was shown');
  assert.ok(!api.requests.some((r) => r.bodyText.includes(SECRET)), 'a sensitive file was sent to GitHub');
}

test('a merged pull request deploys its reviewed plan, pushes the store branch and updates the comment', async () => {
  await repo.write({ ...site('web1', 'one\n'), ...site('web2', 'one\n') });
  const planned = await runAction({ eventName: 'pull_request', payload: pullRequest('opened'), workspace: repo.workspace, sha: PR.head.sha, ref: `refs/pull/${PR.number}/merge`, apiUrl: api.url, inputs: { cluster: 'prod', 'sensitive-paths': '*/*/secret.env' } });
  assert.equal(planned.code, 0, planned.stdout);
  const reviewed = comment()!;

  const run = await onPush(repo.workspace, { 'require-reviewed-plan': 'true' });
  assert.equal(run.code, 0, run.stdout);
  assert.equal(await served('web1'), 'one\n');
  assert.equal(await served('web2'), 'one\n');
  assert.equal(run.outputs.digest, parsePlanMarker(reviewed.body)!.digest, 'the reviewed plan was deployed');

  const tip = git(repo.dir, ['--git-dir', repo.remote, 'rev-parse', 'refs/heads/deptool/store']);
  assert.equal(run.outputs['store-commit'], tip);
  const message = repo.storeGit('log', '-1', '--format=%B');
  assert.match(message, /^Add site on 2 hosts/);
  assert.match(message, /Deptool-Result: web1 deployed/);
  assert.match(message, /Deptool-Result: web2 deployed/);
  assert.match(message, /Run-URL: https:\/\/github\.com\/Codertocat\/Hello-World\/actions\/runs\/4242/);
  assert.match(message, new RegExp(`Pull-Request: ${PR.html_url.replace(/[/.]/g, '\\$&')}`));
  assert.equal(repo.storeGit('ls-tree', '--name-only', 'HEAD', 'web1/site/').split('\n').sort().join(' '), 'web1/site/index.html web1/site/manifest.json web1/site/secret.env web1/site/systemd');
  assert.equal((await fleet.exec('web1', ['cat', '/var/lib/deptool/apps/site/current/secret.env'])).stdout, `${SECRET}one\n`);

  const updated = comment()!;
  assert.match(updated.body, /`\+ site\/secret\.env`: content added \(sha256 [0-9a-f]{12}/);
  assert.equal(updated.id, reviewed.id, 'the sticky comment was updated in place');
  assert.match(updated.body, /✅ \*\*Deploy succeeded\*\* in \[this run\]\(https:\/\/github\.com\/Codertocat\/Hello-World\/actions\/runs\/4242\)/);
  assert.match(run.summary, /\| `web1` \| ✅ deployed \|/);
  assert.deepEqual((JSON.parse(run.outputs['result-json']) as { status: string }[]).map((r) => r.status), ['deployed', 'deployed']);
  assertNoSecrets(run);
  api.assertNoViolations();
});

test('with require-reviewed-plan, a plan that differs from the reviewed one changes nothing', async () => {
  const before = git(repo.dir, ['--git-dir', repo.remote, 'rev-parse', 'refs/heads/deptool/store']);
  await repo.write({ ...site('web1', 'unreviewed\n'), ...site('web2', 'one\n') });
  const run = await onPush(repo.workspace, { 'require-reviewed-plan': 'true' });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /::error::Not deployed: The plan differs from the one reviewed on pull request #\d+/);
  assert.equal(await served('web1'), 'one\n');
  assert.equal(git(repo.dir, ['--git-dir', repo.remote, 'rev-parse', 'refs/heads/deptool/store']), before);
  assert.match(comment()!.body, /⛔ \*\*Not deployed\*\*/);
  api.assertNoViolations();
});

test('a broken unit is rolled back, annotated at its unit file with its systemd status, and recorded', async () => {
  await repo.write({ ...site('web1', 'two\n'), ...site('web2', 'two\n', '/usr/bin/false') });
  const run = await onPush();
  assert.equal(run.code, 1, run.stdout);
  assert.equal(await served('web1'), 'two\n');
  assert.equal(await served('web2'), 'one\n', 'web2 is back on its old revision');
  const errors = run.annotations.filter((a) => a.level === 'error');
  const annotation = errors.find((a) => a.properties.file === 'prod/web2/site/systemd/site.service');
  assert.ok(annotation, `no annotation on the unit file: ${JSON.stringify(errors)}`);
  assert.equal(annotation.properties.title, 'site.service failed on web2');
  assert.match(annotation.message, /site\.service - Site/);
  assert.match(annotation.message, /\/usr\/bin\/false/);
  assert.match(run.annotations.find((a) => a.level === 'warning')?.message ?? '', /reviewed/);
  assert.match(run.summary, /\| `web2` \| ↩️ rolled back \|/);
  assert.match(run.summary, /### Failed units[\s\S]*<code>web2<\/code>: <code>site.service<\/code>[\s\S]*\/usr\/bin\/false/);
  const message = repo.storeGit('log', '-1', '--format=%B');
  assert.match(message, /Deptool-Result: web1 deployed/);
  assert.match(message, /Deptool-Result: web2 rolled-back/);
  assert.equal(repo.storeGit('show', 'HEAD:web2/site/index.html'), 'one', 'the store keeps what web2 really runs');
  assert.match(comment()!.body, /❌ \*\*Deploy did not succeed\*\*.*`web2`/);
  assertNoSecrets(run);
  api.assertNoViolations();
});

function dispatch(inputs: Record<string, string>): Promise<ActionRun> {
  const payload = workflowDispatch(inputs);
  return runAction({ eventName: 'workflow_dispatch', payload, workspace: repo.workspace, sha: PUSH.after, ref: payload.ref, apiUrl: api.url, inputs: { cluster: 'prod', ...secrets(), ...inputs } });
}

test('workflow_dispatch rolls a host back to its previous version, after a dry run that changes nothing', async () => {
  const before = repo.storeGit('rev-parse', 'HEAD');
  const dry = await dispatch({ hosts: 'web1', 'dry-run': 'true' });
  assert.equal(dry.code, 0, dry.stdout);
  assert.match(dry.summary, /Dry run: every check passed on 1 host\(s\); nothing was changed\./);
  assert.equal(await served('web1'), 'two\n');
  assert.equal(repo.storeGit('rev-parse', 'HEAD'), before);

  const run = await dispatch({ hosts: 'web1' });
  assert.equal(run.code, 0, run.stdout);
  assert.equal(await served('web1'), 'one\n');
  const message = repo.storeGit('log', '-1', '--format=%B');
  assert.match(message, /^Roll back site to [0-9a-f]{10} on web1/);
  assert.match(message, /Deptool-Result: web1 deployed/);
  assert.equal(repo.storeGit('show', 'HEAD:web1/site/index.html'), 'one');
  assert.equal(run.outputs['store-commit'], repo.storeGit('rev-parse', 'HEAD'));
  assertNoSecrets(run);
});

test('known-hosts is required, a wrong key is refused, and trusting unknown keys is an explicit, warned opt-in', async () => {
  const missing = await dispatch({ hosts: 'web1', 'dry-run': 'true', 'known-hosts': '' });
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /::error::Input 'known-hosts' is required to deploy/);

  const [web1, web2] = fleet.hosts;
  const wrong = `${web1.knownHostsLine.split(' ')[0]} ${web2.knownHostsLine.split(' ').slice(1).join(' ')}`;
  const mismatch = await dispatch({ hosts: 'web1', 'dry-run': 'true', 'known-hosts': wrong });
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stdout, /HOST KEY MISMATCH for web1/);

  const trusting = await dispatch({ hosts: 'web1', 'dry-run': 'true', 'known-hosts': '', 'accept-unknown-host-keys': 'true' });
  assert.equal(trusting.code, 0, trusting.stdout);
  const warnings = trusting.annotations.filter((a) => a.level === 'warning');
  assert.ok(warnings.some((w) => w.properties.title === 'Host keys are not fully verified'));
  const accepted = warnings.find((w) => w.properties.title === 'Unknown host key accepted');
  assert.ok(accepted?.message.includes(web1.knownHostsLine.split(' ').slice(0, 3).join(' ')), 'the warning gives the line to add');
});

test('two runs racing to push the store branch both land their results', async () => {
  // Each run's tree changes one host and matches the store on the other.
  const base = repo.storeGit('rev-parse', 'HEAD');
  const other = join(repo.dir, 'workspace2');
  git(repo.dir, ['clone', '--quiet', repo.remote, other]);
  await repo.write({ ...site('web1', 'race one\n'), ...site('web2', 'one\n') });
  await rm(join(other, 'prod'), { recursive: true, force: true });
  await writeTree(join(other, 'prod'), { ...site('web1', 'one\n'), ...site('web2', 'race two\n') });
  const [a, b] = await Promise.all([onPush(repo.workspace), onPush(other)]);
  assert.equal(a.code, 0, a.stdout);
  assert.equal(b.code, 0, b.stdout);
  assert.equal(await served('web1'), 'race one\n');
  assert.equal(await served('web2'), 'race two\n');
  const log = repo.storeGit('log', '--format=%H %s', `${base}..HEAD`).split('\n');
  assert.equal(log.length, 2, `both runs' commits, linear: ${log.join('; ')}`);
  assert.equal(repo.storeGit('show', 'HEAD:web1/site/index.html'), 'race one');
  assert.equal(repo.storeGit('show', 'HEAD:web2/site/index.html'), 'race two');
  assert.ok([a, b].some((run) => /after [2-8] tries \(another run pushed first\)/.test(run.stdout)), 'one run had to fetch and rebuild');
  assert.equal(git(repo.dir, ['--git-dir', repo.remote, 'rev-list', '--merges', '--count', 'refs/heads/deptool/store']), '0');
});

test('workflow_dispatch rolls a host back to its version in a given store commit, as a new forward commit', async () => {
  const first = repo.storeGit('log', '--reverse', '--format=%H', '-n', '100').split('\n')[0];
  const tip = repo.storeGit('rev-parse', 'HEAD');
  const run = await dispatch({ hosts: 'web2', to: first.slice(0, 12) });
  assert.equal(run.code, 0, run.stdout);
  assert.equal(await served('web2'), 'one\n');
  assert.equal(repo.storeGit('rev-parse', 'HEAD~1'), tip, 'forward only: the history is kept');
  assert.match(repo.storeGit('log', '-1', '--format=%s'), new RegExp(`^Roll back site to ${first.slice(0, 10)} on web2$`));
});

test('a reviewed deploy that failed on one host is resumed by re-running the job: it deploys exactly the host left', async () => {
  // web2's new revision serves on a port that another process on web2 holds, until the test stops it.
  const port = await fleet.allocatePort();
  const serve = `/usr/bin/python3 -m http.server ${port} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
  await repo.write({ ...site('web1', 'three\n'), ...site('web2', 'three\n', serve) });
  const squatter = await fleet.exec('web2', ['systemd-run', '--unit', 'squatter', 'python3', '-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', '/tmp']);
  assert.equal(squatter.code, 0, squatter.stderr);
  await waitFor(async () => ((await fleet.exec('web2', ['python3', '-c', `import socket;socket.create_connection(('127.0.0.1',${port}))`])).code === 0 ? true : undefined), {
    timeoutMs: 20_000,
    intervalMs: 100,
    onTimeout: () => new Error(`nothing listens on ${port} on web2`),
  });

  const planned = await runAction({ eventName: 'pull_request', payload: pullRequest('synchronize'), workspace: repo.workspace, sha: PR.head.sha, ref: `refs/pull/${PR.number}/merge`, apiUrl: api.url, inputs: { cluster: 'prod', 'sensitive-paths': '*/*/secret.env' } });
  assert.equal(planned.code, 0, planned.stdout);
  const reviewed = parsePlanMarker(comment()!.body)!;
  assert.equal(reviewed.hosts!.length, 2);
  // Settle long enough that a server failing to bind is seen failing however busy the machine is.
  const inputs = { 'require-reviewed-plan': 'true', settle: '3' };

  const failed = await onPush(repo.workspace, inputs);
  assert.equal(failed.code, 1, failed.stdout);
  assert.equal(await served('web1'), 'three\n');
  assert.equal(await served('web2'), 'one\n', 'web2 was rolled back to its old revision');
  assert.match(repo.storeGit('log', '-1', '--format=%B'), /Deptool-Result: web1 deployed\nDeptool-Result: web2 rolled-back/);
  const afterFailure = comment()!;
  assert.deepEqual(parsePlanMarker(afterFailure.body), reviewed, 'the comment keeps the reviewed plan');
  assert.match(afterFailure.body, /❌ \*\*Deploy did not succeed\*\*.*`web2`.* Re-running the job deploys this plan to the hosts that did not succeed, once what made them fail is fixed\./);

  const stopped = await fleet.exec('web2', ['systemctl', 'stop', 'squatter']);
  assert.equal(stopped.code, 0, stopped.stderr);
  const web1Revision = (await fleet.exec('web1', ['readlink', '/var/lib/deptool/apps/site/current'])).stdout;
  const tip = repo.storeGit('rev-parse', 'HEAD');

  const rerun = await onPush(repo.workspace, inputs);
  assert.equal(rerun.code, 0, rerun.stdout);
  assert.match(rerun.stdout, new RegExp(`Deploying what is left of the plan reviewed on pull request #${PR.number} to 1 host: \`web2\`; 1 host of it is already up to date\\.`));
  assert.deepEqual((JSON.parse(rerun.outputs['result-json']) as { host: string; status: string }[]).map((r) => `${r.host} ${r.status}`), ['web2 deployed']);
  assert.equal(await served('web2', port), 'three\n');
  assert.equal(await served('web1'), 'three\n');
  assert.equal((await fleet.exec('web1', ['readlink', '/var/lib/deptool/apps/site/current'])).stdout, web1Revision, 'web1 was left alone');

  assert.equal(repo.storeGit('rev-parse', 'HEAD~1'), tip);
  const message = repo.storeGit('log', '-1', '--format=%B');
  assert.match(message, /^Update site on web2\n/);
  assert.match(message, /Deptool-Result: web2 deployed/);
  assert.ok(!message.includes('web1'), message);
  assert.equal(repo.storeGit('show', 'HEAD:web2/site/index.html'), 'three');
  const resumed = comment()!;
  assert.deepEqual(parsePlanMarker(resumed.body), reviewed, 'a further re-run still compares with the reviewed plan');
  assert.match(resumed.body, /✅ \*\*Deploy succeeded\*\* in \[this run\]\([^)]+\) \(1 deployed\).* It deployed what was left of this plan: 1 host of it was already up to date\./);
  assert.equal(resumed.body.match(/\*\*Deploy /g)?.length, 1, 'the new status replaced the old one');
  api.assertNoViolations();
});

test('mode: sync rebuilds a deleted store branch from what the hosts run, and the next plan is empty', async () => {
  const before = repo.storeGit('ls-tree', '-r', 'HEAD');
  const deployed = new Map(['web1', 'web2'].map((host) => [host, before.split('\n').filter((line) => line.includes(`\t${host}/`)).join('\n')]));
  git(repo.dir, ['--git-dir', repo.remote, 'update-ref', '-d', 'refs/heads/deptool/store']);

  const run = await runAction({ eventName: 'workflow_dispatch', payload: workflowDispatch({}), workspace: repo.workspace, sha: PUSH.after, ref: PUSH.ref, apiUrl: api.url, inputs: { cluster: 'prod', mode: 'sync', ...secrets() } });
  assert.equal(run.code, 0, run.stdout);
  assert.match(repo.storeGit('log', '-1', '--format=%s'), /^Sync web1, web2$/);
  const after = repo.storeGit('ls-tree', '-r', 'HEAD');
  for (const [host, lines] of deployed) {
    assert.equal(after.split('\n').filter((line) => line.includes(`\t${host}/`)).join('\n'), lines, `${host} is recorded exactly as it was`);
  }
  assert.deepEqual((JSON.parse(run.outputs['result-json']) as { status: string }[]).map((r) => r.status), ['synced', 'synced']);
  assert.match(run.summary, /## deptool: sync/);
  assertNoSecrets(run);

  const again = await runAction({ eventName: 'workflow_dispatch', payload: workflowDispatch({}), workspace: repo.workspace, sha: PUSH.after, ref: PUSH.ref, apiUrl: api.url, inputs: { cluster: 'prod', mode: 'sync', ...secrets() } });
  assert.equal(again.code, 0, again.stdout);
  assert.deepEqual((JSON.parse(again.outputs['result-json']) as { status: string }[]).map((r) => r.status), ['up to date', 'up to date']);
  assert.match(again.summary, /nothing was recorded/);
  api.assertNoViolations();
});
