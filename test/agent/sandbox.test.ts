// The agent under dash in a --root sandbox (no systemd): sessions, staging, links, flips, rollback and gc.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { tempDir } from '../helpers/write-tree.js';
import type { AgentResult, Revision, Session, Step, TarEntry } from './helpers.js';
import {
  AGENT_FILE,
  AGENT_NAME,
  AGENT_SHA256,
  AGENT_VERSION,
  SandboxAgent,
  SessionEnded,
  activationTar,
  checksumList,
  parseActivation,
  revision,
  revisionEntries,
  stageTar,
  tar,
} from './helpers.js';

const APPS = 'var/lib/deptool/apps';

interface Sandbox {
  root: string;
  agent: SandboxAgent;
  session: Session;
  /** Path inside the sandbox of an absolute host path. */
  at(path: string): string;
  stage(...revisions: Revision[]): Promise<AgentResult>;
  activate(id: string, steps: Step[], state?: string): Promise<AgentResult & { log: ReturnType<typeof parseActivation> }>;
}

async function sandbox(t: TestContext, env?: NodeJS.ProcessEnv): Promise<Sandbox> {
  const root = await tempDir(t);
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/hostname'), 'webserver\n');
  const agent = new SandboxAgent(root, env);
  const session = await agent.session('alice@laptop deploy');
  t.after(() => session.close());
  const at = (path: string) => join(root, path);
  return {
    root,
    agent,
    session,
    at,
    stage: (...revisions) => agent.command(session, 'stage', [], stageTar(...revisions)),
    activate: async (id, steps, state) => {
      const result = await agent.command(session, 'activate', [id, 60, 5], activationTar(steps, state));
      return { ...result, log: parseActivation(result.raw) };
    },
  };
}

/** Stages a revision and flips to it, asserting both worked. */
async function deploy(box: Sandbox, id: string, rev: Revision, extra: Step[] = []): Promise<void> {
  const staged = await box.stage(rev);
  assert.equal(staged.code, 0, staged.stdout + staged.stderr);
  const activated = await box.activate(id, [['flip', rev.app, rev.rev], ...extra, ['state']]);
  assert.equal(activated.log.result, 'ok', activated.stdout + activated.stderr);
}

const v1 = revision('caddy', { Caddyfile: 'localhost:80\n', 'systemd/caddy.service': '[Service]\n', 'tmpfiles.conf': 'd /var/lib/caddy\n' });
const v2 = revision('caddy', { Caddyfile: 'localhost:8080\n', 'systemd/caddy.service': '[Service]\n', 'tmpfiles.conf': 'd /var/lib/caddy 0770\n' });
const v3 = revision('caddy', { Caddyfile: 'localhost:9090\n' });

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

test('hello names the version and the first 10 hex digits of the script\'s own SHA-256', async (t) => {
  const agent = new SandboxAgent(await tempDir(t));
  const result = await agent.run(['hello']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `deptool-agent ${AGENT_VERSION} ${AGENT_SHA256.slice(0, 10)}\n`);
  assert.equal(AGENT_VERSION, '0.2.0');
});

test('unknown commands and missing arguments are usage errors (exit 2)', async (t) => {
  const agent = new SandboxAgent(await tempDir(t));
  assert.equal((await agent.run(['frobnicate'])).code, 2);
  assert.equal((await agent.run(['check'])).code, 2);
  assert.equal((await agent.run(['session'])).code, 2);
  assert.equal((await agent.run(['hello', 'extra'])).code, 2);
});

test('a session reports the host\'s facts, then holds the lock until its stdin ends', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/hostname'), 'webserver\n');
  const agent = new SandboxAgent(root);
  const first = await agent.session('alice@laptop deploy');
  assert.deepEqual(first.facts.lines, [
    `session ${first.pid}`,
    `agent ${AGENT_VERSION} ${AGENT_SHA256.slice(0, 10)}`,
    'hostname webserver',
    'system skipped',
  ]);
  assert.equal(first.facts.state, '');
  const holder = readFileSync(join(root, 'var/lib/deptool/lock.holder'), 'utf8');
  assert.match(holder, new RegExp(`^alice@laptop deploy \\d+ ${first.pid}\\n$`));

  const second = agent.startSession('bob@ci');
  const refused = await second.exited;
  assert.equal(refused.code, 75);
  assert.equal(refused.stdout, `busy ${holder}`);
  await assert.rejects(second.ready, SessionEnded);

  assert.equal(await first.close(), 0);
  const third = await agent.session('bob@ci');
  assert.match(third.facts.lines[0], /^session \d+$/);
  assert.equal(await third.close(), 0);
});

test('a session that is killed releases the lock', async (t) => {
  const agent = new SandboxAgent(await tempDir(t));
  const first = await agent.session('alice');
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('close', resolve));
  const second = await agent.session('bob');
  assert.equal(await second.close(), 0);
});

test('commands refuse without a live session (exit 3, nothing changes)', async (t) => {
  const root = await tempDir(t);
  const agent = new SandboxAgent(root);
  const none = await agent.command('1', 'check');
  assert.equal(none.code, 3);
  assert.equal(none.stdout, 'error no session\n');

  const session = await agent.session('alice');
  const wrongPid = await agent.command(String(Number(session.pid) + 1), 'stage', [], stageTar(v1));
  assert.equal(wrongPid.code, 3);
  assert.equal(wrongPid.stdout, 'error no session\n');
  await session.close();
  // The holder line still names the pid, but the session is gone.
  const stale = await agent.command(session.pid, 'stage', [], stageTar(v1));
  assert.equal(stale.code, 3);
  assert.equal(stale.stdout, 'error no session\n');
  assert.deepEqual(readdirSync(join(root, APPS)), []);

  assert.equal((await agent.run(['stage'])).code, 2, 'a command without --session is a usage error');
});

test('stage verifies checksums and installs read-only revisions with their lists', async (t) => {
  const box = await sandbox(t);
  const tool = revision('tool', { 'bin/run': { content: '#!/bin/sh\n', executable: true }, 'README': 'hi\n' });
  const staged = await box.stage(v1, tool);
  assert.equal(staged.code, 0, staged.stderr);
  assert.equal(staged.stdout, `staged caddy ${v1.rev}\nstaged tool ${tool.rev}\ndone\n`);
  assert.deepEqual(readdirSync(box.at(`${APPS}/caddy`)).sort(), [v1.rev, `${v1.rev}.sha256`]);
  assert.equal(readFileSync(box.at(`${APPS}/caddy/${v1.rev}/Caddyfile`), 'utf8'), 'localhost:80\n');
  const mode = (path: string) => statSync(box.at(`${APPS}/${path}`)).mode & 0o7777;
  assert.equal(mode(`caddy/${v1.rev}/Caddyfile`), 0o444);
  assert.equal(mode(`tool/${tool.rev}/bin/run`), 0o555);
  assert.equal(mode(`tool/${tool.rev}/README`), 0o444);
  assert.equal(mode(`tool/${tool.rev}`), 0o755);
  assert.deepEqual(readdirSync(box.at('var/lib/deptool/tmp')), [], 'the staging dir is cleaned up');
});

