// Git object ids computed in memory, so config-tree apps and store trees share one identity.
import { createHash } from 'node:crypto';
import type { FileEntry } from './types.js';

export type TreeEntryMode = '100644' | '100755' | '40000';

export interface TreeEntry {
  readonly name: string;
  readonly mode: TreeEntryMode;
  /** 40 hex digits. */
  readonly oid: string;
}

/** The header git puts before a blob's content when hashing it. */
export function blobHeader(size: number): Buffer {
  return Buffer.from(`blob ${size}\0`);
}

/** Git's blob id of `content` (what `git hash-object` prints). */
export function gitBlobOid(content: Buffer): string {
  return createHash('sha1').update(blobHeader(content.length)).update(content).digest('hex');
}

/** Git's tree id of one directory level. Entry names must be unique. */
export function gitTreeOid(entries: Iterable<TreeEntry>): string {
  // Git orders entries by name bytes, comparing a subtree as if its name ended in "/".
  const keyed = [...entries].map((entry) => ({
    entry,
    key: Buffer.from(entry.mode === '40000' ? `${entry.name}/` : entry.name),
  }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (const { entry } of keyed) {
    parts.push(Buffer.from(`${entry.mode} ${entry.name}\0`), Buffer.from(entry.oid, 'hex'));
  }
  const body = Buffer.concat(parts);
  return createHash('sha1').update(`tree ${body.length}\0`).update(body).digest('hex');
}

interface Dir {
  readonly files: TreeEntry[];
  readonly dirs: Map<string, Dir>;
}

/** Git's tree id of an app directory given its files by app-relative POSIX path. */
export function appTreeOid(files: ReadonlyMap<string, FileEntry>): string {
  const root: Dir = { files: [], dirs: new Map() };
  for (const [path, file] of files) {
    const parts = path.split('/');
    const name = parts.pop()!;
    let dir = root;
    for (const part of parts) {
      let child = dir.dirs.get(part);
      if (child === undefined) {
        child = { files: [], dirs: new Map() };
        dir.dirs.set(part, child);
      }
      dir = child;
    }
    dir.files.push({ name, mode: file.executable ? '100755' : '100644', oid: file.oid });
  }
  return dirOid(root);
}

function dirOid(dir: Dir): string {
  const subtrees = [...dir.dirs].map(([name, child]): TreeEntry => ({ name, mode: '40000', oid: dirOid(child) }));
  return gitTreeOid([...dir.files, ...subtrees]);
}
