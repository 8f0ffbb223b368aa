// What fault tests look at after a fault: an app as a host has it (links, state.json, the
// running unit's revision, what it serves), its activations, and the store's record.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../helpers/write-tree.js';
import type { Fleet } from './fleet/fleet.js';
import { sleep, waitFor } from './fleet/system.js';

const DEPTOOL = 'var/lib/deptool';

/** A path inside a host, read from this machine through its overlay (nothing runs on the host). */
function onHost(fleet: Fleet, host: string, path: string): string {
  return join(fleet.host(host).root, path);
}

function readlinkOrNull(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** One app with an enabled unit as a host has it. */
export interface AppView {
  readonly current: string | null;
  readonly previous: string | null;
  /** The revision the host's state.json records. */
  readonly recorded: string | null;
  /** The revision the unit's main process runs in (its working directory), or null when it does not run. */
  readonly running: string | null;
  readonly active: string;
  readonly enabled: string;
  /** Where the unit's link in /etc/systemd/system points. */
  readonly unitLink: string | null;
  readonly mainPid: string;
}

export async function appView(fleet: Fleet, host: string, app: string, unit: string): Promise<AppView> {
  const state = readOrNull(onHost(fleet, host, `${DEPTOOL}/state.json`));
  const recorded = state === null ? null : ((JSON.parse(state) as { apps: Record<string, { rev: string } | undefined> }).apps[app]?.rev ?? null);
  // One ssh round trip for what only the host's systemd knows.
  const shown = await fleet.exec(host, [
    'sh',
    '-c',
    'pid=$(systemctl show -p MainPID --value "$1"); echo "$pid"; systemctl is-active "$1"; systemctl is-enabled "$1"; [ "$pid" != 0 ] && readlink "/proc/$pid/cwd" || echo -',
    'sh',
    unit,
  ]);
  const [mainPid = '', active = '', enabled = '', cwd = ''] = shown.stdout.split('\n');
  const inRev = new RegExp(`^/${DEPTOOL}/apps/${app}/([0-9a-f]{10})$`).exec(cwd);
  return {
    current: readlinkOrNull(onHost(fleet, host, `${DEPTOOL}/apps/${app}/current`)),
    previous: readlinkOrNull(onHost(fleet, host, `${DEPTOOL}/apps/${app}/previous`)),
    recorded,
    running: inRev ? inRev[1] : null,
    active,
    enabled,
    unitLink: readlinkOrNull(onHost(fleet, host, `etc/systemd/system/${unit}`)),
    mainPid,
  };
}

/** The body a host's service serves on `port` (hosts share this machine's loopback), waiting for it to listen. */
export async function served(port: number, path = 'index.html'): Promise<string> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/${path}`);
      return await response.text();
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  throw new Error(`nothing serves 127.0.0.1:${port}: ${String(lastError)}`);
}

/**
 * Asserts the host runs exactly one revision of `app`: current, state.json and the unit's
 * process agree, the unit is active and linked through `current`, and it serves `content`.
 * Returns that revision.
 */
export async function assertOneRevision(fleet: Fleet, host: string, port: number, content: string, app = 'site', unit = 'site.service'): Promise<string> {
  const view = await appView(fleet, host, app, unit);
  const what = `${host}: ${JSON.stringify(view)}`;
  assert.match(view.current ?? '', /^[0-9a-f]{10}$/, what);
  assert.equal(view.recorded, view.current, `state.json and current agree (${what})`);
  assert.equal(view.running, view.current, `the unit runs the current revision (${what})`);
  assert.equal(view.active, 'active', what);
  assert.equal(view.enabled, 'enabled', what);
  assert.equal(view.unitLink, `/${DEPTOOL}/apps/${app}/current/systemd/${unit}`, what);
  assert.equal(await served(port), content, `${host} serves the content of its current revision`);
  return view.current!;
}

/** The host's activation ids, oldest first. */
export function activations(fleet: Fleet, host: string): string[] {
  const order = readOrNull(onHost(fleet, host, `${DEPTOOL}/activations/order`));
  return order === null ? [] : order.split('\n').filter(Boolean);
}

/** A file of one activation's dir (`result`, `recovered`, `log`), trimmed; null when it is not there. */
export function activationFile(fleet: Fleet, host: string, id: string, file: string): string | null {
  return readOrNull(onHost(fleet, host, `${DEPTOOL}/activations/${id}/${file}`))?.trim() ?? null;
}

/** Waits for an activation newer than `known` to appear on the host, and returns its id. */
export async function newActivation(fleet: Fleet, host: string, known: readonly string[], timeoutMs = 60_000): Promise<string> {
  return waitFor(() => activations(fleet, host).find((id) => !known.includes(id)), {
    timeoutMs,
    intervalMs: 10,
    onTimeout: () => new Error(`no new activation on ${host} within ${timeoutMs} ms`),
  });
}

/** Waits until activation `id`'s log on the host matches `pattern` (e.g. its restart done: it is in its settle time). */
export async function activationReached(fleet: Fleet, host: string, id: string, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  await waitFor(() => (pattern.test(activationFile(fleet, host, id, 'log') ?? '') ? true : undefined), {
    timeoutMs,
    intervalMs: 10,
    onTimeout: () => new Error(`activation ${id} on ${host} did not reach ${pattern} within ${timeoutMs} ms; log:\n${activationFile(fleet, host, id, 'log')}`),
  });
}

/** Waits until activation `id` has written its result, and returns it. */
export async function activationResult(fleet: Fleet, host: string, id: string, timeoutMs = 60_000): Promise<string> {
  return waitFor(() => activationFile(fleet, host, id, 'result') ?? undefined, {
    timeoutMs,
    intervalMs: 20,
    onTimeout: () => new Error(`activation ${id} on ${host} wrote no result within ${timeoutMs} ms`),
  });
}

/** Partial uploads the host's agent is receiving (its staging dir). */
export function uploadsInProgress(fleet: Fleet, host: string): string[] {
  const dir = onHost(fleet, host, `${DEPTOOL}/tmp`);
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^activate\.\d+\.tar$/.test(name)) : [];
}

/** The store (a bare git repository) of a workspace, read with git. */
export class StoreView {
  constructor(
    private readonly gitDir: string,
    private readonly ref = 'refs/heads/prod',
  ) {}

  private git(...args: string[]): string {
    return git(this.gitDir, ['--git-dir', this.gitDir, ...args]);
  }

  /** The branch's tip, or null before the first record. */
  tip(): string | null {
    try {
      return this.git('rev-parse', '--verify', '--quiet', this.ref);
    } catch {
      return null;
    }
  }

  /** Commit titles, newest first. */
  titles(): string[] {
    return this.tip() === null ? [] : this.git('log', '--format=%s', this.ref).split('\n');
  }

  /** The revision the store records for an app on a host (the first 10 hex of its tree id) at `at` (default the tip), or null. */
  rev(host: string, app: string, at = this.ref): string | null {
    try {
      return this.git('rev-parse', '--verify', '--quiet', `${at}:${host}/${app}`).slice(0, 10);
    } catch {
      return null;
    }
  }

  file(path: string): string {
    return this.git('show', `${this.ref}:${path}`);
  }

  /** `git ls-tree -r` of a commit: every path with its mode and blob id. */
  tree(commit: string): string {
    return this.git('ls-tree', '-r', commit);
  }
}