test('stage refuses a corrupted file and installs nothing, not even the good revisions', async (t) => {
  const box = await sandbox(t);
  const good = revision('other', { a: 'a\n' });
  const tampered = revisionEntries(v1).map((entry) => (entry.path.endsWith('/Caddyfile') ? { ...entry, content: 'tampered\n' } : entry));
  const archive = tar([...revisionEntries(good), ...tampered]);
  const result = await box.agent.command(box.session, 'stage', [], archive);
  assert.equal(result.code, 3);
  assert.equal(result.stdout, `error caddy/${v1.rev}: modified Caddyfile\n`);
  assert.deepEqual(readdirSync(box.at(APPS)), []);
});

test('stage refuses a file that is not in the checksum list', async (t) => {
  const box = await sandbox(t);
  const archive = tar([
    ...revisionEntries(v3),
    { path: `caddy/${v3.rev}/smuggled`, content: 'x' },
  ]);
  const result = await box.agent.command(box.session, 'stage', [], archive);
  assert.equal(result.code, 3);
  assert.equal(result.stdout, `error caddy/${v3.rev}: extra smuggled\n`);
  assert.deepEqual(readdirSync(box.at(APPS)), []);
});

test('stage refuses a checksum list that names a file outside its revision', async (t) => {
  const box = await sandbox(t);
  const other = revision('other', { a: 'a\n' });
  // The hash is right, but the file is another revision's: this revision would lack it.
  const sneaky = tar([
    ...revisionEntries(other),
    ...revisionEntries(v3).map((entry) =>
      entry.path.endsWith('.sha256') ? { ...entry, content: `${String(entry.content)}${checksumList({ [`../../other/${other.rev}/a`]: 'a\n' })}` } : entry,
    ),
  ]);
  const result = await box.agent.command(box.session, 'stage', [], sneaky);
  assert.equal(result.code, 3);
  assert.equal(result.stdout, `error caddy/${v3.rev}: modified ../../other/${other.rev}/a\n`);
  assert.deepEqual(readdirSync(box.at(APPS)), []);
});

test('stage refuses a stream that is not exactly revisions with their lists, naming every problem', async (t) => {
  const box = await sandbox(t);
  const other = revision('other', { a: 'a\n' });
  const archive = tar([
    ...revisionEntries(v3).filter((entry) => !entry.path.endsWith('.sha256')),
    { path: `other/${other.rev}.sha256`, content: checksumList(other.files) },
    { path: 'stray', content: 'x' },
  ]);
  const result = await box.agent.command(box.session, 'stage', [], archive);
  assert.equal(result.code, 3, result.stderr);
  assert.deepEqual(result.stdout.split('\n').sort(), [
    '',
    `error unexpected caddy/${v3.rev} has no checksum list caddy/${v3.rev}.sha256`,
    `error unexpected other/${other.rev}.sha256 lists a revision that was not sent`,
    'error unexpected stray',
  ]);
  assert.deepEqual(readdirSync(box.at(APPS)), []);
});

test('stage rejects members that are absolute, contain .., or are links, before extracting anything', async (t) => {
  const box = await sandbox(t);
  const cases: [string, TarEntry, RegExp][] = [
    ['dot-dot', { path: `caddy/${v3.rev}/../../../../escaped`, content: 'x' }, /^error path with '\.\.' in the archive: /],
    ['absolute', { path: '/tmp/escaped-by-deptool-test', content: 'x' }, /^error absolute path in the archive: \/tmp\//],
    ['symlink', { path: `caddy/${v3.rev}/link`, type: 'symlink', linkname: '/etc' }, /^error only regular files and directories are accepted: l/],
    ['hard link', { path: `caddy/${v3.rev}/hard`, type: 'hardlink', linkname: '/etc/passwd' }, /^error only regular files and directories are accepted: h/],
  ];
  for (const [name, member, message] of cases) {
    const result = await box.agent.command(box.session, 'stage', [], tar([...revisionEntries(v3), member]));
    assert.equal(result.code, 3, `${name}: ${result.stdout}${result.stderr}`);
    assert.match(result.stdout, message, name);
    assert.deepEqual(readdirSync(box.at(APPS)), [], name);
    assert.ok(!existsSync(join(box.root, 'escaped')) && !existsSync('/tmp/escaped-by-deptool-test'), name);
  }
  const garbage = await box.agent.command(box.session, 'stage', [], Buffer.from('not a tar stream'));
  assert.equal(garbage.code, 3);
  assert.match(garbage.stdout, /^error the input is not a valid tar stream/);
});

test('stage keeps a revision that is already there, and replaces one modified on the host', async (t) => {
  const box = await sandbox(t);
  assert.equal((await box.stage(v1)).code, 0);
  const dir = box.at(`${APPS}/caddy/${v1.rev}`);
  const inode = statSync(dir).ino;
  const again = await box.stage(v1);
  assert.equal(again.stdout, `staged caddy ${v1.rev}\ndone\n`);
  assert.equal(statSync(dir).ino, inode, 'the present revision was kept');

  spawnSync('chmod', ['u+w', join(dir, 'Caddyfile')]);
  writeFileSync(join(dir, 'Caddyfile'), 'edited on the host\n');
  const repaired = await box.stage(v1);
  assert.equal(repaired.stdout, `staged caddy ${v1.rev}\ndone\n`);
  assert.equal(readFileSync(join(dir, 'Caddyfile'), 'utf8'), 'localhost:80\n');
});

test('activation flips current and previous as in the tutorial', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  assert.equal(link(box.at(`${APPS}/caddy/current`)), v1.rev);
  assert.equal(link(box.at(`${APPS}/caddy/previous`)), undefined);
  await deploy(box, 'a2', v2);
  // tree /var/lib/deptool/apps/caddy: both revisions, current -> new, previous -> old.
  assert.deepEqual(readdirSync(box.at(`${APPS}/caddy`)).sort(), [v1.rev, `${v1.rev}.sha256`, v2.rev, `${v2.rev}.sha256`, 'current', 'previous'].sort());
  assert.equal(link(box.at(`${APPS}/caddy/current`)), v2.rev);
  assert.equal(link(box.at(`${APPS}/caddy/previous`)), v1.rev);
  assert.equal(readFileSync(box.at(`${APPS}/caddy/current/Caddyfile`), 'utf8'), 'localhost:8080\n');

  // Flipping to the current revision again keeps previous.
  await deploy(box, 'a3', v2);
  assert.equal(link(box.at(`${APPS}/caddy/previous`)), v1.rev);

  await box.session.close();
  const again = await box.agent.session('again');
  t.after(() => again.close());
  const facts = again.facts;
  assert.ok(facts.lines.includes(`current caddy ${v2.rev}`));
  assert.ok(facts.lines.includes(`previous caddy ${v1.rev}`));
  assert.ok(facts.lines.includes('activation a3 ok'));
  assert.equal(facts.state, '{}\n');
});

