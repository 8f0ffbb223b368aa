// Which changed files' contents are never shown, decided in one place for the CLI and the
// Action, and what every rendering shows instead: sha256 prefixes.
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import type { FileChange } from '../plan/types.js';
import { filePermissions, readableByOthers } from '../tree/permissions.js';
import type { ClusterSnapshot } from '../tree/types.js';
import { modeNote } from './unified-diff.js';

/** True when the content of file `path` of `app` on `host` may not be shown. */
export type IsSensitive = (host: string, app: string, path: string) => boolean;

/**
 * A file is sensitive when `<host>/<app>/<path>` matches one of `globs` (deptool.json's
 * `sensitive_paths`, the Action's `sensitive-paths`, `plan --sensitive`; dotfiles included),
 * or when its app's `permissions` keep others from reading it in one of `snapshots`. Pass
 * both what is deployed and what will be: a secret made public must not show its old content.
 */
export function sensitiveFiles(globs: readonly string[], snapshots: readonly ClusterSnapshot[] = []): IsSensitive {
  const matches = picomatch([...globs], { dot: true });
  return (host, app, path) =>
    matches(`${host}/${app}/${path}`) ||
    snapshots.some((cluster) => {
      const snapshot = cluster.get(host)?.apps.get(app);
      return snapshot !== undefined && snapshot.files.has(path) && !readableByOthers(filePermissions(snapshot.manifest, path));
    });
}

function sha256Prefix(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}

/** What a sensitive file shows instead of its diff: hashes and the mode, not a line count or size, which would say something about the secret. */
export function sensitiveNotes(change: FileChange, old: Buffer | null, next: Buffer | null): string[] {
  if (!old) return next ? [`content added (sha256 ${sha256Prefix(next)})`] : [];
  if (!next) return [`content removed (sha256 ${sha256Prefix(old)})`];
  const notes = old.equals(next) ? [] : [`content changed (sha256 ${sha256Prefix(old)} → ${sha256Prefix(next)})`];
  const oldExecutable = change.old?.executable ?? false;
  const newExecutable = change.new?.executable ?? false;
  return oldExecutable === newExecutable ? notes : [...notes, modeNote(oldExecutable, newExecutable)];
}
