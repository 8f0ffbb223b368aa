// A revision as a host has it, read back from the agent's export (a tar of `<rev>/...` and
// `<rev>.sha256`): how the store learns a revision it never recorded.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { formatIssue } from '../errors.js';
import { appTreeOid, gitBlobOid } from '../tree/hash.js';
import { parseManifest } from '../tree/manifest.js';
import { EMPTY_MANIFEST, type AppSnapshot, type FileEntry } from '../tree/types.js';

export interface HostRevision {
  readonly snapshot: AppSnapshot;
  /** path -> content, for the store to record. */
  readonly contents: ReadonlyMap<string, Buffer>;
}

/** Why a revision from the host cannot be taken as it is. */
export class RevisionMismatch extends Error {}

interface Member {
  readonly content: Buffer;
  /** The user-executable bit of its mode on the host. */
  readonly executable: boolean;
}

async function readTar(tar: Buffer): Promise<Map<string, Member>> {
  const members = new Map<string, Member>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => {
        chunks.push(chunk as Buffer);
      });
      stream.on('end', () => {
        if (header.type === 'file') members.set(header.name.replace(/^\.\//, ''), { content: Buffer.concat(chunks), executable: ((header.mode ?? 0) & 0o100) !== 0 });
        next();
      });
      stream.resume();
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  Readable.from([tar]).pipe(reader);
  await done;
  return members;
}

/** `<sha256>  <path>` lines, or `<sha256> *<path>` for an executable file. */
export function parseChecksums(list: string): Map<string, { sha256: string; executable: boolean }> {
  const sums = new Map<string, { sha256: string; executable: boolean }>();
  for (const line of list.split('\n')) {
    if (line === '') continue;
    const match = /^([0-9a-f]{64}) ([ *])(.+)$/.exec(line);
    if (!match) throw new RevisionMismatch(`its checksum list has a malformed line: ${JSON.stringify(line)}`);
    sums.set(match[3], { sha256: match[1], executable: match[2] === '*' });
  }
  return sums;
}

/** The checksum list line of one file, as the driver sends it and the agent checks it. */
export function checksumLine(path: string, content: Buffer, executable: boolean): string {
  return `${createHash('sha256').update(content).digest('hex')} ${executable ? '*' : ' '}${path}`;
}

/**
 * The revision `rev` of `app` from an export. With `verify`, every file must match its
 * checksum list and the files must hash to the revision's id (what deptool staged); without,
 * the files are taken as they are (a host whose edits the operator accepts), executable
 * where the list says so or, for files it lacks, where the host's mode does.
 */
export async function revisionFromExport(app: string, rev: string, tar: Buffer, options: { verify: boolean; where: string }): Promise<HostRevision> {
  const members = await readTar(tar);
  const listText = members.get(`${rev}.sha256`);
  const sums = listText === undefined ? new Map<string, { sha256: string; executable: boolean }>() : parseChecksums(listText.content.toString('utf8'));
  if (options.verify && listText === undefined) throw new RevisionMismatch(`revision ${rev} of app '${app}' on ${options.where} has no checksum list`);
  const contents = new Map<string, Buffer>();
  const files = new Map<string, FileEntry>();
  const prefix = `${rev}/`;
  for (const [name, member] of members) {
    if (!name.startsWith(prefix)) continue;
    const content = member.content;
    const path = name.slice(prefix.length);
    const listed = sums.get(path);
    if (options.verify) {
      if (listed === undefined) throw new RevisionMismatch(`${app}/${path} on ${options.where} is not in revision ${rev}'s checksum list`);
      if (createHash('sha256').update(content).digest('hex') !== listed.sha256) throw new RevisionMismatch(`${app}/${path} on ${options.where} does not match its checksum`);
    }
    contents.set(path, content);
    files.set(path, { oid: gitBlobOid(content), executable: listed?.executable ?? member.executable, size: content.length });
  }
  if (options.verify) {
    const missing = [...sums.keys()].filter((path) => !contents.has(path));
    if (missing.length > 0) throw new RevisionMismatch(`${missing.map((p) => `${app}/${p}`).join(', ')} of revision ${rev} ${missing.length === 1 ? 'is' : 'are'} missing on ${options.where}`);
  }
  const treeOid = appTreeOid(files);
  if (options.verify && !treeOid.startsWith(rev)) {
    throw new RevisionMismatch(`the files of revision ${rev} of app '${app}' on ${options.where} hash to ${treeOid.slice(0, 10)}, not to their revision`);
  }
  let manifest = EMPTY_MANIFEST;
  const manifestText = contents.get('manifest.json');
  if (manifestText !== undefined) {
    const parsed = parseManifest(manifestText.toString('utf8'), `${options.where}:${app}/manifest.json`, new Set(files.keys()));
    if (parsed.issues.length > 0) throw new RevisionMismatch(`its manifest is not valid: ${parsed.issues.map(formatIssue).join('; ')}`);
    manifest = parsed.manifest;
  }
  return { snapshot: { name: app, files, manifest, treeOid }, contents };
}