test('a session runs `activate` sent on its stdin after ready, then ends and releases the lock', async (t) => {
  const root = await tempDir(t);
  const agent = new SandboxAgent(root);
  const session = await agent.session('alice');
  assert.equal((await agent.command(session, 'stage', [], stageTar(v1))).code, 0);
  session.child.stdin.end(Buffer.concat([Buffer.from('activate\ta1\t60\t5\n'), activationTar([['flip', 'caddy', v1.rev], ['state']], '{}\n')]));
  const ended = await new Promise<Buffer>((resolve) => {
    const out: Buffer[] = [];
    session.child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    session.child.once('close', (code) => {
      assert.equal(code, 0);
      resolve(Buffer.concat(out));
    });
  });
  const log = parseActivation(ended);
  assert.equal(log.result, 'ok');
  assert.deepEqual(log.lines, ['step 1 flip ok', 'step 2 state ok']);
  assert.equal(link(join(root, `${APPS}/caddy/current`)), v1.rev);
  const next = await agent.session('bob');
  assert.equal(await next.close(), 0);

  // A request the session does not know is a usage error that changes nothing.
  const wrong = await agent.session('carol');
  wrong.child.stdin.end('stage\n');
  assert.equal(await new Promise((resolve) => wrong.child.once('close', resolve)), 2);
});

test('the activation log names every step; systemd steps are skipped in a sandbox', async (t) => {
  const box = await sandbox(t);
  assert.equal((await box.stage(v1)).code, 0);
  const result = await box.activate('a1', [
    ['flip', 'caddy', v1.rev],
    ['link', '/etc/systemd/system/caddy.service', '/var/lib/deptool/apps/caddy/current/systemd/caddy.service', 'no-adopt'],
    ['reenable', 'reset', 'caddy@a.service', 'caddy@b.service'],
    ['reenable', 'keep', 'caddy.service'],
    ['daemon-reload'],
    ['enable', 'caddy.service'],
    ['restart', 'caddy.service'],
    ['verify', 0, 'caddy.service'],
    ['status', 'caddy.service'],
    ['state'],
  ], '{"hosts":1}\n');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.log.lines, [
    'step 1 flip ok',
    'step 2 link ok',
    'step 3 reenable skipped',
    'step 4 reenable skipped',
    'step 5 daemon-reload skipped',
    'step 6 enable skipped',
    'step 7 restart skipped',
    'unit caddy.service skipped',
    'step 8 verify skipped',
    'step 9 status skipped',
    'step 10 state ok',
  ]);
  assert.equal(result.log.result, 'ok');
  assert.equal(readFileSync(box.at('var/lib/deptool/state.json'), 'utf8'), '{"hosts":1}\n');
});

test('links get the root-prefixed value; check reports them as the driver wrote them', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1, [['link', '/etc/tmpfiles.d/caddy.conf', '/var/lib/deptool/apps/caddy/current/tmpfiles.conf', 'adopt']]);
  const target = box.at('etc/tmpfiles.d/caddy.conf');
  assert.equal(link(target), `${box.root}/var/lib/deptool/apps/caddy/current/tmpfiles.conf`);
  assert.equal(readFileSync(target, 'utf8'), 'd /var/lib/caddy\n');

  mkdirSync(box.at('etc/other'));
  writeFileSync(box.at('etc/other/file'), 'x');
  const check = await box.agent.command(box.session, 'check', ['/etc/tmpfiles.d/caddy.conf', '/etc/other/file', '/etc/missing']);
  assert.equal(check.code, 0, check.stderr);
  assert.equal(
    check.stdout,
    ['link /etc/tmpfiles.d/caddy.conf /var/lib/deptool/apps/caddy/current/tmpfiles.conf', 'link /etc/other/file !', 'link /etc/missing -', 'done', ''].join('\n'),
  );
});

test('check reports files of current revisions that were modified, removed or added on the host', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  const dir = box.at(`${APPS}/caddy/${v1.rev}`);
  spawnSync('chmod', ['-R', 'u+w', dir]);
  writeFileSync(join(dir, 'Caddyfile'), 'edited\n');
  spawnSync('rm', [join(dir, 'tmpfiles.conf')]);
  writeFileSync(join(dir, 'new file'), 'x');
  const check = await box.agent.command(box.session, 'check');
  assert.equal(check.stdout, 'modified caddy Caddyfile\nmodified caddy tmpfiles.conf\nextra caddy new file\ndone\n');
});

test('an identical regular file is adopted: saved under the activation, replaced by the link', async (t) => {
  const box = await sandbox(t);
  mkdirSync(box.at('etc/tmpfiles.d'));
  writeFileSync(box.at('etc/tmpfiles.d/caddy.conf'), 'd /var/lib/caddy\n');
  await deploy(box, 'a1', v1, [['link', '/etc/tmpfiles.d/caddy.conf', '/var/lib/deptool/apps/caddy/current/tmpfiles.conf', 'adopt']]);
  assert.equal(link(box.at('etc/tmpfiles.d/caddy.conf')), `${box.root}/var/lib/deptool/apps/caddy/current/tmpfiles.conf`);
  const adopted = box.at('var/lib/deptool/activations/a1/adopted');
  assert.deepEqual(readdirSync(adopted), ['2']);
  assert.equal(readFileSync(join(adopted, '2'), 'utf8'), 'd /var/lib/caddy\n');
});

test('a different regular file is refused with the contract\'s message, and nothing changes', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  mkdirSync(box.at('etc/tmpfiles.d'));
  writeFileSync(box.at('etc/tmpfiles.d/caddy.conf'), 'mine\n');
  assert.equal((await box.stage(v2)).code, 0);
  const result = await box.activate('a2', [
    ['flip', 'caddy', v2.rev],
    ['link', '/etc/tmpfiles.d/caddy.conf', '/var/lib/deptool/apps/caddy/current/tmpfiles.conf', 'adopt'],
    ['state'],
  ], '{"new":true}\n');
  assert.deepEqual(result.log.lines, [
    'step 1 flip ok',
    'step 2 link failed',
    'error /etc/tmpfiles.d/caddy.conf exists with different content; move it away, or make it identical to adopt it',
    'rollback begin',
    'rollback end',
  ]);
  assert.equal(result.log.result, 'rolled-back');
  assert.equal(readFileSync(box.at('etc/tmpfiles.d/caddy.conf'), 'utf8'), 'mine\n');
  assert.ok(lstatSync(box.at('etc/tmpfiles.d/caddy.conf')).isFile());
  assert.equal(link(box.at(`${APPS}/caddy/current`)), v1.rev);
  assert.equal(link(box.at(`${APPS}/caddy/previous`)), undefined);
  assert.equal(readFileSync(box.at('var/lib/deptool/state.json'), 'utf8'), '{}\n');
});

