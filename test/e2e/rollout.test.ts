// Rollouts on six real hosts: a broken canary changes only the canary; with batches of two and
// a budget of one failure, two broken hosts stop the rollout after the batch that exceeded
// it; the Action's merge deploy says so in its summary and on the pull request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parsePlanMarker } from '../../src/render/markdown.js';
import { pullRequest, push } from '../action/payloads.js';
import { actionRepo, type ActionRepo } from '../action/repo.js';
import { runAction } from '../action/runner.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { bootFleet, type Fleet } from './fleet/fleet.js';
import { workspace, type Workspace } from './workspace.js';

const HOSTS = ['web1', 'web2', 'web3', 'web4', 'web5', 'web6'];
const BOT = 'github-actions[bot]';
const TOKEN = 'ghs_workflowtoken';
const PR = pullRequest('opened').pull_request;
const PUSH = push();

let fleet: Fleet;
let ws: Workspace;
const ports = new Map<string, number>();

before(async () => {
  fleet = await bootFleet({ count: HOSTS.length, hostnames: HOSTS });
  for (const host of HOSTS) ports.set(host, await fleet.allocatePort());
  ws = await workspace(fleet);
});

after(async () => {
  await ws?.remove();
  await fleet?.stop();
});

/** Every host serves `content`; the `broken` ones with a unit that cannot start. */
function tree(content: string, broken: readonly string[] = []): Record<string, string> {
  const files: Record<string, string> = {};
  for (const host of HOSTS) {
    const serve = `/usr/bin/python3 -m http.server ${ports.get(host)} --bind 127.0.0.1 --directory /var/lib/deptool/apps/site/current`;
    files[`${host}/site/index.html`] = content;
    files[`${host}/site/manifest.json`] = '{ "systemd": { "units_enabled": ["site.service"] } }';
    files[`${host}/site/systemd/site.service`] = `[Unit]\nDescription=site\n[Service]\nExecStart=${broken.includes(host) ? '/usr/bin/does-not-exist' : serve}\n[Install]\nWantedBy=multi-user.target\n`;
  }
  return files;
}

async function served(host: string): Promise<string> {
  const get = `import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:${ports.get(host)}/index.html').read().decode(),end='')`;
  return (await fleet.exec(host, ['python3', '-c', get])).stdout;
}

const current = async (host: string) => (await fleet.exec(host, ['readlink', '/var/lib/deptool/apps/site/current'])).stdout.trim();

test('a six-host rollout with a broken canary changes only the canary, and says so', async () => {
  await ws.write(tree('v1\n'));
  assert.equal((await ws.deptool('deploy', '--yes', '--settle', '0.3')).code, 0);
  const before = new Map(await Promise.all(HOSTS.map(async (h) => [h, await current(h)] as const)));

  await ws.write(tree('v2\n', ['web1']), { settings: { rollout: { canary: 1, batch: 2, max_failed: 0 } } });
  const result = await ws.deptool('deploy', '--yes', '--settle', '0.5');
  assert.equal(result.code, 4, result.stdout + result.stderr);
  assert.match(result.stdout, /^Rollout: canary web1 first, then 3 batches of up to 2 hosts; stops at the first failed host\.$/m);
  assert.match(result.stdout, /^ {2}web1: rolled back$/m);
  assert.match(result.stdout, /^The rollout stopped after its canary: 1 host\(s\) failed, more than its failure budget of 0; 5 hosts not started\.$/m);
  for (const host of HOSTS) {
    assert.equal(await current(host), before.get(host), `${host} still runs v1`);
    assert.equal(await served(host), 'v1\n');
  }
  const log = await ws.deptool('log', '-n', '1');
  assert.match(log.stdout, /^ {4}web1: rolled-back/m);
  for (const host of HOSTS.slice(1)) assert.match(log.stdout, new RegExp(`^ {4}${host}: skipped \\(not started: the rollout stopped after its canary`, 'm'));
});

