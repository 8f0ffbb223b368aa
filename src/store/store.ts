// The store: a git repository whose ref tips say what is on each host, one commit per deploy attempt.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationError, UsageError } from '../errors.js';
import { existingBlobs, readBlobs } from './cat-file.js';
import { fastImport, type ImportBlob } from './fast-import.js';
import { execGit, runGit } from './git.js';
import { readLog } from './log.js';
import { parseLsTree } from './ls-tree.js';
import { formatMessage, oneLine } from './message.js';
import type { FileEntry } from '../tree/types.js';
import { HOST_STATUSES, type Attempt, type AttemptRecord, type HostResult, type StoredApp, type StoredCluster } from './types.js';

export type * from './types.js';
export { HOST_STATUSES } from './types.js';

/** Set by `init`, so a second `init` can tell its own store from any other repository. */
const MARKER_KEY = 'deptool.storeVersion';
const MARKER_VALUE = '1';
/** Temporary refs of commits not yet published, outside refs/heads so nobody pushes them. */
const TEMP_REF_PREFIX = 'refs/deptool-tmp/';
/** Compare-and-swap tries before giving up; each one after a concurrent update or a held ref lock. */
const CAS_TRIES = 8;
const OID = /^[0-9a-f]{40}$/;
/** As the old value of an update-ref transaction: the ref must not exist yet. */
const ZERO_OID = '0'.repeat(40);

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}

function fail(message: string): never {
  throw new OperationError(message);
}

/** Host and app names become path components and, for hosts, words in a trailer. */
function checkName(name: string, what: string): void {
  if (!/^[^\s/\0]+$/.test(name) || name === '.' || name === '..' || name.toLowerCase() === '.git') {
    fail(`Invalid ${what} name '${name}': it must be one path component without whitespace.`);
  }
}

function checkFilePath(path: string, where: string): void {
  const bad = path.split('/').some((part) => part === '' || part === '.' || part === '..' || part.toLowerCase() === '.git' || part.includes('\0'));
  if (bad) fail(`Invalid file path '${path}' in ${where}: it must be relative, without empty, '.', '..' or '.git' components.`);
}

function checkNoNul(text: string | undefined, what: string): void {
  if (text?.includes('\0')) fail(`The ${what} of the attempt contains a NUL character.`);
}

/** Rejects attempts that would break the store's invariants, before anything is written. */
function checkAttempt(attempt: Attempt): void {
  if (attempt.parent !== null && !OID.test(attempt.parent)) fail(`The attempt's parent '${attempt.parent}' is not a commit id.`);
  if (!oneLine(attempt.title)) fail('The attempt has an empty title.');
  checkNoNul(attempt.title, 'title');
  checkNoNul(attempt.body, 'body');
  const trailers = attempt.trailers;
  for (const value of [trailers?.planDigest, trailers?.runUrl, trailers?.pullRequest, trailers?.actor]) checkNoNul(value, 'trailers');
  const { name, email } = attempt.author;
  if (!oneLine(name) || /[<>\n\0]/.test(name) || /[<>\n\0]/.test(email)) {
    fail(`Invalid author '${name} <${email}>': the name must not be empty and neither may contain '<', '>' or a newline.`);
  }
  if (attempt.date !== undefined && !(attempt.date.getTime() >= 0)) fail('The attempt has an invalid date.');
  if (attempt.results.length === 0) fail('The attempt has no host results; record an attempt only when some host was deployed to.');
  const statuses = new Map<string, HostResult['status']>();
  for (const result of attempt.results) {
    checkName(result.host, 'host');
    checkNoNul(result.detail, 'result detail');
    if (!HOST_STATUSES.includes(result.status)) fail(`Invalid status '${String(result.status)}' for host '${result.host}'.`);
    if (statuses.has(result.host)) fail(`The attempt has two results for host '${result.host}'.`);
    statuses.set(result.host, result.status);
  }
  for (const [host, apps] of attempt.writes) {
    const status = statuses.get(host);
    if (status !== 'deployed' && status !== 'synced') {
      fail(`The attempt writes apps of host '${host}', whose result is ${status ?? 'missing'}; only hosts whose changes landed (or whose state was read back) may change in the store.`);
    }
    for (const [app, write] of apps) {
      checkName(app, 'app');
      for (const [path, file] of write?.files ?? []) {
        checkFilePath(path, `${host}/${app}`);
        if (!OID.test(file.oid)) fail(`'${host}/${app}/${path}' has an invalid blob id '${file.oid}'.`);
        if (file.source !== undefined && !isAbsolute(file.source)) fail(`The source of '${host}/${app}/${path}' must be an absolute path, not '${file.source}'.`);
        if (file.source !== undefined && file.content !== undefined) fail(`'${host}/${app}/${path}' has both a source file and a content.`);
      }
    }
  }
}

