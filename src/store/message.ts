// Commit message format of a deploy attempt, and its robust parsing.
//
// A message is a title line, an optional body, and a trailer block as its last
// paragraph, always present because every attempt has at least one host result:
//
//   Update caddy on webserver
//
//   <body paragraphs, free text>
//
//   Deptool-Result: webserver deployed
//   Deptool-Result: db1 rolled-back: caddy.service failed to start
//   Deptool-Plan-Digest: sha256:4f1c...
//   Deptool-Run-URL: https://github.com/o/r/actions/runs/1
//   Deptool-Pull-Request: https://github.com/acme/config/pull/42
//   Deptool-Actor: alice
//
// `Deptool-Result: <host> <status>[: <detail>]`, one per host in the order given;
// status is one of HOST_STATUSES; hosts contain no whitespace. The other trailers
// appear only when given, in this order. Every value is a single line.
//
// Parsing follows git's rule of reading trailers from the last paragraph only, and
// only when every line of it is a `Key: value` line (or a continuation line starting
// with whitespace) and at least one key is a Deptool trailer. So trailer-like text
// in the title or body is never taken for a result, and a commit deptool did not
// write reads as having no results.
import { HOST_STATUSES, type AttemptTrailers, type HostResult, type HostStatus } from './types.js';

const RESULT = 'Deptool-Result';
const TRAILER_KEYS: readonly (readonly [keyof AttemptTrailers, string])[] = [
  ['planDigest', 'Deptool-Plan-Digest'],
  ['runUrl', 'Deptool-Run-URL'],
  ['pullRequest', 'Deptool-Pull-Request'],
  ['actor', 'Deptool-Actor'],
];

/** Folds any run of whitespace (newlines included) into one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function formatMessage(
  title: string,
  body: string | undefined,
  results: readonly HostResult[],
  trailers: AttemptTrailers | undefined,
): string {
  const lines: string[] = [];
  for (const result of results) {
    const detail = result.detail === undefined ? '' : oneLine(result.detail);
    lines.push(`${RESULT}: ${result.host} ${result.status}${detail ? `: ${detail}` : ''}`);
  }
  for (const [field, key] of TRAILER_KEYS) {
    const value = trailers?.[field] === undefined ? '' : oneLine(trailers[field]);
    if (value) lines.push(`${key}: ${value}`);
  }
  const paragraphs = [oneLine(title)];
  const text = stripBlankEnds((body ?? '').split('\n').map((line) => line.trimEnd())).join('\n');
  if (text) paragraphs.push(text);
  paragraphs.push(lines.join('\n'));
  return `${paragraphs.join('\n\n')}\n`;
}

export interface ParsedMessage {
  readonly title: string;
  readonly body: string;
  readonly results: HostResult[];
  readonly trailers: AttemptTrailers;
}

const isBlank = (line: string) => line.trim() === '';

function stripBlankEnds(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start])) start++;
  while (end > start && isBlank(lines[end - 1])) end--;
  return lines.slice(start, end);
}

/** `[key, value]` pairs, or null when the paragraph is not a deptool trailer block. */
function parseTrailerBlock(lines: readonly string[]): [string, string][] | null {
  const entries: [string, string][] = [];
  for (const line of lines) {
    const last = entries[entries.length - 1];
    if (/^\s/.test(line) && last) {
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (!match) return null;
    entries.push([match[1].toLowerCase(), match[2].trim()]);
  }
  return entries.some(([key]) => key.startsWith('deptool-')) ? entries : null;
}

const RESULT_VALUE = new RegExp(`^(\\S+) (${HOST_STATUSES.join('|')})(?:: (.*))?$`);

export function parseMessage(message: string): ParsedMessage {
  const lines = stripBlankEnds(message.split('\n'));
  let titleEnd = 0;
  while (titleEnd < lines.length && !isBlank(lines[titleEnd])) titleEnd++;
  const title = lines.slice(0, titleEnd).map((line) => line.trim()).join(' ');

  let lastStart = lines.length;
  while (lastStart > titleEnd && !isBlank(lines[lastStart - 1])) lastStart--;
  const entries = lastStart > titleEnd ? parseTrailerBlock(lines.slice(lastStart)) : null;
  const body = stripBlankEnds(lines.slice(titleEnd, entries ? lastStart : lines.length)).join('\n');

  const results: HostResult[] = [];
  const trailers: { -readonly [K in keyof AttemptTrailers]: AttemptTrailers[K] } = {};
  for (const [key, value] of entries ?? []) {
    if (key === RESULT.toLowerCase()) {
      const match = RESULT_VALUE.exec(value);
      if (!match) continue;
      const status = match[2] as HostStatus;
      results.push(match[3] ? { host: match[1], status, detail: match[3] } : { host: match[1], status });
      continue;
    }
    const field = TRAILER_KEYS.find(([, name]) => name.toLowerCase() === key)?.[0];
    if (field && value) trailers[field] ??= value;
  }
  return { title, body, results, trailers };
}