test('no-adopt links refuse any regular file, and no link replaces a foreign symlink', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  mkdirSync(box.at('etc/systemd/system'), { recursive: true });
  writeFileSync(box.at('etc/systemd/system/caddy.service'), '[Service]\n');
  symlinkSync('/usr/share/foreign', box.at('etc/foreign'));
  const unit = await box.activate('a2', [['link', '/etc/systemd/system/caddy.service', '/var/lib/deptool/apps/caddy/current/systemd/caddy.service', 'no-adopt']]);
  assert.ok(unit.log.lines.includes('error /etc/systemd/system/caddy.service exists and deptool does not manage it; move it away'), unit.stdout);
  const foreign = await box.activate('a3', [['link', '/etc/foreign', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt']]);
  assert.ok(
    foreign.log.lines.includes('error /etc/foreign is a symlink to /usr/share/foreign, not into /var/lib/deptool; remove it to let deptool manage it'),
    foreign.stdout,
  );
  assert.equal(link(box.at('etc/foreign')), '/usr/share/foreign');
});

test('unlink removes only links into /var/lib/deptool, and an emptied unit drop-in dir', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1, [
    ['link', '/etc/tmpfiles.d/caddy.conf', '/var/lib/deptool/apps/caddy/current/tmpfiles.conf', 'adopt'],
    ['link', '/etc/systemd/system/caddy.service.d/override.conf', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'no-adopt'],
  ]);
  symlinkSync('/usr/lib/elsewhere', box.at('etc/tmpfiles.d/foreign.conf'));
  writeFileSync(box.at('etc/tmpfiles.d/plain.conf'), 'x');
  const result = await box.activate('a2', [
    ['unlink', '/etc/tmpfiles.d/caddy.conf'],
    ['unlink', '/etc/tmpfiles.d/foreign.conf'],
    ['unlink', '/etc/tmpfiles.d/plain.conf'],
    ['unlink', '/etc/tmpfiles.d/never-existed.conf'],
    ['unlink', '/etc/systemd/system/caddy.service.d/override.conf'],
  ]);
  assert.equal(result.log.result, 'ok', result.stdout);
  assert.deepEqual(result.log.lines, [
    'step 1 unlink ok',
    'warning /etc/tmpfiles.d/foreign.conf points to /usr/lib/elsewhere, not into /var/lib/deptool; left in place',
    'step 2 unlink ok',
    'warning /etc/tmpfiles.d/plain.conf is not a symlink; left in place',
    'step 3 unlink ok',
    'step 4 unlink ok',
    'step 5 unlink ok',
  ]);
  assert.deepEqual(readdirSync(box.at('etc/tmpfiles.d')).sort(), ['foreign.conf', 'plain.conf']);
  assert.ok(!existsSync(box.at('etc/systemd/system/caddy.service.d')), 'the emptied drop-in dir is gone');
  assert.ok(existsSync(box.at('etc/systemd/system')));
});

