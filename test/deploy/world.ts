// A cluster for the driver's unit tests: a config tree on disk, a real git store, and fake
// hosts (test/helpers/fake-host.ts) reached through the real Deployer, apply flow and sync.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { applyPlan, type ApplyResult, type ApplySettings, type ApplyTarget } from '../../src/deploy/apply.js';
import { Deployer, type HostPhase } from '../../src/deploy/deploy.js';
import { syncHosts, type SyncResult } from '../../src/deploy/sync.js';
import { deployTarget, replanner } from '../../src/deploy/targets.js';
import { loadClusterState, type ClusterState } from '../../src/plan/load.js';
import { Store, type AttemptRecord, type StoredApp } from '../../src/store/store.js';
import type { Target } from '../../src/transport/targets.js';
import type { RolloutPolicy } from '../../src/tree/rollout.js';
import { FakeHost } from '../helpers/fake-host.js';
import { tempDir, writeTree, type TreeSpec } from '../helpers/write-tree.js';

export const REF = 'refs/heads/prod';
const AUTHOR = { name: 'Tester', email: 'tester@example.com' };

export const MANIFEST = '{ "systemd": { "units_enabled": ["caddy.service"] }, "symlinks": { "/etc/caddy/Caddyfile": "Caddyfile" } }\n';
export const UNIT = '[Unit]\nDescription=caddy\n[Service]\nExecStart=/usr/bin/caddy run\n[Install]\nWantedBy=multi-user.target\n';

/** The files of a caddy app on `host` serving `content`, as `host/app/path` keys. */
export function caddy(host: string, content: string): TreeSpec {
  return { [`${host}/caddy/Caddyfile`]: content, [`${host}/caddy/manifest.json`]: MANIFEST, [`${host}/caddy/systemd/caddy.service`]: UNIT };
}

/** The same app as fake-host `seed` keys (`app/path`). */
export function caddyFiles(content: string): Record<string, string> {
  return { 'caddy/Caddyfile': content, 'caddy/manifest.json': MANIFEST, 'caddy/systemd/caddy.service': UNIT };
}

export interface Approval {
  readonly stage: 'initial' | 'corrected';
  readonly target: ApplyTarget;
}

export interface DeployOptions {
  readonly settings?: Partial<ApplySettings>;
  /** Answers each approval; yes by default. */
  readonly approve?: (target: ApplyTarget, stage: 'initial' | 'corrected') => boolean;
  /** Hears every phase; `abort` is the first Ctrl-C. */
  readonly onPhase?: (host: string, phase: HostPhase, abort: () => void) => void;
  /** Only these hosts (deploy --limit). */
  readonly limit?: readonly string[];
  readonly rollout?: RolloutPolicy;
  /** Hosts locked at once: a small fake fleet standing for a large one. */
  readonly lockedAtOnce?: number;
  /** The hosts await the driver's verdict (checks, and with seconds above 0, a new connection); off by default. */
  readonly confirmTimeout?: number;
}

export interface Deployed {
  readonly result: ApplyResult;
  readonly approvals: readonly Approval[];
  /** `host phase: detail`, in order. */
  readonly phases: readonly string[];
}

export interface Synced {
  readonly result: SyncResult;
  readonly phases: readonly string[];
}

export class World {
  readonly hosts = new Map<string, FakeHost>();

  private constructor(
    readonly root: string,
    readonly clusterDir: string,
    readonly store: Store,
  ) {}

  static async create(t: TestContext, hosts: readonly string[]): Promise<World> {
    const root = await tempDir(t);
    const world = new World(root, join(root, 'prod'), await Store.init(join(root, 'store')));
    for (const host of hosts) world.hosts.set(host, new FakeHost(host));
    return world;
  }

  host(name: string): FakeHost {
    return this.hosts.get(name)!;
  }

  /** Replaces the config tree with `spec` (`host/app/path` keys). */
  async tree(spec: TreeSpec): Promise<void> {
    await rm(this.clusterDir, { recursive: true, force: true });
    await writeTree(this.clusterDir, spec);
  }

  async state(): Promise<ClusterState> {
    return loadClusterState(this.store, REF, this.clusterDir, this.root);
  }

  async tip(): Promise<string | null> {
    return this.store.tip(REF);
  }

  async log(): Promise<AttemptRecord[]> {
    return this.store.log(REF);
  }

  /** What the store's tip records for an app of a host. */
  async stored(host: string, app: string): Promise<StoredApp | null> {
    const tip = await this.tip();
    return tip === null ? null : this.store.readApp(tip, host, app);
  }

