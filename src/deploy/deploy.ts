// The deploy orchestrator: lock and check every host first (all or nothing), then
// stage and activate in parallel, and report per-host outcomes to an observer.
// It never prints; the CLI and the Action are observers of the same run.
import { randomBytes } from 'node:crypto';
import { OperationError } from '../errors.js';
import type { HostPlan, Plan } from '../plan/types.js';
import type { ClusterSnapshot, HostSnapshot } from '../tree/types.js';
import { TransportError, type Channel, type Connection } from '../transport/connection.js';
import type { Target } from '../transport/targets.js';
import { AGENT_FILE, AGENT_SCRIPT, AGENT_VERSION } from './agent-script.js';
import {
  AGENT_EXIT,
  FactsReader,
  installCommand,
  parseActivation,
  sessionActivateLine,
  sessionCommand,
  withSession,
  type ActivationReport,
  type AgentInvocation,
  type SessionFacts,
} from './protocol.js';
import { activationArchive, activationSteps, hostState, type HostState } from './steps.js';

export type HostPhase =
  | 'connecting'
  | 'installing agent'
  | 'locked'
  | 'uploading'
  | 'activating'
  | 'rolling back'
  | 'reconnecting'
  | 'done'
  | 'rolled back'
  | 'failed'
  | 'refused';

export interface DeployObserver {
  phase(host: string, phase: HostPhase, detail?: string): void;
  /** The activation's report (unit statuses), before the host's final phase. */
  activated(host: string, report: ActivationReport): void;
}

export type HostStatus = 'deployed' | 'rolled-back' | 'failed' | 'refused' | 'unchanged';

export interface HostOutcome {
  readonly host: string;
  readonly status: HostStatus;
  /** Why a host was refused or failed, one sentence each. */
  readonly problems: readonly string[];
  /** The activation's report (unit states, statuses, errors) when it ran. */
  readonly activation: ActivationReport | null;
}

/** Reads one file of the desired state: from the config tree, or from the store for a rollback. */
export type ContentReader = (host: string, app: string, path: string) => Promise<Buffer>;

export interface DeployOptions {
  readonly plan: Plan;
  /** What each host must run afterwards (the config tree, or stored versions for a rollback). */
  readonly desired: ClusterSnapshot;
  readonly content: ContentReader;
  readonly deployed: ClusterSnapshot;
  readonly targets: ReadonlyMap<string, Target>;
  readonly connect: (target: Target) => Promise<Connection>;
  readonly invocation: (target: Target) => AgentInvocation;
  /** Who holds the host locks: `user@machine` or a CI run URL. */
  readonly holder: string;
  readonly settleMs: number;
  readonly parallel: number;
  readonly allowDegraded: boolean;
  readonly activationTimeoutSeconds: number;
  /** Check everything, change nothing. */
  readonly dryRun: boolean;
  /** Called once every host is locked and checked: problems it returns abort the deploy (e.g. the store moved). */
  readonly recheck?: () => Promise<string[]>;
  readonly observer: DeployObserver;
}

/** One locked host between the checks and the activation. */
interface Session {
  readonly host: HostPlan;
  readonly target: Target;
  readonly invocation: AgentInvocation;
  connection: Connection;
  channel: Channel;
  facts: SessionFacts;
}

const SESSION_TIMEOUT_MS = 150_000;

/** Runs `work` over `items` with at most `limit` at once, in order of start. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why a command on the host failed, from its stderr: a `sudo -n` refusal gets its remedy. */
function hostFailure(invocation: AgentInvocation, what: string, code: number | null, stderr: Buffer): OperationError {
  const why = stderr.toString('utf8').trim();
  return new OperationError(
    invocation.sudo && /sudo/.test(why)
      ? `${what}: 'sudo -n' failed (${why}). Give the user passwordless sudo, or deploy as root.`
      : `${what} (exit ${code}): ${why}`,
  );
}

const EXPECTED_AGENT = `${AGENT_VERSION} ${AGENT_FILE.slice(-10)}`;