test('batch 2 and max_failed 1 with two broken hosts: the rollout stops after the batch that exceeded the budget', async () => {
  await ws.write(tree('v3\n', ['web2', 'web4']), { settings: { rollout: { batch: 2, max_failed: 1 } } });
  const result = await ws.deptool('deploy', '--yes', '--settle', '0.5', '--json');
  assert.equal(result.code, 4, result.stdout + result.stderr);
  const document = JSON.parse(result.stdout) as { exit_code: number; stopped: unknown; hosts: { host: string; status: string; stage: number }[] };
  assert.equal(document.exit_code, 4);
  assert.deepEqual(document.stopped, { stage: 2, kind: 'batch', failed: 2, max_failed: 1 });
  assert.deepEqual(
    document.hosts.map((h) => [h.host, h.status, h.stage]),
    [
      ['web1', 'deployed', 1],
      ['web2', 'rolled-back', 1],
      ['web3', 'deployed', 2],
      ['web4', 'rolled-back', 2],
      ['web5', 'skipped', 3],
      ['web6', 'skipped', 3],
    ],
  );
  assert.match(result.stderr, /The rollout stopped after stage 2: 2 host\(s\) failed, more than its failure budget of 1; 2 hosts not started\./, 'people read it on stderr');
  assert.equal(await served('web1'), 'v3\n');
  assert.equal(await served('web3'), 'v3\n');
  for (const host of ['web2', 'web4', 'web5', 'web6']) assert.equal(await served(host), 'v1\n', host);
});

test("the Action's merge deploy of a rollout stopped by its budget says so in its summary and on the pull request", async () => {
  const repo: ActionRepo = await actionRepo();
  const api: GitHubApi = await startGitHubApi({ tokens: { [TOKEN]: { login: BOT, type: 'Bot', canWrite: true, canReadUser: false } } });
  try {
    api.addPull({ number: PR.number, headSha: PR.head.sha, mergeCommitSha: PUSH.after, state: 'closed', merged: true });
    const secrets = {
      'ssh-private-key': fleet.privateKeyPem,
      'known-hosts': fleet.hosts.map((h) => h.knownHostsLine).join('\n'),
      'ssh-config': fleet.hosts.map((h) => `Host ${h.name}\n  HostName ${h.address}\n  Port ${h.port}\n  User root\n`).join('\n'),
      settle: '0.5',
    };
    await repo.write(tree('a1\n'));
    const first = await runAction({ eventName: 'push', payload: push(), workspace: repo.workspace, sha: PUSH.after, ref: PUSH.ref, apiUrl: api.url, inputs: { cluster: 'prod', ...secrets } });
    assert.equal(first.code, 0, first.stdout);

    await repo.write(tree('a2\n', ['web1']), { rollout: { canary: 1, max_failed: 0 } });
    const planned = await runAction({ eventName: 'pull_request', payload: pullRequest('opened'), workspace: repo.workspace, sha: PR.head.sha, ref: `refs/pull/${PR.number}/merge`, apiUrl: api.url, inputs: { cluster: 'prod' } });
    assert.equal(planned.code, 0, planned.stdout);
    const reviewed = api.comments(PR.number).find((c) => c.login === BOT && parsePlanMarker(c.body) !== null)!;
    assert.match(reviewed.body, /\*\*Rollout: canary web1 first, then the other 5 hosts at once; stops at the first failed host\. Every host is locked and checked before the first one changes\.\*\*/);

    const run = await runAction({ eventName: 'push', payload: push(), workspace: repo.workspace, sha: PUSH.after, ref: PUSH.ref, apiUrl: api.url, inputs: { cluster: 'prod', 'require-reviewed-plan': 'true', ...secrets } });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /^::error::Deploy did not succeed on 6 of 6 host\(s\): .*The rollout stopped by its failure budget\.$/m);
    assert.doesNotMatch(run.stdout, /::error title=web2/, 'hosts never started are in the summary, not annotations');
    assert.match(run.summary, /⛔ \*\*The rollout stopped after its canary\*\*: 1 host\(s\) failed, more than its failure budget of 0; 5 host\(s\) were not started\./);
    assert.match(run.summary, /\| `web2` \| ⏭️ not started \|/);
    const statuses = (JSON.parse(run.outputs['result-json']) as { host: string; status: string }[]).map((r) => [r.host, r.status]);
    assert.deepEqual(statuses, HOSTS.map((h) => [h, h === 'web1' ? 'rolled-back' : 'skipped']));
    const updated = api.comments(PR.number).find((c) => c.id === reviewed.id)!;
    assert.match(updated.body, /The rollout stopped after its canary/);
    assert.equal(await served('web2'), 'a1\n', 'web2 was not started');
    api.assertNoViolations();
  } finally {
    await api.close();
    await repo.remove();
  }
});