test('a failing step rolls back everything already done, and the result says rolled-back', async (t) => {
  const box = await sandbox(t);
  mkdirSync(box.at('etc/tmpfiles.d'));
  await deploy(box, 'a1', v1, [
    ['link', '/etc/tmpfiles.d/caddy.conf', '/var/lib/deptool/apps/caddy/current/tmpfiles.conf', 'adopt'],
    ['link', '/etc/caddy/old.conf', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt'],
  ]);
  const oldApps = readdirSync(box.at(`${APPS}/caddy`)).sort();
  writeFileSync(box.at('etc/adopt-me.conf'), 'localhost:8080\n');
  mkdirSync(box.at('etc/a-directory'));
  assert.equal((await box.stage(v2)).code, 0);

  const result = await box.activate('a2', [
    ['flip', 'caddy', v2.rev],
    ['link', '/etc/tmpfiles.d/caddy.conf', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt'],
    ['link', '/etc/new/deep/dir/caddy.conf', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt'],
    ['link', '/etc/adopt-me.conf', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt'],
    ['unlink', '/etc/caddy/old.conf'],
    ['daemon-reload'],
    ['restart', 'caddy.service'],
    ['state'],
    ['link', '/etc/a-directory', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt'],
    ['verify', 0, 'caddy.service'],
  ], '{"new":true}\n');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.log.lines, [
    'step 1 flip ok',
    'step 2 link ok',
    'step 3 link ok',
    'step 4 link ok',
    'step 5 unlink ok',
    'step 6 daemon-reload skipped',
    'step 7 restart skipped',
    'step 8 state ok',
    'step 9 link failed',
    'error /etc/a-directory is a directory',
    'rollback begin',
    'unit caddy.service skipped',
    'rollback end',
  ]);
  assert.equal(result.log.result, 'rolled-back');

  const prefix = `${box.root}/var/lib/deptool/apps/caddy/current`;
  assert.equal(link(box.at(`${APPS}/caddy/current`)), v1.rev);
  assert.equal(link(box.at(`${APPS}/caddy/previous`)), undefined);
  assert.equal(link(box.at('etc/tmpfiles.d/caddy.conf')), `${prefix}/tmpfiles.conf`, 'the replaced link is back');
  assert.equal(link(box.at('etc/caddy/old.conf')), `${prefix}/Caddyfile`, 'the unlinked link is back');
  assert.ok(!existsSync(box.at('etc/new')), 'the new link and the dirs made for it are gone');
  assert.ok(lstatSync(box.at('etc/adopt-me.conf')).isFile(), 'the adopted file is back');
  assert.equal(readFileSync(box.at('etc/adopt-me.conf'), 'utf8'), 'localhost:8080\n');
  assert.ok(lstatSync(box.at('etc/a-directory')).isDirectory());
  assert.equal(readFileSync(box.at('var/lib/deptool/state.json'), 'utf8'), '{}\n', 'state.json is unchanged');
  assert.deepEqual(readdirSync(box.at(`${APPS}/caddy`)).sort(), [...oldApps, v2.rev, `${v2.rev}.sha256`].sort(), 'the staged revision stays until gc');
  assert.deepEqual(readdirSync(box.at('etc')).filter((name) => name.startsWith('.')), [], 'no temporary links are left');
});

test('remove-app removes current and previous, its links go with unlink, and the app dir with gc', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  await deploy(box, 'a2', v2, [['link', '/etc/tmpfiles.d/caddy.conf', '/var/lib/deptool/apps/caddy/current/tmpfiles.conf', 'adopt']]);
  const result = await box.activate('a3', [['disable', 'caddy.service'], ['unlink', '/etc/tmpfiles.d/caddy.conf'], ['remove-app', 'caddy'], ['state']], '{}\n');
  assert.equal(result.log.result, 'ok', result.stdout);
  assert.ok(!existsSync(box.at('etc/tmpfiles.d/caddy.conf')));
  assert.deepEqual(readdirSync(box.at(APPS)), [], 'a successful activation runs gc, which removes the app dir of a removed app');
});

test('gc keeps current and previous only, this agent only, and the newest five activations', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  await deploy(box, 'a2', v2);
  await deploy(box, 'a3', v3);
  for (const id of ['a4', 'a5', 'a6']) await deploy(box, id, v3);
  // A successful activation already ran gc; stage an old revision again for this one to remove.
  assert.equal((await box.stage(v1)).code, 0);
  const bin = box.at('var/lib/deptool/bin');
  writeFileSync(join(bin, 'agent-0.0.9-0123456789'), '');
  writeFileSync(join(bin, '.agent.123'), '');
  writeFileSync(join(bin, AGENT_NAME), readFileSync(AGENT_FILE));

  const gc = await box.agent.command(box.session, 'gc');
  assert.equal(gc.code, 0, gc.stderr);
  assert.deepEqual(readdirSync(box.at(`${APPS}/caddy`)).sort(), [v2.rev, `${v2.rev}.sha256`, v3.rev, `${v3.rev}.sha256`, 'current', 'previous'].sort());
  assert.deepEqual(readdirSync(bin), [AGENT_NAME]);
  assert.deepEqual(readdirSync(box.at('var/lib/deptool/activations')).sort(), ['a2', 'a3', 'a4', 'a5', 'a6', 'order']);
  assert.match(gc.stdout, new RegExp(`^removed apps/caddy/${v1.rev}\n`));
  assert.ok(gc.stdout.endsWith('done\n'));

  // Revisions named on the command line are kept too.
  assert.equal((await box.stage(v1)).code, 0);
  await box.agent.command(box.session, 'gc', [v1.rev]);
  assert.ok(existsSync(box.at(`${APPS}/caddy/${v1.rev}`)));
});

test('activate refuses malformed steps and a reused id before changing anything', async (t) => {
  const box = await sandbox(t);
  assert.equal((await box.stage(v1)).code, 0);
  const bad: [Step[], string][] = [
    [[['flip', 'caddy', v1.rev], ['explode']], 'error step 2 (explode): unknown step or wrong number of fields\n'],
    [[['flip', 'caddy', 'HEAD']], 'error step 1 (flip): bad app or revision\n'],
    [[['link', 'etc/x', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt']], 'error step 1 (link): target and value must be normalised absolute paths\n'],
    [[['link', '/etc/../x', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt']], 'error step 1 (link): target and value must be normalised absolute paths\n'],
    [[['verify', 'soon', 'caddy.service']], 'error step 1 (verify): the settle time must be milliseconds\n'],
    [[['restart', '../x.service']], 'error step 1 (restart): bad unit name\n'],
    [[['reenable', 'keep']], 'error step 1 (reenable): unknown step or wrong number of fields\n'],
    [[['reenable', 'always', 'caddy.service']], 'error step 1 (reenable): the first field must be keep or reset\n'],
    [[['reenable', 'reset', 'caddy.service', '-x.service']], 'error step 1 (reenable): bad unit name\n'],
  ];
  for (const [steps, message] of bad) {
    const result = await box.agent.command(box.session, 'activate', ['bad', 60, 5], activationTar(steps));
    assert.equal(result.code, 3, message);
    assert.equal(result.stdout, message);
  }
  const noState = await box.agent.command(box.session, 'activate', ['nostate', 60, 5], tar([{ path: 'steps', content: 'state\n' }]));
  assert.equal(noState.stdout, 'error step 1 (state): no state.json was sent\n');
  assert.equal(link(box.at(`${APPS}/caddy/current`)), undefined);

  await deploy(box, 'a1', v1);
  const reused = await box.activate('a1', [['flip', 'caddy', v1.rev]]);
  assert.equal(reused.code, 3);
  assert.equal(reused.stdout, 'error activation a1 exists\n');
  assert.equal((await box.agent.command(box.session, 'activate', ['a b', 60, 5], activationTar([]))).code, 2);
});

test('result prints the log and result of a finished activation', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  const result = await box.agent.command(box.session, 'result', ['a1', 120]);
  assert.equal(result.stdout, 'step 1 flip ok\nstep 2 state ok\nresult ok\n');
  assert.equal((await box.agent.command(box.session, 'result', ['nope', 120])).stdout, 'error no activation nope\n');
});

// --- permissions ---

/** A PATH whose `chmod` and `stat` write their arguments to a log (a line per call), then run the real ones. */
async function loggingPath(t: TestContext): Promise<{ env: NodeJS.ProcessEnv; calls(command: string): string[][] }> {
  const dir = await tempDir(t);
  const log = join(dir, 'calls');
  writeFileSync(log, '');
  for (const command of ['chmod', 'stat']) {
    const real = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(dir, command), `#!/bin/sh\nprintf '%s\\n' "${command} $*" >>'${log}'\nexec ${real} "$@"\n`, { mode: 0o755 });
  }
  return {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    calls: (command) =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith(`${command} `))
        .map((line) => line.split(' ').slice(1)),
  };
}

test('a session makes tmp and activations 0700 on a host an older agent set up, then never spends a process on it', async (t) => {
  const logging = await loggingPath(t);
  const root = await tempDir(t);
  for (const dir of ['apps', 'bin', 'activations', 'tmp']) mkdirSync(join(root, 'var/lib/deptool', dir), { recursive: true, mode: 0o755 });
  const agent = new SandboxAgent(root, logging.env);
  await (await agent.session('upgrade')).close();
  for (const dir of ['tmp', 'activations']) assert.equal(statSync(join(root, 'var/lib/deptool', dir)).mode & 0o777, 0o700, dir);
  assert.equal(logging.calls('chmod').length, 1);
  await (await agent.session('again')).close();
  assert.equal(logging.calls('chmod').length, 1, 'no chmod once they are right');

  writeFileSync(join(root, 'var/lib/deptool/tmp/leftover'), 'x');
  await (await agent.session('emptied')).close();
  assert.equal(statSync(join(root, 'var/lib/deptool/tmp')).mode & 0o777, 0o700, 'tmp made anew is 0700 too');
});

const lockedFiles = {
  Caddyfile: 'localhost:443\n',
  'secrets/a.key': 'KEY-A\n',
  'secrets/b key': 'KEY-B\n',
  'run.sh': { content: '#!/bin/sh\n', executable: true },
  tool: 'not executable in git\n',
};
const locked = revision('caddy', lockedFiles, '0640 - caddy Caddyfile\n0644 - - run.sh\n0400 caddy - secrets/a.key\n0400 caddy - secrets/b key\n0750 - - tool\n');

test('stage gives files the modes of their permissions list, one chmod per mode, whatever the executable bit', async (t) => {
  const logging = await loggingPath(t);
  const box = await sandbox(t, logging.env);
  const before = logging.calls('chmod').length;
  const staged = await box.stage(locked);
  assert.equal(staged.code, 0, staged.stdout + staged.stderr);
  const mode = (path: string) => statSync(box.at(`${APPS}/caddy/${path}`)).mode & 0o7777;
  assert.equal(mode(`${locked.rev}/Caddyfile`), 0o640);
  assert.equal(mode(`${locked.rev}/secrets/a.key`), 0o400);
  assert.equal(mode(`${locked.rev}/secrets/b key`), 0o400);
  assert.equal(mode(`${locked.rev}/run.sh`), 0o644, 'the mode wins over the executable bit');
  assert.equal(mode(`${locked.rev}/tool`), 0o750);
  assert.equal(mode(`${locked.rev}.sha256`), 0o400, 'the checksum list hashes the secrets: not for others');
  assert.equal(mode(`${locked.rev}.perms`), 0o400);
  assert.equal(readFileSync(box.at(`${APPS}/caddy/${locked.rev}.perms`), 'utf8'), locked.perms);
  const perModes = logging.calls('chmod').slice(before).map(([m]) => m).filter((m) => !['0444', '0555'].includes(m));
  assert.deepEqual(perModes.sort(), ['0400', '0640', '0644', '0750'], 'one chmod per distinct mode');
  for (const dir of ['tmp', 'activations']) assert.equal(statSync(box.at(`var/lib/deptool/${dir}`)).mode & 0o777, 0o700, dir);
});

test('a revision without a permissions list costs no chmod beyond the read-only ones', async (t) => {
  const logging = await loggingPath(t);
  const box = await sandbox(t, logging.env);
  const before = logging.calls('chmod').length;
  assert.equal((await box.stage(v1)).code, 0);
  assert.deepEqual(logging.calls('chmod').slice(before).map(([m]) => m), ['0444']);
});

test('stage refuses a permissions list that is malformed, names a file the revision lacks, or comes without its revision', async (t) => {
  const box = await sandbox(t);
  const bad = revision('caddy', { Caddyfile: 'x\n' }, '0400 - - missing.txt\n4755 - - Caddyfile\n0400 Caddy - Caddyfile\n0400 - -\n- - - Caddyfile\n0400 - - ../../etc/passwd\n');
  const stray = revision('other', { a: 'a\n' }, '0400 - - a\n');
  const result = await box.agent.command(box.session, 'stage', [], stageTar(bad));
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.deepEqual(result.stdout.split('\n').sort(), [
    '',
    `error caddy/${bad.rev}: malformed permissions line: - - - Caddyfile`,
    `error caddy/${bad.rev}: malformed permissions line: 0400 - - ../../etc/passwd`,
    `error caddy/${bad.rev}: malformed permissions line: 0400 - -`,
    `error caddy/${bad.rev}: malformed permissions line: 0400 Caddy - Caddyfile`,
    `error caddy/${bad.rev}: malformed permissions line: 4755 - - Caddyfile`,
    `error caddy/${bad.rev}: permissions for missing.txt, which is not a file of the revision`,
  ].sort());
  assert.deepEqual(readdirSync(box.at(APPS)), []);

  const orphan = await box.agent.command(box.session, 'stage', [], tar([...revisionEntries(v3), ...revisionEntries(stray).filter((entry) => entry.path.endsWith('.perms'))]));
  assert.equal(orphan.code, 3);
  assert.equal(orphan.stdout, `error unexpected other/${stray.rev}.perms is the permissions list of a revision that was not sent\n`);
});

test('the permissions list stays beside its revision and goes with it in gc; perms is skipped in a sandbox', async (t) => {
  const box = await sandbox(t);
  assert.equal((await box.stage(locked)).code, 0);
  const first = await box.activate('a1', [['flip', 'caddy', locked.rev], ['perms', 'caddy', locked.rev], ['state']]);
  assert.deepEqual(first.log.lines, ['step 1 flip ok', 'step 2 perms skipped', 'step 3 state ok']);
  await deploy(box, 'a2', v2);
  assert.ok(readdirSync(box.at(`${APPS}/caddy`)).includes(`${locked.rev}.perms`), 'previous keeps its list');

  const missing = await box.activate('a3', [['perms', 'caddy', v2.rev]]);
  assert.equal(missing.log.result, 'rolled-back');
  assert.ok(missing.log.lines.includes(`error caddy ${v2.rev} has no permissions list on the host (apps/caddy/${v2.rev}.perms)`), missing.stdout);

  await deploy(box, 'a4', v3);
  assert.deepEqual(readdirSync(box.at(`${APPS}/caddy`)).sort(), [v2.rev, `${v2.rev}.sha256`, v3.rev, `${v3.rev}.sha256`, 'current', 'previous'].sort());
});

test('check reports a file whose mode was changed on the host, with one stat for a revision with a permissions list and none without', async (t) => {
  const logging = await loggingPath(t);
  const box = await sandbox(t, logging.env);
  await deploy(box, 'a1', locked);
  await deploy(box, 'a2', revision('other', { conf: 'plain\n' }));
  const rev = box.at(`${APPS}/caddy/${locked.rev}`);
  const clean = logging.calls('stat').length;
  assert.equal((await box.agent.command(box.session, 'check')).stdout, 'done\n');
  assert.equal(logging.calls('stat').length - clean, 1, 'one stat, for caddy only');

  chmodSync(join(rev, 'secrets/a.key'), 0o644);
  chmodSync(join(rev, 'secrets/b key'), 0o440);
  const check = await box.agent.command(box.session, 'check');
  assert.equal(check.stdout, 'mode caddy 0644 0400 secrets/a.key\nmode caddy 0440 0400 secrets/b key\ndone\n');
});

test('the agent is clean under shellcheck -s sh', () => {
  const result = spawnSync('shellcheck', ['-s', 'sh', AGENT_FILE], { encoding: 'utf8' });
  assert.equal(result.error, undefined, 'shellcheck is missing: run scripts/fleet/setup.sh (or apt-get install -y shellcheck)');
  assert.equal(result.stdout + result.stderr, '');
  assert.equal(result.status, 0);
});

test('every shellcheck exception in the agent says why', () => {
  readFileSync(AGENT_FILE, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.includes('shellcheck disable')) assert.match(line, /disable=\S+\s+#\s*\S/, `line ${index + 1} disables a check without a reason`);
    });
});

// --- validate and dry run ---

/** The activation input as the driver sends it: revisions to stage first, the steps, the state.json. */
function activationInput(steps: readonly Step[], revisions: readonly Revision[] = [], state = '{"new":true}\n'): Buffer {
  return tar([
    ...revisions.flatMap(revisionEntries).map((entry) => ({ ...entry, path: `revisions/${entry.path}` })),
    { path: 'steps', content: steps.map((step) => `${step.join('\t')}\n`).join('') },
    { path: 'state.json', content: state },
  ]);
}

/** Sends one request and its input on a session's stdin (which ends it) and parses what it prints until it exits. */
async function request(session: Session, line: string, input: Buffer): Promise<{ code: number | null; log: ReturnType<typeof parseActivation> }> {
  const out: Buffer[] = [];
  session.child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  const closed = new Promise<number | null>((resolve) => session.child.once('close', resolve));
  session.child.stdin.end(Buffer.concat([Buffer.from(`${line}\n`), input]));
  const code = await closed;
  return { code, log: parseActivation(Buffer.concat(out)) };
}

/** Every path under `root` with what it is (a link's value, a file's mode and content, a dir's mode), but the session's own files. */
function treeOf(root: string, dir = ''): string[] {
  const entries: string[] = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const path = dir === '' ? name : `${dir}/${name}`;
    if (['var/lib/deptool/lock', 'var/lib/deptool/lock.holder', 'var/lib/deptool/scratch'].includes(path)) continue;
    const stat = lstatSync(join(root, path));
    const mode = (stat.mode & 0o7777).toString(8);
    if (stat.isSymbolicLink()) entries.push(`${path} -> ${readlinkSync(join(root, path))}`);
    else if (stat.isDirectory()) entries.push(`${path}/ ${mode}`, ...treeOf(root, path));
    else entries.push(`${path} ${mode} ${readFileSync(join(root, path), 'utf8')}`);
  }
  return entries;
}

const tmpfilesLink = ['link', '/etc/tmpfiles.d/caddy.conf', '/var/lib/deptool/apps/caddy/current/tmpfiles.conf', 'adopt'];

test('validate steps run on the staged revision before anything changes: {rev} is its directory, anywhere in an argument', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  const seen = join(box.root, 'seen');
  const record = ['validate', 'caddy', v2.rev, 10, '/bin/sh', '-c', 'printf "%s\\n" "$@" > "$0"; readlink "$1/../current" >> "$0"', seen, '{rev}', 'x={rev}/Caddyfile,{rev}'];
  const check = ['validate', 'caddy', v2.rev, 10, '/bin/grep', '-q', '8080', '{rev}/Caddyfile'];
  const result = await box.agent.command(box.session, 'activate', ['a2', 60, 5], activationInput([record, check, ['flip', 'caddy', v2.rev], ['state']], [v2]));
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const log = parseActivation(result.raw);
  assert.deepEqual(log.lines, [`staged caddy ${v2.rev}`, 'step 1 validate ok', 'step 2 validate ok', 'step 3 flip ok', 'step 4 state ok']);
  assert.equal(log.result, 'ok');
  const dir = `${box.root}/${APPS}/caddy/${v2.rev}`;
  assert.equal(readFileSync(seen, 'utf8'), `${dir}\nx=${dir}/Caddyfile,${dir}\n${v1.rev}\n`, 'the arguments, and current still on the old revision');
  assert.equal(link(box.at(`${APPS}/caddy/current`)), v2.rev);
});

test('a failing validate step refuses the activation with its last 20 lines of output: nothing changed, the staged revision is gone', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1, [tmpfilesLink]);
  const before = treeOf(box.root).filter((entry) => !entry.startsWith('var/lib/deptool/activations'));
  const noisy = 'i=0; while [ $i -lt 30 ]; do i=$((i + 1)); echo "line $i"; done; echo "bad directive in $0/Caddyfile" >&2; exit 3';
  const steps: Step[] = [['validate', 'caddy', v2.rev, 10, '/bin/sh', '-c', noisy, '{rev}'], ['flip', 'caddy', v2.rev], tmpfilesLink, ['state']];
  const result = await box.agent.command(box.session, 'activate', ['a2', 60, 5], activationInput(steps, [v2]));
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const log = parseActivation(result.raw);
  assert.deepEqual(log.lines, [`staged caddy ${v2.rev}`, 'step 1 validate failed', `error validate caddy: /bin/sh -c ${noisy} {rev} exited with status 3`]);
  assert.equal(log.result, 'refused');
  const lines = Array.from({ length: 19 }, (_, i) => `line ${i + 12}\n`).join('');
  assert.deepEqual(log.outputs, [{ step: 1, text: `${lines}bad directive in ${box.root}/${APPS}/caddy/${v2.rev}/Caddyfile\n` }]);
  assert.deepEqual(treeOf(box.root).filter((entry) => !entry.startsWith('var/lib/deptool/activations')), before, 'the revision dirs, links and state.json are as they were');

  await box.session.close();
  const next = await box.agent.session('next');
  t.after(() => next.close());
  assert.ok(next.facts.lines.includes('activation a2 refused'), next.facts.lines.join('\n'));
});

