// Loads a cluster directory into a ConfigTree (DESIGN §1), reporting every problem at once.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, type Dirent, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { decodeUtf8, displayPath, fileSystemIssue, specialFileIssue } from './fs-issues.js';
import { appTreeOid, blobHeader } from './hash.js';
import { parseManifest } from './manifest.js';
import { loadSettings, type ClusterSettings } from './settings.js';
import { EMPTY_MANIFEST, type AppSnapshot, type ConfigTree, type FileEntry, type HostSnapshot } from './types.js';
import { entryNameProblem, validateName } from './names.js';
import { checkAppLayout, checkHostConflicts, type AppForConflicts } from './validate.js';

export interface LoadOptions {
  /** Base for a relative `dir` and for the paths named in issues; default `process.cwd()`. */
  readonly cwd?: string;
  /** Directories and files read at the same time; default 32. */
  readonly concurrency?: number;
}

export interface LoadedCluster {
  readonly tree: ConfigTree;
  /** From the cluster's deptool.json; empty settings when it has none. */
  readonly settings: ClusterSettings;
}

/** Read buffer per file in flight: small files take one read, larger ones are hashed in chunks. */
const CHUNK = 256 * 1024;
const MANIFEST_MAX = 1024 * 1024;

interface HostAcc {
  readonly name: string;
  readonly abs: string;
  hasPlainFile: boolean;
  readonly apps: AppAcc[];
}

interface AppAcc {
  readonly name: string;
  readonly abs: string;
  readonly files: Map<string, FileEntry>;
  manifest?: Buffer;
}

type Job =
  | { readonly kind: 'cluster'; readonly abs: string }
  | { readonly kind: 'host'; readonly abs: string; readonly host: HostAcc }
  /** `prefix` is the app-relative path of the directory plus "/", or "" for the app root. */
  | { readonly kind: 'dir'; readonly abs: string; readonly app: AppAcc; readonly prefix: string }
  | { readonly kind: 'file'; readonly abs: string; readonly app: AppAcc; readonly path: string };

/** A problem found while reading a file that is not an error of the file system. */
class FileProblem extends Error {
  constructor(readonly issue: Omit<ConfigIssue, 'path'>) {
    super(issue.message);
  }
}

/**
 * Loads and validates the config tree and deptool.json of the cluster in `dir`. Throws one
 * ConfigError listing every problem; never returns a partial tree.
 */
export async function loadCluster(dir: string, options: LoadOptions = {}): Promise<LoadedCluster> {
  const cwd = options.cwd ?? process.cwd();
  const root = resolve(cwd, dir);
  const display = (path: string) => displayPath(cwd, path);
  await checkClusterDir(root, display(root));

  const issues: ConfigIssue[] = [];
  const clusterIssue = validateName(basename(root), 'cluster', display(root));
  if (clusterIssue !== undefined) issues.push(clusterIssue);
  const hostAccs: HostAcc[] = [];
  const buffers: Buffer[] = [];
  const jobs: Job[] = [{ kind: 'cluster', abs: root }];

  const handle = async (job: Job): Promise<void> => {
    if (job.kind === 'file') {
      const buffer = buffers.pop() ?? Buffer.allocUnsafe(CHUNK);
      try {
        const { entry, content } = hashFile(job.abs, buffer, job.path === 'manifest.json');
        job.app.files.set(job.path, entry);
        if (content !== undefined) job.app.manifest = content;
        else if (job.path === 'manifest.json') {
          issues.push({ path: display(job.abs), message: `is larger than ${MANIFEST_MAX / 1024 / 1024} MiB`, hint: 'A manifest only lists units and links; keep it small.' });
        }
      } catch (error) {
        issues.push(error instanceof FileProblem ? { ...error.issue, path: display(job.abs) } : fileSystemIssue(display(job.abs), error));
      } finally {
        buffers.push(buffer);
      }
      return;
    }
    let entries: Dirent[];
    try {
      entries = await readdir(job.abs, { withFileTypes: true });
    } catch (error) {
      issues.push(fileSystemIssue(display(job.abs), error));
      return;
    }
    for (const entry of entries) {
      const abs = `${job.abs}/${entry.name}`;
      if (job.kind === 'dir') {
        const problem = entryNameProblem(entry.name, job.prefix === 'systemd/');
        if (problem !== undefined) {
          issues.push({ path: display(abs), ...problem });
          continue;
        }
      }
      if (entry.isDirectory()) {
        // Node decodes invalid UTF-8 to U+FFFD, so such a path cannot be opened; the name is invalid anyway.
        if (job.kind !== 'dir' && entry.name.includes('\uFFFD')) {
          issues.push(validateName(entry.name, job.kind === 'cluster' ? 'host' : 'app', display(abs))!);
          continue;
        }
        if (job.kind === 'cluster') {
          const host: HostAcc = { name: entry.name, abs, hasPlainFile: false, apps: [] };
          hostAccs.push(host);
          jobs.push({ kind: 'host', abs, host });
        } else if (job.kind === 'host') {
          const app: AppAcc = { name: entry.name, abs, files: new Map() };
          job.host.apps.push(app);
          jobs.push({ kind: 'dir', abs, app, prefix: '' });
        } else {
          jobs.push({ kind: 'dir', abs, app: job.app, prefix: `${job.prefix}${entry.name}/` });
        }
      } else if (entry.isFile()) {
        // Plain files in the cluster dir (deptool.json, a README) or a host dir are not apps.
        if (job.kind === 'host') job.host.hasPlainFile = true;
        else if (job.kind === 'dir') jobs.push({ kind: 'file', abs, app: job.app, path: `${job.prefix}${entry.name}` });
      } else {
        issues.push(specialFileIssue(display(abs), entry));
      }
    }
  };
  await drain(jobs, options.concurrency ?? 32, handle);

  const hosts = new Map<string, HostSnapshot>();
  for (const host of hostAccs.sort(byName)) {
    const apps = host.apps.filter((app) => app.files.size > 0).sort(byName);
    // A host dir without apps is a host without apps: the plan removes every app deployed there
    // (Deptool's rule). Only a dir that is there counts: a host whose dir is gone is left alone.
    // An empty hidden dir (an editor's, a tool's) is not a host, as it was before.
    if (apps.length === 0 && !host.hasPlainFile && host.name.startsWith('.')) continue;
    const hostIssue = validateName(host.name, 'host', display(host.abs));
    if (hostIssue !== undefined) issues.push(hostIssue);
    const snapshots = new Map<string, AppSnapshot>();
    const forConflicts: AppForConflicts[] = [];
    for (const app of apps) {
      const { snapshot, conflicts } = finishApp(app, display, issues);
      snapshots.set(app.name, snapshot);
      forConflicts.push(conflicts);
    }
    issues.push(...checkHostConflicts(forConflicts));
    hosts.set(host.name, { name: host.name, apps: snapshots });
  }

  const { settings, issues: settingsIssues } = await loadSettings(root, new Set(hosts.keys()), cwd);
  issues.push(...settingsIssues);
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  return { tree: { cluster: basename(root), dir: root, hosts }, settings };
}

