// Writes in-memory file lists into temp dirs: `{ 'prod/web/caddy/Caddyfile': 'x' }`, plus
// executable files, symlinks, FIFOs and empty dirs for the cases the loader must handle.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';

export type EntrySpec =
  | string
  | Buffer
  | { readonly content: string | Buffer; readonly executable: boolean }
  | { readonly symlink: string }
  | { readonly fifo: true }
  | { readonly dir: true };

export type TreeSpec = Readonly<Record<string, EntrySpec>>;

/** A fresh temp dir, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'deptool-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [path, entry] of Object.entries(spec)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) await writeFile(full, entry, { mode: 0o644 });
    else if ('content' in entry) await writeFile(full, entry.content, { mode: entry.executable ? 0o755 : 0o644 });
    else if ('symlink' in entry) await symlink(entry.symlink, full);
    else if ('fifo' in entry) {
      const result = spawnSync('mkfifo', [full]);
      if (result.status !== 0) throw new Error(`mkfifo ${full} failed: ${result.stderr.toString()}`);
    } else await mkdir(full, { recursive: true });
  }
}

/** Runs git with argument arrays in `cwd`, returning trimmed stdout; throws on failure. */
export function git(cwd: string, args: readonly string[], input?: string | Buffer): string {
  const result = spawnSync('git', args, { cwd, input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}