/** The fast-import commands of an attempt's writes, and the blobs it must stream. */
interface Changes {
  deletes: string[];
  files: { path: string; executable: boolean; oid: string }[];
  /** oid -> where its content comes from: a source file, or the content itself. */
  sources: Map<string, ImportBlob>;
}

function changesOf(attempt: Attempt): Changes {
  const changes: Changes = { deletes: [], files: [], sources: new Map() };
  for (const [host, apps] of attempt.writes) {
    for (const [app, write] of apps) {
      changes.deletes.push(`${host}/${app}`);
      for (const [path, file] of write?.files ?? []) {
        changes.files.push({ path: `${host}/${app}/${path}`, executable: file.executable, oid: file.oid });
        if (file.source !== undefined) changes.sources.set(file.oid, { oid: file.oid, source: file.source });
        else if (file.content !== undefined) changes.sources.set(file.oid, { oid: file.oid, content: file.content });
      }
    }
  }
  return changes;
}

/**
 * Layout: each ref (one per cluster in the CLI's bare repository, or one branch of the
 * user's repository for the Action) has a linear history, one commit per attempt (message
 * format in message.ts). The tip's tree is `<host>/<app>/<files>`, modes 100644/100755
 * only; the tree id of `<host>/<app>` names the app's revision on the host. Commits are
 * built under refs/deptool-tmp/ and published by compare-and-swap of the ref.
 */
export class Store {
  /** The directory the store was opened with (absolute). */
  readonly dir: string;
  /** The git directory (the repository itself when bare). */
  readonly gitDir: string;
  private readonly checkedRefs = new Set<string>();

  private constructor(dir: string, gitDir: string) {
    this.dir = dir;
    this.gitDir = gitDir;
  }

  /** Creates a bare repository at `dir`, or opens it when it already is a deptool store. */
  static async init(dir: string): Promise<Store> {
    const path = resolve(dir);
    const info = await stat(path).catch(() => null);
    if (info && !info.isDirectory()) fail(`Cannot create a store at '${path}': it exists and is not a directory. Choose another path.`);
    if (info && (await readdir(path)).length > 0) {
      const gitDir = await gitDirOf(path);
      if (gitDir === null) fail(`Cannot create a store at '${path}': the directory is not empty and is not a git repository. Choose another path.`);
      const store = new Store(path, gitDir);
      if ((await store.getConfig(MARKER_KEY)) === null) {
        fail(`Cannot create a store at '${path}': it is a git repository that deptool did not create. Choose another path.`);
      }
      return store;
    }
    await mkdir(path, { recursive: true });
    try {
      await runGit(path, ['init', '--bare', '--quiet']);
    } catch (error) {
      fail(`Could not create the store at '${path}': ${errorText(error)}`);
    }
    const store = new Store(path, await realpath(path));
    await store.setConfig(MARKER_KEY, MARKER_VALUE);
    return store;
  }

  /** Opens an existing store: a bare repository, or the root of a work tree (the Action's checkout). */
  static async open(dir: string): Promise<Store> {
    const path = resolve(dir);
    const info = await stat(path).catch(() => null);
    // No store where one is expected is the setup's fault, as a configuration error is: exit 2, not a failed operation.
    if (!info) throw new UsageError(`No store at '${path}'. Run 'deptool init' first.`);
    const gitDir = info.isDirectory() ? await gitDirOf(path) : null;
    if (gitDir === null) throw new UsageError(`'${path}' is not a deptool store (not a git repository). Point deptool at the store, or move this path away and run 'deptool init'.`);
    return new Store(path, gitDir);
  }