  /** A stored file's content at the tip. */
  async storedFile(host: string, app: string, path: string): Promise<string | null> {
    const stored = await this.stored(host, app);
    const entry = stored?.files.get(path);
    if (!entry) return null;
    return (await this.store.readBlobs([entry.oid])).get(entry.oid)!.toString('utf8');
  }

  private targets(state: ClusterState): Map<string, Target> {
    const targets = new Map<string, Target>();
    for (const host of state.tree.hosts.keys()) {
      targets.set(host, {
        host,
        transport: 'ssh',
        alias: host,
        hostName: host,
        port: 22,
        user: 'root',
        identityFiles: [],
        knownHostsFiles: [],
        proxyJump: null,
        expectedHostname: host,
      });
    }
    return targets;
  }

  private deployer(targets: ReadonlyMap<string, Target>, observe: (host: string, phase: HostPhase, detail?: string) => void, confirmTimeout?: number): Deployer {
    return new Deployer({
      ...(confirmTimeout === undefined ? {} : { confirm: { timeoutSeconds: confirmTimeout } }),
      targets,
      connect: (target) => {
        const host = this.hosts.get(target.host);
        if (!host) throw new Error(`no fake host ${target.host}`);
        return host.connect();
      },
      invocation: () => ({ sudo: false, root: null }),
      holder: 'tester@laptop',
      activationTimeoutSeconds: 300,
      reconnectSeconds: 60,
      observer: { phase: observe, notice: (host, message) => observe(host, 'locked', `notice: ${message}`), activated: () => undefined },
    });
  }

  /** `deptool deploy` of the config tree, through the shared apply flow. */
  async deploy(options: DeployOptions = {}): Promise<Deployed> {
    const state = await this.state();
    const plan = { limit: options.limit ? new Set(options.limit) : undefined, rollout: options.rollout, lockedAtOnce: options.lockedAtOnce };
    const target = deployTarget(state.tree, state.deployed, state.base, plan);
    const targets = this.targets(state);
    const controller = new AbortController();
    const phases: string[] = [];
    const approvals: Approval[] = [];
    const observe = (host: string, phase: HostPhase, detail?: string) => {
      phases.push(`${host} ${phase}${detail === undefined ? '' : `: ${detail}`}`);
      options.onPhase?.(host, phase, () => controller.abort());
    };
    const result = await applyPlan(
      {
        store: this.store,
        ref: REF,
        deployed: state.deployed,
        targets,
        deployer: this.deployer(targets, observe, options.confirmTimeout),
        settings: { settleMs: 0, parallel: 1, allowDegraded: false, dryRun: false, overwriteDrift: false, ...options.settings },
        signal: controller.signal,
        observer: { phase: observe, notice: (host, message) => observe(host, 'locked', `notice: ${message}`), activated: () => undefined, synced: () => undefined },
        author: AUTHOR,
        trailers: { actor: 'tester' },
        record: (attempt) => this.store.recordAttempt(attempt),
        replan: replanner(target, (deployed, base, hosts) => deployTarget(state.tree, deployed, base, { ...plan, limit: hosts })),
        approve: (next, stage) => {
          approvals.push({ stage, target: next });
          return Promise.resolve(options.approve?.(next, stage) ?? true);
        },
      },
      target,
    );
    return { result, approvals, phases };
  }

  /** `deptool sync` of `hosts` (all of the tree's by default). */
  async sync(hosts?: readonly string[], onPhase?: (host: string, phase: HostPhase, abort: () => void) => void): Promise<Synced> {
    const state = await this.state();
    const targets = this.targets(state);
    const controller = new AbortController();
    const phases: string[] = [];
    const observe = (host: string, phase: HostPhase, detail?: string) => {
      phases.push(`${host} ${phase}${detail === undefined ? '' : `: ${detail}`}`);
      onPhase?.(host, phase, () => controller.abort());
    };
    const result = await syncHosts(
      {
        store: this.store,
        ref: REF,
        base: state.base,
        deployed: state.deployed,
        tree: state.tree,
        targets,
        deployer: this.deployer(targets, observe),
        parallel: 1,
        signal: controller.signal,
        observer: { phase: observe, notice: (host, message) => observe(host, 'locked', `notice: ${message}`), activated: () => undefined },
        author: AUTHOR,
        trailers: { actor: 'tester' },
        record: (attempt) => this.store.recordAttempt(attempt),
      },
      hosts ?? [...state.tree.hosts.keys()].sort(),
    );
    return { result, phases };
  }
}
