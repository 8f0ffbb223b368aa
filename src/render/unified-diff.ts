// Unified diffs of one file's two versions in git's shape, shared by `deptool diff` and the Markdown plan.
import { structuredPatch } from 'diff';
import { decodeUtf8 } from '../tree/fs-issues.js';

export interface DiffStat {
  readonly added: number;
  readonly removed: number;
}

export interface DiffOptions {
  /** Unchanged lines shown around each change (default 3, as git). */
  readonly context?: number;
  /** The executable bit of each side; a difference is shown when both sides exist. */
  readonly oldExecutable?: boolean;
  readonly newExecutable?: boolean;
}

export interface FileDiff {
  /** The whole diff: `---`/`+++` headers, then the body. Empty when nothing differs. */
  readonly text: string;
  /** Notes and hunks without the headers, for where the file is named already; ends with a newline unless empty. */
  readonly body: string;
  /** What the hunks cannot show, one line each: `mode 100644 → 100755`, `Binary file changed (…)`, `Empty file added`. */
  readonly notes: readonly string[];
  /** Lines added and removed by the hunks (zero for a binary file). */
  readonly stat: DiffStat;
  /** Either side is binary, so there are no hunks. */
  readonly binary: boolean;
}

interface Hunk {
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  readonly lines: readonly string[];
}

/** git's heuristic looks for a NUL byte this far into the file. */
const BINARY_SNIFF_BYTES = 8000;
/**
 * jsdiff's cost grows with the square of the edit distance (a rewritten 20,000-line
 * file takes minutes); past this many edits one hunk replaces the differing middle.
 */
const MAX_EDIT_LENGTH = 1000;
const NO_NEWLINE = '\\ No newline at end of file';

/** The text of a file, or null when git would call it binary (a NUL byte early on) or it is not UTF-8. */
function decodeText(content: Buffer): string | null {
  if (content.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return null;
  // decodeUtf8 keeps a byte-order mark in the text, so adding or removing one shows up in the diff.
  return decodeUtf8(content) ?? null;
}

export function isBinary(content: Buffer): boolean {
  return decodeText(content) === null;
}

/** `512 B`, `1.2 KiB`, `3.4 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const C_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

/** Quotes a header path as git does (with core.quotePath off), so a newline in a name cannot forge diff lines. */
export function quotePath(path: string): string {
  // eslint-disable-next-line no-control-regex
  const quoted = path.replace(/[\x00-\x1f\x7f"\\]/g, (c) => C_ESCAPES[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return quoted === path ? path : `"${quoted}"`;
}

/** The note for a flipped executable bit, in git's file modes: `mode 100644 → 100755`. */
export function modeNote(oldExecutable: boolean, newExecutable: boolean): string {
  const mode = (executable: boolean) => (executable ? '100755' : '100644');
  return `mode ${mode(oldExecutable)} → ${mode(newExecutable)}`;
}

/** Splits text into lines that keep their `\n`, so a last line without one compares unequal to the same line with it. */
function lineTokens(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

/** Hunk lines for tokens with a prefix mark, adding git's marker after a line that lacks its newline. */
function markLines(mark: string, tokens: readonly string[]): string[] {
  return tokens.flatMap((token) => (token.endsWith('\n') ? [mark + token.slice(0, -1)] : [mark + token, NO_NEWLINE]));
}

/** One hunk that removes all old lines and adds all new ones between the common first and last lines. */
function replacementHunk(oldText: string, newText: string, context: number): Hunk {
  const a = lineTokens(oldText);
  const b = lineTokens(newText);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix += 1;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) {
    suffix += 1;
  }
  const start = Math.max(0, prefix - context);
  const trailing = Math.min(suffix, context);
  const lines = [
    ...markLines(' ', a.slice(start, prefix)),
    ...markLines('-', a.slice(prefix, a.length - suffix)),
    ...markLines('+', b.slice(prefix, b.length - suffix)),
    ...markLines(' ', a.slice(a.length - suffix, a.length - suffix + trailing)),
  ];
  return {
    oldStart: start + 1,
    oldLines: a.length - suffix + trailing - start,
    newStart: start + 1,
    newLines: b.length - suffix + trailing - start,
    lines,
  };
}

function textHunks(oldText: string, newText: string, context: number): readonly Hunk[] {
  const patch = structuredPatch('', '', oldText, newText, undefined, undefined, {
    context,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  return patch ? patch.hunks : [replacementHunk(oldText, newText, context)];
}

/** git's range: the count is left out when it is 1, and an empty range names the line before it. */
function hunkRange(start: number, lines: number): string {
  if (lines === 1) return `${start}`;
  return `${lines === 0 ? start - 1 : start},${lines}`;
}

function binaryNote(old: Buffer | null, next: Buffer | null): string {
  if (old && next) return `Binary file changed (${formatSize(old.length)} → ${formatSize(next.length)})`;
  return old ? `Binary file removed (${formatSize(old.length)})` : `Binary file added (${formatSize(next?.length ?? 0)})`;
}

/**
 * Compares two versions of the file at `path` (files are never renamed). `old` is null
 * for an added file, `next` for a removed one; headers say `a/<path>`, `b/<path>` or `/dev/null`.
 */
export function fileDiff(path: string, old: Buffer | null, next: Buffer | null, options: DiffOptions = {}): FileDiff {
  const notes: string[] = [];
  const oldExecutable = options.oldExecutable ?? false;
  const newExecutable = options.newExecutable ?? false;
  if (old && next && oldExecutable !== newExecutable) {
    notes.push(modeNote(oldExecutable, newExecutable));
  }
  const oldText = old && decodeText(old);
  const newText = next && decodeText(next);
  const binary = (old !== null && oldText === null) || (next !== null && newText === null);
  let hunks: readonly Hunk[] = [];
  if (binary) {
    if (!old || !next || !old.equals(next)) notes.push(binaryNote(old, next));
  } else if (old || next) {
    hunks = textHunks(oldText ?? '', newText ?? '', options.context ?? 3);
    if (hunks.length === 0 && !(old && next)) notes.push(old ? 'Empty file removed' : 'Empty file added');
  }
  const stat = { added: 0, removed: 0 };
  if (notes.length === 0 && hunks.length === 0) return { text: '', body: '', notes, stat, binary };

  const out = [...notes];
  for (const hunk of hunks) {
    out.push(`@@ -${hunkRange(hunk.oldStart, hunk.oldLines)} +${hunkRange(hunk.newStart, hunk.newLines)} @@`);
    for (const line of hunk.lines) {
      out.push(line);
      if (line.startsWith('+')) stat.added += 1;
      else if (line.startsWith('-')) stat.removed += 1;
    }
  }
  const body = out.join('\n') + '\n';
  return { text: diffHeader(path, old, next) + body, body, notes, stat, binary };
}

/** The `---`/`+++` lines that name the file: `a/<path>`, `b/<path>`, or `/dev/null` for a side that does not exist. */
export function diffHeader(path: string, old: Buffer | null, next: Buffer | null): string {
  return `--- ${old ? quotePath(`a/${path}`) : '/dev/null'}\n+++ ${next ? quotePath(`b/${path}`) : '/dev/null'}\n`;
}

/** Lines added and removed, for stat lines; a binary file has none to count. */
export function diffStat(old: Buffer | null, next: Buffer | null): DiffStat & { readonly binary: boolean } {
  const { stat, binary } = fileDiff('', old, next);
  return { ...stat, binary };
}