  async getConfig(key: string): Promise<string | null> {
    // Exit 1: the key is not set.
    const result = await execGit(this.gitDir, ['config', '--local', '--get', key]);
    if (result.code === 1) return null;
    if (result.error) fail(`Could not read '${key}' from the store's configuration: ${errorText(result.error)}`);
    return result.stdout.toString('utf8').replace(/\n$/, '');
  }

  async setConfig(key: string, value: string): Promise<void> {
    try {
      await runGit(this.gitDir, ['config', '--local', key, value]);
    } catch (error) {
      fail(`Could not set '${key}' in the store's configuration: ${errorText(error)}`);
    }
  }

  async tip(ref: string): Promise<string | null> {
    await this.checkRef(ref);
    // --verify --quiet exits 1 without output for a missing ref.
    return this.query(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  }

  async readTree(commit: string | null): Promise<StoredCluster> {
    if (commit === null) return new Map();
    if (!OID.test(commit)) fail(`'${commit}' is not a commit id.`);
    const output = await runGit(this.gitDir, ['ls-tree', '-r', '-t', '-l', '-z', commit]);
    return parseLsTree(output.toString('utf8'), commit);
  }

  /** The full commit id a user-given revision (e.g. a short id from `deptool log`) names, or null. */
  async resolveCommit(revision: string): Promise<string | null> {
    if (!/^[0-9a-f]{4,40}$/i.test(revision)) return null;
    // Any failure (unknown, ambiguous, not a commit) means the revision names no commit.
    const result = await execGit(this.gitDir, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
    return result.code === 0 ? result.stdout.toString('utf8').trim() || null : null;
  }

  /** One app as stored at `commit`, or null when the commit does not have it. */
  async readApp(commit: string, host: string, app: string): Promise<StoredApp | null> {
    if (!OID.test(commit)) fail(`'${commit}' is not a commit id.`);
    const output = await runGit(this.gitDir, ['ls-tree', '-r', '-t', '-l', '-z', commit, '--', `${host}/${app}`]);
    return parseLsTree(output.toString('utf8'), commit).get(host)?.get(app) ?? null;
  }

  /**
   * The app tree whose id starts with `rev` (a revision name on hosts), wherever the store
   * has it (any commit, any branch), with its files; null when it has none.
   */
  async findRevision(rev: string): Promise<StoredApp | null> {
    if (!/^[0-9a-f]{10}$/.test(rev)) fail(`'${rev}' is not a revision.`);
    // Ten hex digits could also start a blob's or a commit's id: ask for trees only.
    const treeOid = await this.query(['-c', 'core.disambiguate=tree', 'rev-parse', '--verify', '--quiet', `${rev}^{tree}`]);
    if (treeOid === null || !treeOid.startsWith(rev)) return null;
    const output = (await runGit(this.gitDir, ['ls-tree', '-r', '-l', '-z', treeOid])).toString('utf8');
    const files = new Map<string, FileEntry>();
    for (const entry of output.split('\0')) {
      if (entry === '') continue;
      const tab = entry.indexOf('\t');
      const [mode, , oid, size] = entry.slice(0, tab).split(/ +/);
      if (mode !== '100644' && mode !== '100755') return null;
      files.set(entry.slice(tab + 1), { oid, executable: mode === '100755', size: Number(size) });
    }
    return { files, treeOid };
  }

  /**
   * The versions of one app on `ref`, newest first: every commit that changed
   * `<host>/<app>`, with the app's tree id there (null where the commit removed it).
   */
  async appHistory(ref: string, host: string, app: string, limit = 50): Promise<{ commit: string; treeOid: string | null }[]> {
    if ((await this.tip(ref)) === null) return [];
    const log = await runGit(this.gitDir, ['log', '--first-parent', `-n${limit}`, '--format=%H', ref, '--', `${host}/${app}`]);
    const commits = log.toString('utf8').split('\n').filter(Boolean);
    if (commits.length === 0) return [];
    const output = await runGit(this.gitDir, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], commits.map((c) => `${c}:${host}/${app}\n`).join(''));
    const lines = output.toString('utf8').split('\n');
    return commits.map((commit, i) => {
      const [oid, type] = (lines[i] ?? '').split(' ');
      return { commit, treeOid: type === 'tree' ? oid : null };
    });
  }

  readBlobs(oids: Iterable<string>): Promise<Map<string, Buffer>> {
    return readBlobs(this.gitDir, oids);
  }

  /**
   * Records one attempt as a commit on `attempt.ref` and returns its id. The writes are
   * built on the ref's current tip, which may have moved past `attempt.parent` when another
   * run recorded meanwhile: hosts are disjoint (host locks), so replacing this attempt's app
   * subtrees keeps both runs' changes. The ref only ever moves forward, by compare-and-swap.
   */
  async recordAttempt(attempt: Attempt): Promise<string> {
    checkAttempt(attempt);
    await this.checkRef(attempt.ref);
    const message = formatMessage(attempt.title, attempt.body, attempt.results, attempt.trailers);
    const changes = changesOf(attempt);
    const date = attempt.date ?? new Date();
    let tip = await this.tip(attempt.ref);
    await this.checkTip(attempt, tip);
    const blobs = await this.blobsToStream(changes, tip, attempt.ref);
    const tempRef = `${TEMP_REF_PREFIX}${randomUUID()}`;
    let published = false;
    try {
      let commit: string | null = null;
      let base: string | null = null;
      for (let tries = 1; ; tries++) {
        if (commit === null || tip !== base) {
          // Blobs are streamed once; a rebuild on a newer tip finds them in the store.
          commit = await fastImport(this.gitDir, commit === null ? blobs : [], {
            ref: tempRef,
            from: tip,
            identity: attempt.author,
            date,
            message,
            deletes: changes.deletes,
            files: changes.files,
          });
          base = tip;
        }
        try {
          // One transaction moves the ref only if it is still at `tip`, and drops the temporary ref.
          const transaction = `start\nupdate ${attempt.ref} ${commit} ${tip ?? ZERO_OID}\ndelete ${tempRef}\ncommit\n`;
          await runGit(this.gitDir, ['update-ref', '-m', `deptool: ${oneLine(attempt.title)}`, '--stdin'], transaction);
          published = true;
          return commit;
        } catch (error) {
          if (tries === CAS_TRIES) {
            fail(`Could not update '${attempt.ref}' in the store '${this.dir}' after ${CAS_TRIES} tries: ${errorText(error)}\nNothing was recorded; check that no other process keeps the ref locked.`);
          }
        }
        await sleep(10 * tries + Math.random() * 20);
        tip = await this.tip(attempt.ref);
        await this.checkTip(attempt, tip);
      }
    } finally {
      // A leftover temporary ref is harmless (nothing reads refs/deptool-tmp), so a failure here must not mask the outcome.
      if (!published) await runGit(this.gitDir, ['update-ref', '-d', tempRef]).catch(() => undefined);
    }
  }

  async log(ref: string, options: { limit?: number; host?: string } = {}): Promise<AttemptRecord[]> {
    const records: AttemptRecord[] = [];
    const tip = await this.tip(ref);
    if (tip === null || options.limit === 0) return records;
    for await (const record of readLog(this.gitDir, tip)) {
      if (options.host !== undefined && !record.results.some((r) => r.host === options.host)) continue;
      records.push(record);
      if (records.length === options.limit) break;
    }
    return records;
  }

  async lastResults(ref: string, hosts: readonly string[]): Promise<Map<string, AttemptRecord & { result: HostResult }>> {
    const found = new Map<string, AttemptRecord & { result: HostResult }>();
    const wanted = new Set(hosts);
    const tip = await this.tip(ref);
    if (tip === null || wanted.size === 0) return found;
    for await (const record of readLog(this.gitDir, tip)) {
      for (const result of record.results) {
        if (wanted.has(result.host) && !found.has(result.host)) found.set(result.host, { ...record, result });
      }
      if (found.size === wanted.size) break;
    }
    return found;
  }

  /** git's trimmed output, or null when git exits 1 without output: its way of saying "no" for the commands used here. */
  private async query(args: readonly string[]): Promise<string | null> {
    const result = await execGit(this.gitDir, args);
    if (result.code === 1 && result.stdout.length === 0) return null;
    if (result.error) throw result.error;
    return result.stdout.toString('utf8').trim() || null;
  }

  /** Refs are full names, so update-ref can never create a stray file in the git directory. */
  private async checkRef(ref: string): Promise<void> {
    if (this.checkedRefs.has(ref)) return;
    const normalized = ref.startsWith('refs/') ? await this.query(['check-ref-format', '--normalize', ref]) : null;
    if (normalized !== ref) fail(`Invalid store ref '${ref}': expected a full ref name such as 'refs/heads/prod'.`);
    this.checkedRefs.add(ref);
  }

  /**
   * The current tip must be the attempt's parent or a descendant of it. An empty store
   * (null parent) precedes every tip: two first-ever deploys of disjoint hosts both land.
   */
  private async checkTip(attempt: Attempt, tip: string | null): Promise<void> {
    const { ref, parent } = attempt;
    if (tip === parent || parent === null) return;
    if (tip === null) {
      fail(`Cannot record the attempt: it was planned against commit ${parent.slice(0, 10)} of '${ref}', which no longer exists. Was the store replaced? Make a new plan against the current store.`);
    }
    // Exit 1: no common ancestor.
    const mergeBase = await this.query(['merge-base', parent, tip]);
    if (mergeBase !== parent) {
      fail(`Cannot record the attempt: '${ref}' was rewritten and no longer contains commit ${parent.slice(0, 10)} the attempt was planned against. Make a new plan against the current store.`);
    }
  }

  /**
   * The blobs fast-import must be sent. Those in the apps' current subtrees are stored
   * already, so a redeploy does not read unchanged files again. Asking git about every
   * other oid would cost more than streaming it (a lookup of a missing object rescans
   * the packs), and fast-import skips writing a blob that is already packed.
   * A file without a source must be in the store.
   */
  private async blobsToStream(changes: Changes, tip: string | null, ref: string): Promise<ImportBlob[]> {
    const stored = new Set<string>();
    if (tip !== null && changes.deletes.length > 0) {
      const args = ['--literal-pathspecs', 'ls-tree', '-r', '-z', '--format=%(objectname)', tip, '--', ...changes.deletes];
      const listing = await runGit(this.gitDir, args);
      for (const oid of listing.toString('utf8').split('\0')) stored.add(oid);
    }
    const unknown = [...new Set(changes.files.filter((file) => !stored.has(file.oid) && !changes.sources.has(file.oid)).map((file) => file.oid))];
    const present = await existingBlobs(this.gitDir, unknown);
    const missing = changes.files.find((file) => !stored.has(file.oid) && !changes.sources.has(file.oid) && !present.has(file.oid));
    if (missing) fail(`Cannot record '${missing.path}' on '${ref}': blob ${missing.oid} is not in the store and no source file was given.`);
    return [...changes.sources].filter(([oid]) => !stored.has(oid)).map(([, blob]) => blob);
  }
}

/** The git directory of `dir` when `dir` itself is a repository (bare, or a work tree root); null otherwise. */
async function gitDirOf(dir: string): Promise<string | null> {
  const result = await execGit(dir, ['rev-parse', '--absolute-git-dir']);
  if (result.error) {
    if (/not a git repository/i.test(result.error.message)) return null;
    fail(`Cannot use '${dir}' as a store: ${errorText(result.error)}`);
  }
  const gitDir = result.stdout.toString('utf8').trim();
  const real = await realpath(dir);
  // A directory inside some other repository is not a store: git would have found the outer one.
  return gitDir === real || gitDir === join(real, '.git') ? gitDir : null;
}
