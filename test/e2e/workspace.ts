// A deptool workspace for e2e tests: a temp dir with a store, a cluster dir and a
// HOME whose ~/.ssh/config reaches the fleet, and helpers to write the tree and run the CLI.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { writeTree } from '../helpers/write-tree.js';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { bootFleet, type BootOptions, type Fleet } from './fleet/fleet.js';

export interface Workspace {
  readonly dir: string;
  readonly cluster: string;
  /** Replaces the cluster dir's content with these files (`host/app/path` -> content). */
  write(files: Record<string, string>, options?: { settings?: unknown }): Promise<void>;
  deptool(...args: string[]): Promise<CliResult>;
  remove(): Promise<void>;
}

export async function workspace(fleet: Fleet, name = 'prod'): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'deptool-e2e-'));
  const home = join(dir, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  await copyFile(fleet.sshConfigFile, join(home, '.ssh', 'config'));
  const cluster = join(dir, name);
  const env = { HOME: home, DEPTOOL_HOLDER: 'e2e@test' };
  const deptool = (...args: string[]) => runCli(args, { cwd: dir, env });
  const init = await deptool('init', name);
  if (init.code !== 0) throw new Error(`deptool init failed: ${init.stderr}`);
  return {
    dir,
    cluster,
    deptool,
    async write(files, options) {
      await rm(cluster, { recursive: true, force: true });
      await writeTree(cluster, files);
      if (options?.settings !== undefined) await writeFile(join(cluster, 'deptool.json'), JSON.stringify(options.settings, null, 2));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface FleetFixture {
  readonly fleet: Fleet;
  readonly ws: Workspace;
  /** A loopback port leased for the hosts' services. */
  readonly port: number;
}

/** Boots a fleet and a workspace before the file's tests and removes both after them. */
export function fleetFixture(options: BootOptions): FleetFixture {
  let state: FleetFixture | undefined;
  const get = (): FleetFixture => state ?? assert.fail('the fleet fixture is used before its before() hook ran');
  before(async () => {
    const fleet = await bootFleet(options);
    state = { fleet, port: await fleet.allocatePort(), ws: await workspace(fleet) };
  });
  after(async () => {
    await state?.ws.remove();
    await state?.fleet.stop();
  });
  return {
    get fleet() {
      return get().fleet;
    },
    get ws() {
      return get().ws;
    },
    get port() {
      return get().port;
    },
  };
}
