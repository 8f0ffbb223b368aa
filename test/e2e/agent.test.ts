// The agent on real hosts (systemd + sshd in nspawn): units started, verified, rolled back, and activations that outlive their connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FleetAgent, activationTar, parseActivation, revision, stageTar } from '../agent/helpers.js';
import type { AgentResult, Revision, Session, Step } from '../agent/helpers.js';
import { bootFleet } from './fleet/fleet.js';
import type { Fleet } from './fleet/fleet.js';
import { waitFor } from './fleet/system.js';

const UNIT_DIR = '/etc/systemd/system';
const current = (app: string, path: string) => `/var/lib/deptool/apps/${app}/current/${path}`;
const unitLink = (app: string, unit: string): Step => ['link', `${UNIT_DIR}/${unit}`, current(app, `systemd/${unit}`), 'no-adopt'];

/** A web app: python's http.server serving the current revision, restarted by systemd when it dies. */
function webApp(port: number, body: string, execStart = `/usr/bin/python3 -m http.server ${port} --bind 127.0.0.1`): Revision {
  return revision('web', {
    'index.html': body,
    'systemd/web.service': [
      '[Unit]',
      'Description=deptool e2e web server',
      '[Service]',
      'WorkingDirectory=/var/lib/deptool/apps/web/current',
      `ExecStart=${execStart}`,
      'Restart=always',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  });
}

/** The body served on the port once it answers with `expected` (or the last thing seen, at the deadline). */
async function served(port: number, expected: string, timeoutMs = 10_000): Promise<string | undefined> {
  let last: string | undefined;
  try {
    return await waitFor(
      async () => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/index.html`);
          last = await response.text();
          return last === expected ? last : undefined;
        } catch {
          last = undefined;
          return undefined;
        }
      },
      { timeoutMs, intervalMs: 50, onTimeout: () => new Error('not served') },
    );
  } catch {
    return last;
  }
}

describe('agent on real hosts', () => {
  let fleet: Fleet;

  before(async () => {
    fleet = await bootFleet({ count: 2, prefix: 'agent' });
  });

  after(async () => {
    await fleet?.stop();
  });

  describe('a unit through its life: enable, restart, failures, removal', () => {
    let agent: FleetAgent;
    let session: Session;
    let port: number;

    async function stage(rev: Revision): Promise<void> {
      const staged = await agent.command(session, 'stage', [], stageTar(rev));
      assert.equal(staged.code, 0, staged.stdout + staged.stderr);
    }

    async function activate(id: string, steps: Step[], state = `{"id":"${id}"}\n`) {
      const started = Date.now();
      const result = await agent.command(session, 'activate', [id, 120, 5], activationTar(steps, state));
      assert.equal(result.code, 0, result.stdout + result.stderr);
      return { ...parseActivation(result.raw), ms: Date.now() - started, stdout: result.stdout };
    }

    const host = (command: string[]) => fleet.exec('agent01', command);

    before(async () => {
      agent = new FleetAgent(fleet, 'agent01');
      await agent.install();
      port = await fleet.allocatePort();
      session = await agent.session('alice@laptop e2e');
    });

    after(async () => {
      await session?.close();
    });

    it('installs with the contract\'s command and greets with its version', async () => {
      const hello = await agent.run(['hello']);
      assert.equal(hello.code, 0, hello.stderr);
      assert.match(hello.stdout, /^deptool-agent 0\.2\.0 [0-9a-f]{10}\n$/);
      assert.ok(agent.path.endsWith(hello.stdout.trim().split(' ').slice(1).join('-')));
      assert.deepEqual(session.facts.lines.slice(2, 4), ['hostname agent01', 'system running']);
    });

    it('links, enables and verifies a real unit that then answers HTTP', async () => {
      const v1 = webApp(port, 'first\n');
      await stage(v1);
      const result = await activate('e1', [
        ['flip', 'web', v1.rev],
        unitLink('web', 'web.service'),
        ['daemon-reload'],
        ['enable', 'web.service'],
        ['verify', 500, 'web.service'],
        ['status', 'web.service'],
        ['state'],
      ]);
      assert.equal(result.result, 'ok', result.stdout);
      assert.deepEqual(result.lines, [
        'step 1 flip ok',
        'step 2 link ok',
        'step 3 daemon-reload ok',
        'step 4 enable ok',
        'unit web.service active running success 0 healthy',
        'step 5 verify ok',
        'step 6 status ok',
        'step 7 state ok',
      ]);
      assert.equal(result.statuses.length, 1);
      assert.match(result.statuses[0].text, /^● web\.service - deptool e2e web server\n/);
      assert.match(result.statuses[0].text, /Loaded: loaded \(\/etc\/systemd\/system\/web\.service; enabled/);
      assert.match(result.statuses[0].text, /Active: active \(running\)/);
      assert.equal(await served(port, 'first\n'), 'first\n');
      assert.equal((await host(['systemctl', 'is-enabled', 'web.service'])).stdout, 'enabled\n');
      assert.equal((await host(['cat', '/var/lib/deptool/state.json'])).stdout, '{"id":"e1"}\n');
    });

    it('restarts the unit on a content change, so it serves the new revision', async (t) => {
      const v2 = webApp(port, 'second\n');
      await stage(v2);
      const result = await activate('e2', [['flip', 'web', v2.rev], ['restart', 'web.service'], ['verify', 0, 'web.service'], ['state']]);
      assert.equal(result.result, 'ok', result.stdout);
      assert.equal(await served(port, 'second\n'), 'second\n');
      const baseline = Date.now();
      await host(['true']);
      t.diagnostic(`one-file activation with a restart and settle 0: ${result.ms} ms over ssh (ssh true: ${Date.now() - baseline} ms)`);
    });

    it('rolls back a unit with a bad ExecStart, three times in a row past systemd\'s start limit, and the old content is served again', async () => {
      const broken = webApp(port, 'broken\n', '/nonexistent/python3 -m http.server');
      await stage(broken);
      // Each round starts the unit at least twice (the restart, the rollback's restart): more
      // than StartLimitBurst=5 in 10 s, which only reset-failed before each start gets past.
      for (const id of ['e3', 'e3b', 'e3c']) {
        const result = await activate(id, [
          ['flip', 'web', broken.rev],
          ['daemon-reload'],
          ['restart', 'web.service'],
          ['verify', 1000, 'web.service'],
          ['status', 'web.service'],
          ['state'],
        ]);
        assert.equal(result.result, 'rolled-back', `${id}: ${result.stdout}`);
        assert.deepEqual(result.lines.slice(0, 3), ['step 1 flip ok', 'step 2 daemon-reload ok', 'step 3 restart ok'], result.stdout);
        // Whatever systemd's restart loop shows at that instant (auto-restart, failed, or a new attempt).
        assert.match(result.lines[3], /^unit web\.service \S+ \S+ \S+ \d+ failed$/, result.stdout);
        assert.equal(result.lines[4], 'step 4 verify failed');
        assert.match(result.lines[5], /^error web\.service failed during the settle time /);
        assert.deepEqual(result.lines.slice(6), ['rollback begin', 'unit web.service active running success 0 healthy', 'rollback end'], result.stdout);
        assert.equal(result.statuses.length, 1, 'the failed unit\'s status, from verify');
        assert.match(result.statuses[0].text, /^● web\.service - deptool e2e web server\n/);
        assert.match(result.statuses[0].text, /\/nonexistent\/python3/);
        assert.equal(await served(port, 'second\n'), 'second\n', id);
      }
      assert.equal((await host(['readlink', '/var/lib/deptool/apps/web/current'])).stdout.trim().length, 10);
      assert.equal((await host(['cat', '/var/lib/deptool/state.json'])).stdout, '{"id":"e2"}\n');
    });

    it('catches a unit that exits after 1.5 s with the settle time, and rolls back', async () => {
      const flaky = webApp(port, 'flaky\n', '/bin/sh -c "sleep 1.5; exit 1"');
      await stage(flaky);
      const result = await activate('e4', [['flip', 'web', flaky.rev], ['daemon-reload'], ['restart', 'web.service'], ['verify', 3000, 'web.service'], ['state']]);
      assert.equal(result.result, 'rolled-back', result.stdout);
      assert.ok(result.lines.includes('step 3 restart ok'), 'the restart itself looked fine');
      assert.ok(result.lines.includes('step 4 verify failed'), result.stdout);
      assert.ok(result.lines.some((line) => line.startsWith('error web.service failed during the settle time')), result.stdout);
      assert.equal(await served(port, 'second\n'), 'second\n');
    });

    it('refuses to enable a unit without an [Install] section, plainly, and rolls back', async () => {
      const helper = revision('helper', { 'systemd/helper.service': '[Unit]\nDescription=no install section\n[Service]\nExecStart=/usr/bin/sleep 1000\n' });
      await stage(helper);
      const result = await activate('e5', [
        ['flip', 'helper', helper.rev],
        unitLink('helper', 'helper.service'),
        ['daemon-reload'],
        ['enable', 'helper.service'],
        ['verify', 0, 'helper.service'],
        ['state'],
      ]);
      assert.equal(result.result, 'rolled-back', result.stdout);
      assert.ok(
        result.lines.includes(
          'error helper.service has no [Install] section (or it is not enabled: linked); add one, e.g. WantedBy=multi-user.target, or remove it from units_enabled',
        ),
        result.stdout,
      );
      assert.equal((await host(['systemctl', 'is-active', 'helper.service'])).stdout, 'inactive\n');
      assert.equal((await host(['test', '-e', `${UNIT_DIR}/helper.service`])).code, 1);
      assert.equal((await host(['systemctl', 'show', '-p', 'LoadState', '--value', 'helper.service'])).stdout, 'not-found\n');
      assert.equal((await host(['test', '-e', '/var/lib/deptool/apps/helper/current'])).code, 1);
    });

    it('reports failed units and a degraded system in the session facts', async () => {
      const failing = await host(['systemd-run', '--unit', 'doomed', '/bin/false']);
      assert.equal(failing.code, 0, failing.stderr);
      await waitFor(async () => ((await host(['systemctl', 'is-failed', 'doomed.service'])).code === 0 ? true : undefined), {
        timeoutMs: 5000,
        onTimeout: () => new Error('doomed.service never failed'),
      });
      const other = new FleetAgent(fleet, 'agent01');
      await session.close();
      const facts = await other.session('facts');
      try {
        assert.ok(facts.facts.lines.includes('system degraded'), facts.facts.lines.join('\n'));
        assert.ok(facts.facts.lines.includes('failed doomed.service'), facts.facts.lines.join('\n'));
        assert.ok(facts.facts.lines.includes('activation e5 rolled-back'), facts.facts.lines.join('\n'));
        assert.equal(facts.facts.state, '{"id":"e2"}\n');
      } finally {
        await facts.close();
        await host(['systemctl', 'reset-failed', 'doomed.service']);
        session = await agent.session('alice@laptop e2e');
      }
    });

    it('removes an app: disables and unlinks its unit, which systemd then cannot find', async () => {
      const result = await activate('e6', [
        ['disable', 'web.service'],
        ['unlink', `${UNIT_DIR}/web.service`],
        ['daemon-reload'],
        ['remove-app', 'web'],
        ['state'],
      ]);
      assert.equal(result.result, 'ok', result.stdout);
      const status = await host(['systemctl', 'status', 'web.service']);
      assert.equal(status.code, 4);
      assert.equal(status.stderr, 'Unit web.service could not be found.\n');
      assert.equal(await served(port, 'nothing', 500), undefined);
      const gc = await agent.command(session, 'gc');
      assert.equal(gc.code, 0, gc.stderr);
      assert.equal((await host(['ls', '/var/lib/deptool/apps'])).stdout, '', 'gc removed both apps (helper never got a current)');
    });
  });

  describe('activations that outlive their connection or their time', () => {
    let agent: FleetAgent;
    let port: number;

    before(async () => {
      agent = new FleetAgent(fleet, 'agent02');
      await agent.install();
      port = await fleet.allocatePort();
    });

    it('completes inside its transient unit; a new session waits for it, and result reports it', async (t) => {
      const first = await agent.session('first');
      const v1 = webApp(port, 'one\n');
      const v2 = webApp(port, 'two\n');
      const staged = await agent.command(first, 'stage', [], stageTar(v1));
      assert.equal(staged.code, 0, staged.stdout);
      const setup = await agent.command(
        first,
        'activate',
        ['d1', 60, 5],
        activationTar([['flip', 'web', v1.rev], unitLink('web', 'web.service'), ['daemon-reload'], ['enable', 'web.service'], ['verify', 0, 'web.service']]),
      );
      assert.equal(parseActivation(setup.raw).result, 'ok', setup.stdout);
      // Staged after d1: the gc that follows a successful activation removes revisions that are neither current nor previous.
      assert.equal((await agent.command(first, 'stage', [], stageTar(v2))).code, 0);

      // The long settle keeps the activation busy while its connection goes away.
      const child = agent.spawn(['activate', '--session', first.pid, 'd2', '60', '5']);
      child.stdin.end(activationTar([['flip', 'web', v2.rev], ['restart', 'web.service'], ['verify', 4000, 'web.service'], ['state']], '{"after":"drop"}\n'));
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      await waitFor(
        async () => {
          const log = await fleet.exec('agent02', ['cat', '/var/lib/deptool/activations/d2/log']);
          return log.stdout.includes('step 2 restart ok') ? true : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50, onTimeout: () => new Error('the activation never got to its verify step') },
      );
      child.kill('SIGKILL');
      first.child.kill('SIGKILL');
      await exited;
      const droppedAt = Date.now();

      // The dropped session keeps the lock until its activation ends: a new session waits for
      // that (saying so) instead of refusing the host.
      const second = agent.startSession('second');
      const unit = await fleet.exec('agent02', ['systemctl', 'show', '-p', 'ActiveState', '--value', 'deptool-activate-d2.service']);
      assert.equal(unit.stdout, 'activating\n', 'the activation still runs after its connection dropped');

      const ready = await second.ready;
      t.diagnostic(`the new session was ready ${Date.now() - droppedAt} ms after the drop`);
      assert.match(ready.facts.lines[0], /^waiting d2 first \d+ \d+$/);
      assert.ok(ready.facts.lines.includes('activation d2 ok'), ready.facts.lines.join('\n'));
      // A live session with no activation in flight refuses the next one at once.
      const third = await agent.startSession('third').exited;
      assert.equal(third.code, 75);
      assert.match(third.stdout, /^busy second \d+ \d+\n$/);
      assert.equal(ready.facts.state, '{"after":"drop"}\n');
      const result: AgentResult = await agent.command(ready, 'result', ['d2', 120]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(parseActivation(result.raw), {
        lines: ['step 1 flip ok', 'step 2 restart ok', 'unit web.service active running success 0 healthy', 'step 3 verify ok', 'step 4 state ok'],
        statuses: [],
        outputs: [],
        result: 'ok',
      });
      assert.equal(await served(port, 'two\n'), 'two\n');
      await ready.close();
    });

    it('stops an activation past its timeout and rolls it back', async () => {
      const session = await agent.session('timeout');
      try {
        const v3 = webApp(port, 'three\n');
        assert.equal((await agent.command(session, 'stage', [], stageTar(v3))).code, 0);
        const result = await agent.command(
          session,
          'activate',
          ['d3', 2, 5],
          activationTar([['flip', 'web', v3.rev], ['restart', 'web.service'], ['verify', 4000, 'web.service'], ['state']]),
        );
        const log = parseActivation(result.raw);
        assert.equal(log.result, 'rolled-back', result.stdout);
        assert.deepEqual(log.lines, [
          'step 1 flip ok',
          'step 2 restart ok',
          'unit web.service active running success 0 healthy',
          'step 3 verify failed',
          'error activation timed out or was stopped',
          'rollback begin',
          'unit web.service active running success 0 healthy',
          'rollback end',
        ]);
        assert.equal(await served(port, 'two\n'), 'two\n');
      } finally {
        await session.close();
      }
    });
  });
});