test('a validate command is stopped at its time limit, and one that cannot run says so', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  const slow = await box.activate('a2', [['validate', 'caddy', v1.rev, 1, '/bin/sleep', '30'], ['state']]);
  assert.equal(slow.log.result, 'refused');
  assert.ok(slow.log.lines.includes('error validate caddy: /bin/sleep 30 did not finish within 1 s'), slow.stdout);
  const missing = await box.activate('a3', [['validate', 'caddy', v1.rev, 5, '/nonexistent/check'], ['state']]);
  assert.equal(missing.log.result, 'refused');
  assert.ok(missing.log.lines.includes('error validate caddy: /nonexistent/check could not be run (exit status 127)'), missing.stdout);
  assert.match(missing.log.outputs[0]?.text ?? '', /nonexistent\/check/);
  assert.equal(readFileSync(box.at('var/lib/deptool/state.json'), 'utf8'), '{}\n');
});

test('a validate step after a change fails like any step: the activation rolls back', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  assert.equal((await box.stage(v2)).code, 0);
  const result = await box.activate('a2', [['flip', 'caddy', v2.rev], ['validate', 'caddy', v2.rev, 5, '/bin/false'], ['state']]);
  assert.equal(result.log.result, 'rolled-back', result.stdout);
  assert.equal(link(box.at(`${APPS}/caddy/current`)), v1.rev);
});