type SessionOpen = { kind: 'ready'; channel: Channel; facts: SessionFacts } | { kind: 'busy'; holder: string } | { kind: 'not-installed' };

/** Opens the agent's session (the host lock) and reads its facts, drift check included. */
async function tryOpenSession(connection: Connection, invocation: AgentInvocation, holder: string, targets: readonly string[]): Promise<SessionOpen> {
  const channel = await connection.open(sessionCommand(invocation, holder, targets));
  const reader = new FactsReader();
  const stderr: Buffer[] = [];
  channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const outcome = await new Promise<'ready' | 'not-installed'>((resolve, reject) => {
    const timer = setTimeout(() => reject(new OperationError('the agent took too long to lock the host')), SESSION_TIMEOUT_MS);
    const finish = (result: 'ready' | 'not-installed' | Error) => {
      clearTimeout(timer);
      channel.stdout.off('data', onData);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer) => {
      if (reader.push(chunk)) finish('ready');
    };
    channel.stdout.on('data', onData);
    channel.exited.then(
      (status) => {
        if (reader.done) return;
        if (status.code === AGENT_EXIT.notFound) finish('not-installed');
        else finish(hostFailure(invocation, "the agent's session ended", status.code, Buffer.concat(stderr)));
      },
      (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
    );
  });
  if (outcome === 'not-installed') return { kind: 'not-installed' };
  if (reader.busy !== null) return { kind: 'busy', holder: reader.busy };
  const facts = reader.facts();
  if (facts.agent !== EXPECTED_AGENT) throw new OperationError(`the host runs agent ${facts.agent}, expected ${EXPECTED_AGENT}`);
  return { kind: 'ready', channel, facts };
}

/** Opens the session, installing the agent first when the host does not have this version. */
async function openSession(
  connection: Connection,
  invocation: AgentInvocation,
  holder: string,
  targets: readonly string[],
  onInstall: () => void,
): Promise<Exclude<SessionOpen, { kind: 'not-installed' }>> {
  const first = await tryOpenSession(connection, invocation, holder, targets);
  if (first.kind !== 'not-installed') return first;
  onInstall();
  const install = await connection.exec(installCommand(invocation), { stdin: Buffer.from(AGENT_SCRIPT) });
  if (install.code !== 0) throw hostFailure(invocation, 'cannot install the agent', install.code, install.stderr);
  const second = await tryOpenSession(connection, invocation, holder, targets);
  if (second.kind === 'not-installed') throw new OperationError('the agent was installed but cannot be run');
  return second;
}

function parseState(text: string): HostState | null | 'invalid' {
  if (text.trim() === '') return null;
  try {
    const value = JSON.parse(text) as HostState;
    return value && typeof value === 'object' && value.schema === 1 && typeof value.apps === 'object' ? value : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** What differs between the host's own record, the files on it, and the store: each a sentence. */
function driftProblems(facts: SessionFacts, expected: HostState): string[] {
  const check = facts.check;
  const problems: string[] = [];
  const state = parseState(facts.state);
  if (state === 'invalid') problems.push('/var/lib/deptool/state.json is not valid; it was changed outside deptool');
  const recorded = state === 'invalid' || state === null ? {} : state.apps;
  const apps = new Set([...Object.keys(expected.apps), ...Object.keys(recorded), ...facts.current.keys()]);
  for (const app of [...apps].sort()) {
    const want = expected.apps[app]?.rev;
    const onHost = facts.current.get(app);
    if (want !== onHost) {
      problems.push(
        want === undefined
          ? `app '${app}' is on the host (revision ${onHost}) but the store does not have it`
          : onHost === undefined
            ? `app '${app}' should be at revision ${want} but is not on the host`
            : `app '${app}' is at revision ${onHost} on the host, the store says ${want}`,
      );
    }
  }
  for (const file of check.modified) problems.push(`${file} was changed on the host`);
  for (const file of check.extra) problems.push(`${file} was added on the host`);
  for (const { what, file, actual, expected } of check.permissions) problems.push(`${what} of ${file} is ${actual} on the host, expected ${expected}`);
  problems.push(...check.broken);
  const links = new Map<string, string>();
  for (const app of Object.values(expected.apps)) for (const [target, value] of Object.entries(app.links)) links.set(target, value);
  for (const [target, value] of links) {
    const actual = check.links.get(target);
    if (actual !== value) {
      problems.push(actual === '-' ? `link ${target} is missing` : actual === '!' ? `${target} is no longer a link` : `link ${target} points to ${actual}, not ${value}`);
    }
  }
  return problems;
}

function activationId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export class Deployer {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: DeployOptions) {}

  /** Connects, installs the agent, locks and checks one host; returns the problems found. */
  private async prepare(host: HostPlan): Promise<string[]> {
    const { observer, holder } = this.options;
    const target = this.options.targets.get(host.host);
    if (!target) return [`no connection settings for host '${host.host}'`];
    const invocation = this.options.invocation(target);
    observer.phase(host.host, 'connecting', target.transport === 'local' ? 'local' : `${target.user}@${target.hostName}:${target.port}`);
    let connection: Connection;
    try {
      connection = await this.options.connect(target);
    } catch (error) {
      return [message(error)];
    }
    try {
      const expected = hostState(this.options.deployed.get(host.host));
      const targets = [...new Set(Object.values(expected.apps).flatMap((app) => Object.keys(app.links)))].sort();
      const session = await openSession(connection, invocation, holder, targets, () => observer.phase(host.host, 'installing agent'));
      if (session.kind === 'busy') {
        await connection.close();
        return [`locked by another deploy: ${session.holder}`];
      }
      const { channel, facts } = session;
      this.sessions.set(host.host, { host, target, invocation, connection, channel, facts });
      observer.phase(host.host, 'locked');

      const problems: string[] = [];
      if (facts.hostname !== target.expectedHostname) {
        problems.push(
          `/etc/hostname says '${facts.hostname}', expected '${target.expectedHostname}': is this the right machine? ` +
            `If it is, set "hostname" for it in deptool.json.`,
        );
      }
      if (facts.system !== 'running' && facts.system !== 'skipped' && !this.options.allowDegraded) {
        const failed = facts.failedUnits.length > 0 ? ` (failed: ${facts.failedUnits.join(', ')})` : '';
        problems.push(`system is ${facts.system}${failed}; fix it or pass --allow-degraded`);
      }
      const drift = driftProblems(facts, expected);
      if (drift.length > 0) problems.push(`the host does not match the store (drift): ${drift.join('; ')}`);
      return problems;
    } catch (error) {
      await connection.close().catch(() => undefined);
      return [message(error)];
    }
  }

  private async release(host: string): Promise<void> {
    const session = this.sessions.get(host);
    if (!session) return;
    this.sessions.delete(host);
    session.channel.end();
    await session.channel.exited.catch(() => undefined);
    await session.connection.close().catch(() => undefined);
  }

  /** Asks a fresh connection for the outcome of an activation whose connection dropped. */
  private async recover(session: Session, id: string): Promise<ActivationReport> {
    const { observer } = this.options;
    const deadline = Date.now() + this.options.activationTimeoutSeconds * 1000 + 30_000;
    let lastError: unknown = null;
    while (Date.now() < deadline) {
      observer.phase(session.host.host, 'reconnecting');
      try {
        await session.connection.close().catch(() => undefined);
        session.connection = await this.options.connect(session.target);
        const reopened = await openSession(session.connection, session.invocation, this.options.holder, [], () => undefined);
        if (reopened.kind === 'busy') throw new OperationError(`locked by another deploy: ${reopened.holder}`);
        session.channel = reopened.channel;
        session.facts = reopened.facts;
        const result = await session.connection.exec(withSession(session.invocation, session.facts.token, 'result', id));
        return parseActivation(result.stdout);
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    throw new OperationError(`lost the connection during activation and could not learn its outcome: ${message(lastError)}`);
  }

  private async apply(host: HostPlan): Promise<HostOutcome> {
    const { observer } = this.options;
    const session = this.sessions.get(host.host)!;
    const desired = this.options.desired.get(host.host)!;
    const deployedHost: HostSnapshot | undefined = this.options.deployed.get(host.host);
    try {
      const onHost = new Set([...session.facts.current, ...session.facts.previous].map(([app, rev]) => `${app}/${rev}`));
      const toStage = host.apps
        .filter((app) => app.action !== 'remove' && app.newRev && !onHost.has(`${app.app}/${app.newRev}`))
        .map((app) => desired.apps.get(app.app)!);
      if (toStage.length > 0) observer.phase(host.host, 'uploading', `${toStage.reduce((n, a) => n + a.files.size, 0)} files`);
      const id = activationId();
      const steps = activationSteps(host, deployedHost, desired, { settleMs: this.options.settleMs });
      const input = await activationArchive(steps, hostState(desired), toStage, (app, path) => this.options.content(host.host, app, path));
      observer.phase(host.host, 'activating');
      let report: ActivationReport;
      try {
        report = await this.activate(session, id, input);
      } catch (error) {
        if (!(error instanceof TransportError && (error.kind === 'lost' || error.kind === 'timeout'))) throw error;
        report = await this.recover(session, id);
      }
      observer.activated(host.host, report);
      if (report.result === 'ok') {
        observer.phase(host.host, 'done');
        return { host: host.host, status: 'deployed', problems: [], activation: report };
      }
      observer.phase(host.host, report.result === 'rolled-back' ? 'rolled back' : 'failed', report.errors.join('; '));
      return { host: host.host, status: report.result, problems: report.errors, activation: report };
    } catch (error) {
      observer.phase(host.host, 'failed', message(error));
      return { host: host.host, status: 'failed', problems: [message(error)], activation: null };
    } finally {
      await this.release(host.host);
    }
  }

  /**
   * Runs the activation on the session's own channel (no second channel, no second
   * agent process on the host), streaming its log so a rollback shows as it happens.
   * The session ends with it. Rejects with a TransportError when the connection drops;
   * the caller then recovers.
   */
  private async activate(session: Session, id: string, input: Buffer): Promise<ActivationReport> {
    const channel = session.channel;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let announced = false;
    channel.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (!announced && Buffer.concat([Buffer.from('\n'), ...stdout]).includes('\nrollback begin\n')) {
        announced = true;
        this.options.observer.phase(session.host.host, 'rolling back');
      }
    });
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const drained = new Promise<void>((resolve) => channel.stdout.once('end', resolve));
    channel.write(Buffer.concat([Buffer.from(`${sessionActivateLine(id, this.options.activationTimeoutSeconds)}\n`), input]));
    channel.end();
    const status = await channel.exited;
    await drained;
    const output = Buffer.concat(stdout);
    if (status.code !== 0) {
      const said = (output.toString('utf8') + Buffer.concat(stderr).toString('utf8')).trim();
      throw new OperationError(`the activation was refused before it started (exit ${status.code}): ${said}`);
    }
    return parseActivation(output);
  }

  /**
   * Locks and checks every host of the plan; if any is refused, changes nothing anywhere.
   * Otherwise activates them all and returns one outcome per host.
   */
  async run(): Promise<HostOutcome[]> {
    const { plan, parallel, observer } = this.options;
    const problems = await pool(plan.hosts, parallel, (host) => this.prepare(host));
    let refused = plan.hosts.some((_, i) => problems[i].length > 0);
    if (!refused && this.options.recheck) {
      const stale = await this.options.recheck();
      if (stale.length > 0) {
        refused = true;
        problems.forEach((list) => list.push(...stale));
      }
    }
    if (refused || this.options.dryRun) {
      await Promise.all([...this.sessions.keys()].map((host) => this.release(host)));
      return plan.hosts.map((host, i) => {
        const hostProblems = problems[i];
        if (hostProblems.length > 0) observer.phase(host.host, 'refused', hostProblems.join('; '));
        return { host: host.host, status: hostProblems.length > 0 ? 'refused' : 'unchanged', problems: hostProblems, activation: null };
      });
    }
    return pool(plan.hosts, parallel, (host) => this.apply(host));
  }
}
