// `deptool diff` and the prompt's `d`: each host's changed files as `git diff` shows them
// (`diff --git`, the extended header with blob ids and modes, hunks), in git's colours.
import type { FileChange } from '../plan/types.js';
import { paint } from './color.js';
import { diffHeader, fileDiff, modeNote, quotePath } from './unified-diff.js';

/** git's default abbreviation of an object id. */
const ABBREV = 7;
const NULL_OID = '0'.repeat(ABBREV);

const mode = (executable: boolean) => (executable ? '100755' : '100644');

/** The line that heads a host's files, so a diff of many hosts says whose files follow. */
export function hostHeading(host: string, color: boolean): string {
  return paint(color, 'heading', `==> ${host} <==`);
}

/** git's extended header: `diff --git`, new/deleted file or old/new mode, and `index <old>..<new>[ <mode>]`. */
function extendedHeader(path: string, change: FileChange): string[] {
  const { old, new: next } = change;
  const lines = [`diff --git ${quotePath(`a/${path}`)} ${quotePath(`b/${path}`)}`];
  const modeChanged = old !== null && next !== null && old.executable !== next.executable;
  if (!old && next) lines.push(`new file mode ${mode(next.executable)}`);
  else if (old && !next) lines.push(`deleted file mode ${mode(old.executable)}`);
  else if (old && next && modeChanged) lines.push(`old mode ${mode(old.executable)}`, `new mode ${mode(next.executable)}`);
  if (old?.oid !== next?.oid) {
    const ids = `${old ? old.oid.slice(0, ABBREV) : NULL_OID}..${next ? next.oid.slice(0, ABBREV) : NULL_OID}`;
    // git names the mode on the index line only when both sides exist and it did not change.
    lines.push(old && next && !modeChanged ? `index ${ids} ${mode(next.executable)}` : `index ${ids}`);
  }
  return lines;
}

/**
 * One changed file of an app, as `git diff` between the host's deployed tree and its new one
 * shows it (`path` is `<app>/<file>`). `hidden` replaces the content for a sensitive file:
 * its notes (sha256 prefixes) stand where the hunks would.
 */
export function gitFileDiff(path: string, change: FileChange, old: Buffer | null, next: Buffer | null, options: { readonly color: boolean; readonly hidden?: readonly string[] }): string {
  const { color } = options;
  const header = extendedHeader(path, change).map((line) => paint(color, 'strong', line));
  // The mode is in the header already.
  const flip = modeNote(change.old?.executable ?? false, change.new?.executable ?? false);
  if (options.hidden) return [...header, ...options.hidden.filter((note) => note !== flip)].join('\n') + '\n';
  const diff = fileDiff(path, old, next);
  if (diff.body === '') return header.join('\n') + '\n';
  const lines = diff.body.slice(0, -1).split('\n');
  const notes = lines.slice(0, diff.notes.length);
  const hunks = lines.slice(diff.notes.length).map((line) => {
    if (line.startsWith('@@')) return paint(color, 'hunk', line);
    if (line.startsWith('+')) return paint(color, 'add', line);
    if (line.startsWith('-')) return paint(color, 'remove', line);
    return line;
  });
  // Like git, no `---`/`+++` lines when there are no hunks (a binary or empty file).
  const names = hunks.length === 0 ? [] : diffHeader(path, old, next).slice(0, -1).split('\n').map((line) => paint(color, 'strong', line));
  return [...header, ...names, ...notes, ...hunks].join('\n') + '\n';
}