test('activate refuses malformed validate steps before changing anything', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  const bad: [Step, string][] = [
    [['validate', 'caddy', v1.rev, 10, 'nginx', '-t'], 'the program must be a normalised absolute path'],
    [['validate', 'caddy', v1.rev, 10, '/usr/sbin/../sbin/nginx'], 'the program must be a normalised absolute path'],
    [['validate', 'caddy', 'HEAD', 10, '/bin/true'], 'bad app or revision'],
    [['validate', 'caddy', v1.rev, 0, '/bin/true'], 'the time limit must be whole seconds'],
    [['validate', 'caddy', v1.rev, 'soon', '/bin/true'], 'the time limit must be whole seconds'],
    [['validate', 'caddy', v1.rev, 10, '/bin/echo', 'a\u001bb'], 'an argument holds a control character'],
    [['validate', 'caddy', v1.rev, 10], 'unknown step or wrong number of fields'],
  ];
  for (const [step, why] of bad) {
    const result = await box.agent.command(box.session, 'activate', ['bad', 60, 5], activationTar([step]));
    assert.equal(result.code, 3, why);
    assert.equal(result.stdout, `error step 1 (validate): ${why}\n`);
  }
});

test('a dry run stages, links, adopts and validates in a scratch root, logs every step, and leaves the host as it was', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1, [tmpfilesLink]);
  mkdirSync(box.at('etc/caddy'));
  writeFileSync(box.at('etc/caddy/Caddyfile'), 'localhost:8080\n');
  const before = treeOf(box.root);
  const seen = join(await tempDir(t), 'seen');
  const steps: Step[] = [
    ['validate', 'caddy', v2.rev, 10, '/bin/sh', '-c', 'echo "$1" > "$0"; test -f "$1/Caddyfile"', seen, '{rev}'],
    ['flip', 'caddy', v2.rev],
    tmpfilesLink,
    ['link', '/etc/caddy/Caddyfile', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt'],
    ['link', '/etc/systemd/system/caddy.service', '/var/lib/deptool/apps/caddy/current/systemd/caddy.service', 'no-adopt'],
    ['daemon-reload'],
    ['restart', 'caddy.service'],
    ['verify', 0, 'caddy.service'],
    ['state'],
  ];
  const { code, log } = await request(box.session, 'dry-run\td1\t60', activationInput(steps, [v2]));
  assert.equal(code, 0);
  assert.deepEqual(log.lines, [
    'dry-run /var/lib/deptool/dryrun/d1',
    `staged caddy ${v2.rev}`,
    'step 1 validate ok',
    'step 2 flip ok',
    'step 3 link ok',
    'step 4 link ok',
    'step 5 link ok',
    'step 6 daemon-reload skipped',
    'step 7 restart skipped',
    'unit caddy.service skipped',
    'step 8 verify skipped',
    'step 9 state ok',
  ]);
  assert.equal(log.result, 'ok');
  assert.equal(readFileSync(seen, 'utf8'), `${box.root}/var/lib/deptool/dryrun/d1/${APPS}/caddy/${v2.rev}\n`, 'validate ran on the scratch root\'s revision');
  assert.deepEqual(treeOf(box.root), before, 'nothing outside the scratch root changed, and the scratch root is gone');
  assert.ok(lstatSync(box.at('etc/caddy/Caddyfile')).isFile(), 'the identical file the deploy would adopt is still the host\'s');
});

