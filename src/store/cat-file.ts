// Batch object lookups with one `git cat-file` process each: blob contents and blob existence.
import { OperationError } from '../errors.js';
import { runGit } from './git.js';

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function checkOids(oids: readonly string[]): void {
  const bad = oids.find((oid) => !OID.test(oid));
  if (bad !== undefined) throw new OperationError(`'${bad}' is not a git object id (expected 40 lowercase hex digits).`);
}

/** oid -> content for every oid; a missing or non-blob object is an error. */
export async function readBlobs(gitDir: string, oids: Iterable<string>): Promise<Map<string, Buffer>> {
  const wanted = [...new Set(oids)];
  const blobs = new Map<string, Buffer>();
  if (wanted.length === 0) return blobs;
  checkOids(wanted);
  const output = await runGit(gitDir, ['cat-file', '--batch'], `${wanted.join('\n')}\n`);
  let offset = 0;
  for (const oid of wanted) {
    const newline = output.indexOf(0x0a, offset);
    const header = output.toString('utf8', offset, newline).split(' ');
    if (header[1] !== 'blob') {
      const what = header[1] === 'missing' ? 'is missing' : `is a ${header[1]}, not a file`;
      throw new OperationError(`Object ${oid} ${what} in the store '${gitDir}'. The store may be damaged; check it with 'git fsck'.`);
    }
    const size = Number(header[2]);
    blobs.set(oid, output.subarray(newline + 1, newline + 1 + size));
    offset = newline + 1 + size + 1;
  }
  return blobs;
}

/** The subset of `oids` that are blobs in the store. */
export async function existingBlobs(gitDir: string, oids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (oids.length === 0) return found;
  checkOids(oids);
  const output = await runGit(gitDir, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], `${oids.join('\n')}\n`);
  for (const line of output.toString('utf8').split('\n')) {
    const [oid, type] = line.split(' ');
    if (type === 'blob') found.add(oid);
  }
  return found;
}