/** Loads and validates the config tree in `dir` (and its deptool.json); see `loadCluster`. */
export async function loadConfigTree(dir: string, options: LoadOptions = {}): Promise<ConfigTree> {
  return (await loadCluster(dir, options)).tree;
}

async function checkClusterDir(root: string, shown: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await stat(root);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError([
      missing
        ? { path: shown, message: 'cluster directory does not exist', hint: 'Pass the path of a cluster directory, e.g. prod.' }
        : fileSystemIssue(shown, error),
    ]);
  }
  if (!stats.isDirectory()) {
    throw new ConfigError([{ path: shown, message: 'is not a directory', hint: 'Pass the path of a cluster directory, e.g. prod.' }]);
  }
}

function finishApp(
  app: AppAcc,
  display: (path: string) => string,
  issues: ConfigIssue[],
): { snapshot: AppSnapshot; conflicts: AppForConflicts } {
  const at = (relative: string) => display(`${app.abs}/${relative}`);
  const appIssue = validateName(app.name, 'app', display(app.abs));
  if (appIssue !== undefined) issues.push(appIssue);
  const files = new Map([...app.files].sort(([a], [b]) => (a < b ? -1 : 1)));
  const paths = [...files.keys()];
  issues.push(...checkAppLayout(paths, at));

  let manifest = EMPTY_MANIFEST;
  let targetPositions: AppForConflicts['targetPositions'] = new Map();
  if (app.manifest !== undefined) {
    const text = decodeUtf8(app.manifest);
    if (text === undefined) {
      issues.push({ path: at('manifest.json'), message: 'is not valid UTF-8', hint: 'Save it as UTF-8.' });
    } else {
      const parsed = parseManifest(text, at('manifest.json'), new Set(paths));
      issues.push(...parsed.issues);
      manifest = parsed.manifest;
      targetPositions = parsed.targetPositions;
    }
  }
  return {
    snapshot: { name: app.name, files, manifest, treeOid: appTreeOid(files) },
    conflicts: { name: app.name, files: paths, manifest, at, targetPositions },
  };
}

/** Runs `handle` over `jobs` (which handlers may append to) with at most `concurrency` in flight. */
function drain<T>(jobs: T[], concurrency: number, handle: (job: T) => Promise<void>): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      while (active < concurrency && jobs.length > 0) {
        active++;
        handle(jobs.pop()!).then(
          () => {
            active--;
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
      if (active === 0) resolvePromise();
    };
    pump();
  });
}

/**
 * Hashes one file as a git blob without keeping its content (except `keep`, for manifests).
 * O_NOFOLLOW and the fstat check refuse anything that became a link or special file since readdir.
 * Synchronous on purpose: config files are small, and a direct syscall is several times cheaper
 * than a round trip through libuv's thread pool (bench/plan measures both ways).
 */
function hashFile(path: string, buffer: Buffer, keep: boolean): { entry: FileEntry; content: Buffer | undefined } {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileProblem(specialFileIssue('', stats));
    const size = stats.size;
    const kept: Buffer[] | undefined = keep && size <= MANIFEST_MAX ? [] : undefined;
    const hash = createHash('sha1').update(blobHeader(size));
    let total = 0;
    for (;;) {
      // Asking for one byte more than expected detects a file that grew since fstat.
      const wanted = Math.min(buffer.length, size - total + 1);
      const count = readSync(fd, buffer, 0, wanted, total);
      if (count === 0) break;
      total += count;
      if (total > size) break;
      const chunk = buffer.subarray(0, count);
      hash.update(chunk);
      kept?.push(Buffer.from(chunk));
      if (count < wanted) break;
    }
    if (total !== size) {
      throw new FileProblem({ message: 'changed while deptool was reading it', hint: 'Run again once nothing is writing to the config tree.' });
    }
    return {
      entry: { oid: hash.digest('hex'), executable: (stats.mode & 0o100) !== 0, size },
      content: kept === undefined ? undefined : Buffer.concat(kept),
    };
  } finally {
    closeSync(fd);
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Sorted by path then position, with exact duplicates (one problem seen twice) removed. */
function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = JSON.stringify([issue.path, issue.line, issue.column, issue.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) =>
    a.path !== b.path ? (a.path < b.path ? -1 : 1) : (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}