test('a dry run reports an adoption conflict with a file on the host as a deploy would, and leaves the file alone', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1);
  mkdirSync(box.at('etc/tmpfiles.d'));
  writeFileSync(box.at('etc/tmpfiles.d/caddy.conf'), 'mine\n', { mode: 0o600 });
  symlinkSync('/usr/share/foreign', box.at('etc/foreign'));
  const before = treeOf(box.root);
  const { code, log } = await request(box.session, 'dry-run\td1\t60', activationInput([['flip', 'caddy', v2.rev], tmpfilesLink, ['state']], [v2]));
  assert.equal(code, 0);
  assert.deepEqual(log.lines.slice(2), [
    'step 1 flip ok',
    'step 2 link failed',
    'error /etc/tmpfiles.d/caddy.conf exists with different content; move it away, or make it identical to adopt it',
    'rollback begin',
    'rollback end',
  ]);
  assert.equal(log.result, 'rolled-back');
  assert.deepEqual(treeOf(box.root), before);

  const again = await box.agent.session('again');
  const foreign = await request(again, 'dry-run\td2\t60', activationInput([['link', '/etc/foreign', '/var/lib/deptool/apps/caddy/current/Caddyfile', 'adopt']]));
  assert.ok(foreign.log.lines.includes('error /etc/foreign is a symlink to /usr/share/foreign, not into /var/lib/deptool; remove it to let deptool manage it'), foreign.log.lines.join('\n'));
  assert.deepEqual(treeOf(box.root), before);
});

test('a dry run uses the revisions the host has, and a failing validate is refused with its output', async (t) => {
  const box = await sandbox(t);
  await deploy(box, 'a1', v1, [tmpfilesLink]);
  await deploy(box, 'a2', v2);
  const before = treeOf(box.root);
  const back = await request(box.session, 'dry-run\td1\t60', activationInput([['validate', 'caddy', v1.rev, 5, '/bin/grep', '-q', ':80$', '{rev}/Caddyfile'], ['flip', 'caddy', v1.rev], tmpfilesLink, ['state']]));
  assert.deepEqual(back.log.lines.slice(1), ['step 1 validate ok', 'step 2 flip ok', 'step 3 link ok', 'step 4 state ok']);
  assert.equal(back.log.result, 'ok');
  assert.deepEqual(treeOf(box.root), before);

  const again = await box.agent.session('again');
  const v4 = revision('caddy', { Caddyfile: 'broken\n' });
  const refused = await request(again, 'dry-run\td2\t60', activationInput([['validate', 'caddy', v4.rev, 5, '/bin/sh', '-c', 'echo "$0: unknown directive"; exit 1', '{rev}/Caddyfile'], ['flip', 'caddy', v4.rev], ['state']], [v4]));
  assert.deepEqual(refused.log.lines.slice(1), [`staged caddy ${v4.rev}`, 'step 1 validate failed', 'error validate caddy: /bin/sh -c echo "$0: unknown directive"; exit 1 {rev}/Caddyfile exited with status 1']);
  assert.deepEqual(refused.log.outputs, [{ step: 1, text: `${box.root}/var/lib/deptool/dryrun/d2/${APPS}/caddy/${v4.rev}/Caddyfile: unknown directive\n` }]);
  assert.equal(refused.log.result, 'refused');
  assert.deepEqual(treeOf(box.root), before);
});

test('a session removes the scratch root a killed dry run left behind', async (t) => {
  const root = await tempDir(t);
  mkdirSync(join(root, 'var/lib/deptool/dryrun/d1/etc'), { recursive: true });
  writeFileSync(join(root, 'var/lib/deptool/dryrun/d1/etc/x'), 'x');
  const session = await new SandboxAgent(root).session('next');
  assert.ok(!existsSync(join(root, 'var/lib/deptool/dryrun')));
  await session.close();
});
