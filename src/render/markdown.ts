// The plan as the sticky PR comment and job summary (DESIGN §5): table, per-host and per-file diffs, fitted to a size budget.
import { createHash } from 'node:crypto';
import { markdownTable } from 'markdown-table';
import { hostDigest } from '../plan/json.js';
import { rolloutLines } from './text.js';
import type { AppPlan, FileChange, HostPlan, Plan, PlanContents } from '../plan/types.js';
import { sensitiveNotes, type IsSensitive } from './sensitive.js';
import { appItems } from './text.js';
import { type FileDiff, fileDiff } from './unified-diff.js';

/** GitHub's limit on a comment's body, in characters. */
export const COMMENT_LIMIT = 65_536;
/** Under COMMENT_LIMIT, with room for a status note added to the plan later (withStatusNote). */
export const COMMENT_BUDGET = 65_000;
/** Under GitHub's 1 MiB job summary limit (counted in bytes: use with `unit: 'utf8'`). */
export const JOB_SUMMARY_BUDGET = 1_000_000;

/** What the hidden first line of a plan comment records, so the Action can find and compare it. */
export interface PlanMarker {
  readonly cluster: string;
  readonly schema: number;
  readonly digest: string;
  /**
   * hostDigest of each host of the plan, in the plan's order. Null when the marker has none: one
   * written before per-host digests, or a plan whose digests would take over half the budget
   * (some 1,400 hosts in a comment); only the whole plan's digest can be compared then.
   */
  readonly hosts: readonly string[] | null;
}

export interface MarkdownOptions {
  /** Files whose content is never shown, only sha256 prefixes (`sensitiveFiles`). */
  readonly sensitive: IsSensitive;
  /** The plan digest (`sha256:…`), recorded in the marker with the hosts' digests, and shown at the end. */
  readonly digest: string;
  /** The output stays strictly below this size (default COMMENT_BUDGET). */
  readonly budget?: number;
  /** How the size is counted: UTF-16 code units (default; covers GitHub's character count) or UTF-8 bytes. */
  readonly unit?: 'utf16' | 'utf8';
  /** Markdown placed under the heading, e.g. the deploy outcome and a run link. */
  readonly header?: string;
  /** Where what is left out can be read, named in the notes that replace it (default `the job summary`); null names nowhere. */
  readonly fullPlanAt?: string | null;
}

export interface MarkdownReport {
  readonly markdown: string;
  /** Nothing was collapsed or left out. */
  readonly complete: boolean;
  /** File diffs replaced by stat lines. */
  readonly collapsedDiffs: number;
  /** Hosts shown as one line instead of their details. */
  readonly collapsedHosts: number;
  /** Hosts whose details were left out entirely (only the table shows them). */
  readonly omittedHosts: number;
  /** Table rows left out. */
  readonly omittedRows: number;
}

/** A changed file as shown in full and as its one-line replacement (the same when there is no diff to show). */
interface FileBlock {
  readonly full: string;
  readonly short: string;
}

interface RenderContext {
  readonly contents: PlanContents;
  readonly isSensitive: IsSensitive;
  readonly fullPlanAt: string | null;
  /** Diffs by content hashes and modes: a change made on every host of a fleet is diffed once. */
  readonly diffs: Map<string, FileDiff>;
}

interface HostSection {
  readonly open: string;
  readonly facts: string;
  readonly files: readonly FileBlock[];
  readonly line: string;
}

const CLOSE_DETAILS = '</details>';
const FILE_MARKS = { add: '+', modify: '~', remove: '-' } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Control characters as `\xNN`: names stay on one line, so they cannot end an HTML block or start a Markdown one. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function escapeHtml(text: string): string {
  return printable(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * Names from the config tree go into code spans: nothing in them is Markdown, an `@`
 * in them mentions nobody. The delimiter is longer than any backtick run inside, and
 * padding keeps a leading or trailing backtick or space intact.
 */
export function codeSpan(text: string): string {
  const content = printable(text);
  const ticks = '`'.repeat(longestBacktickRun(content) + 1);
  const pad = content.trim() !== '' && /^[` ]|[` ]$/.test(content) ? ' ' : '';
  return `${ticks}${pad}${content}${pad}${ticks}`;
}

/** A fenced block whose fence no line of `content` (which ends with a newline) can close. */
export function fence(content: string, info: string): string {
  const ticks = '`'.repeat(Math.max(3, longestBacktickRun(content) + 1));
  return `${ticks}${info}\n${content}${ticks}`;
}

/** GitHub renders Markdown inside `<details>` only after a blank line following the summary. */
export function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n${CLOSE_DETAILS}`;
}

function seeAlso(fullPlanAt: string | null): string {
  return fullPlanAt === null ? '' : `; see ${fullPlanAt}`;
}

function fileCounts(files: readonly FileChange[]): string {
  const count = (change: FileChange['change']) => files.filter((f) => f.change === change).length;
  return `+${count('add')} ~${count('modify')} -${count('remove')}`;
}

function hostCounts(host: HostPlan): string {
  const counts = `${plural(host.apps.length, 'app')}, files ${fileCounts(host.apps.flatMap((a) => a.files))}`;
  return host.rollback.available ? counts : `${counts}, rollback unavailable`;
}

/** The same facts, in the same order, as the terminal plan. */
function appFacts(app: AppPlan): string[] {
  const items = appItems(app, (change) => FILE_MARKS[change]);
  return [`${app.action} ${app.app}`, ...items.map((item) => `    ${item}`)].map(printable);
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function noteLine(label: string, notes: readonly string[]): string {
  return notes.length === 0 ? codeSpan(label) : `${codeSpan(label)}: ${notes.join(', ')}`;
}

/** Hashing is far cheaper than diffing; keying on content rather than the plan's blob ids trusts only the contents. */
function changeDiff(host: string, app: string, change: FileChange, context: RenderContext): FileDiff {
  const oldExecutable = change.old?.executable ?? false;
  const newExecutable = change.new?.executable ?? false;
  const { old, new: next } = context.contents.get(host, app, change.path);
  const key = `${old ? sha256(old) : '-'} ${oldExecutable} ${next ? sha256(next) : '-'} ${newExecutable}`;
  let diff = context.diffs.get(key);
  if (!diff) {
    diff = fileDiff(`${host}/${app}/${change.path}`, old, next, { oldExecutable, newExecutable });
    context.diffs.set(key, diff);
  }
  return diff;
}

/** The file's name is in the summary, so the fence holds the diff's body without `---`/`+++` headers. */
function fileBlock(host: string, app: string, change: FileChange, context: RenderContext): FileBlock {
  const label = `${FILE_MARKS[change.change]} ${app}/${change.path}`;
  if (context.isSensitive(host, app, change.path)) {
    const { old, new: next } = context.contents.get(host, app, change.path);
    const line = noteLine(label, sensitiveNotes(change, old, next));
    return { full: line, short: line };
  }
  const diff = changeDiff(host, app, change, context);
  if (diff.stat.added + diff.stat.removed === 0) {
    const line = noteLine(label, diff.notes);
    return { full: line, short: line };
  }
  const facts = [`+${diff.stat.added} −${diff.stat.removed}`, ...diff.notes];
  return {
    full: details(`<code>${escapeHtml(label)}</code> (${escapeHtml(facts.join(', '))})`, fence(diff.body, 'diff')),
    short: `${codeSpan(label)} (${[...facts, `diff too large to show here${seeAlso(context.fullPlanAt)}`].join(', ')})`,
  };
}

function hostSection(host: HostPlan, context: RenderContext): HostSection {
  const counts = hostCounts(host);
  return {
    open: `<details>\n<summary><code>${escapeHtml(host.host)}</code>: ${counts}</summary>`,
    facts: fence([...(host.overwrite?.edits.map((edit) => `! ${edit} (overwritten)`) ?? []), ...host.apps.flatMap(appFacts)].join('\n') + '\n', ''),
    files: host.apps.flatMap((app) => app.files.map((change) => fileBlock(host.host, app.app, change, context))),
    line: `${codeSpan(host.host)}: ${counts} (too large to show here${seeAlso(context.fullPlanAt)})`,
  };
}

/** GFM splits table cells at every unescaped `|`, also inside code spans. */
function cell(markdown: string): string {
  return markdown.replaceAll('|', '\\|');
}

/** The header row, the delimiter row, then one row per app; split into lines so rows can be left out from the end. */
function tableLines(plan: Plan): string[] {
  const rows = plan.hosts.flatMap((host) =>
    host.apps.map((app, index) => {
      const rollback = host.rollback.available
        ? '✅ available'
        : `⚠️ unavailable: ${host.rollback.reasons.map(codeSpan).join(', ')}`;
      const restarted = [
        ...app.units.restart.map(codeSpan),
        ...(app.hostUnits?.restart ?? []).map((unit) => `${codeSpan(unit)} (host)`),
        ...(app.hostUnits?.reload ?? []).map((unit) => `${codeSpan(unit)} (host, reload)`),
      ].join(', ');
      return [
        index === 0 ? codeSpan(host.host) : '',
        codeSpan(app.app),
        app.action,
        fileCounts(app.files),
        restarted === '' ? '—' : restarted,
        index === 0 ? rollback : '',
      ].map(cell);
    }),
  );
  const header = ['Host', 'App', 'Action', 'Files', 'Units restarted', 'Rollback'];
  // Aligned delimiters would pad every cell to its column's width: budget spent on spaces.
  return markdownTable([header, ...rows], { alignDelimiters: false }).split('\n');
}

function summaryLine(plan: Plan): string {
  if (plan.hosts.length === 0) return `All hosts in cluster ${codeSpan(plan.cluster)} are up to date.`;
  const toChange = `${plural(plan.hosts.length, 'host')} to change`;
  const line = plan.upToDate.length === 0 ? `${toChange}.` : `${toChange}, ${plan.upToDate.length} up to date.`;
  // The rollout is part of what the reviewer approves (the digest covers it).
  return plan.rollout ? `${line}\n\n**${escapeHtml(rolloutLines(plan.rollout).join(' '))}**` : line;
}

/** Characters in `[A-Za-z0-9._:~-]` stay readable; anything else is percent-encoded, so no value can end the comment. */
function encodeField(value: string): string {
  return value.replace(/[^A-Za-z0-9._:~-]/gu, (c) => encodeURIComponent(c));
}

/** Host digests are base64url (`[A-Za-z0-9_-]`), so a comma separates them and nothing needs encoding. */
export function planMarker(marker: PlanMarker): string {
  const hosts = marker.hosts === null ? '' : ` hosts=${marker.hosts.join(',')}`;
  return `<!-- deptool-plan cluster=${encodeField(marker.cluster)} schema=${marker.schema} digest=${encodeField(marker.digest)}${hosts} -->`;
}

/** Reads the marker from the first line of a comment body; null when the body is not a plan comment. */
export function parsePlanMarker(body: string): PlanMarker | null {
  const match = /^<!-- deptool-plan cluster=(\S+) schema=(\d+) digest=(\S+)( hosts=([\w-]+(?:,[\w-]+)*)?)? -->(?:\r?\n|$)/.exec(body);
  if (!match) return null;
  try {
    const [, cluster, schema, digest, field, hosts] = match;
    // `hosts=` alone is a plan with no host to change; no `hosts=` at all, a marker without host digests.
    const hostDigests = field === undefined ? null : hosts === undefined ? [] : hosts.split(',');
    return { cluster: decodeURIComponent(cluster), schema: Number(schema), digest: decodeURIComponent(digest), hosts: hostDigests };
  } catch {
    return null;
  }
}

const STATUS_OPEN = '<!-- deptool-status -->';
const STATUS_CLOSE = '<!-- /deptool-status -->';

/**
 * The plan comment `body` with its status note (right under the heading) replaced by the
 * first of `notes` that keeps the body within COMMENT_LIMIT, or removed when none does. The
 * marker and the plan stay as they are: they are what was reviewed. A note is one paragraph
 * of Markdown, between hidden delimiters so the next note can replace it.
 */
export function withStatusNote(body: string, notes: readonly string[]): string {
  const headingEnd = body.indexOf('\n', body.indexOf('\n') + 1);
  const head = headingEnd < 0 ? body.replace(/\n$/, '') : body.slice(0, headingEnd);
  let rest = headingEnd < 0 ? '\n' : body.slice(headingEnd);
  const open = `\n\n${STATUS_OPEN}\n\n`;
  const close = `\n\n${STATUS_CLOSE}`;
  if (rest.startsWith(open)) {
    const end = rest.indexOf(close, open.length);
    if (end >= 0) rest = rest.slice(end + close.length);
  }
  for (const note of notes) {
    const candidate = `${head}${open}${note}${close}${rest}`;
    if (candidate.length <= COMMENT_LIMIT) return candidate;
  }
  return head + rest;
}

/**
 * Renders the plan and reports what had to be collapsed to stay under the budget.
 * Every block is separated by a blank line, so sizes add up and the layout can be
 * chosen by arithmetic before anything is joined: first collapse whole hosts to one
 * line (largest first) until every remaining host fits with its diffs as stat lines,
 * then give diffs back to those hosts, collapsing the largest diffs first. When no
 * host fits, only the table remains, cut short if it must be.
 */
export function renderMarkdownReport(plan: Plan, contents: PlanContents, options: MarkdownOptions): MarkdownReport {
  const budget = options.budget ?? COMMENT_BUDGET;
  const measure = options.unit === 'utf8' ? (text: string) => Buffer.byteLength(text, 'utf8') : (text: string) => text.length;
  // A block costs its size plus the blank line that follows it; the document ends with one newline instead.
  const cost = (blocks: readonly string[]) => blocks.reduce((sum, block) => sum + measure(block) + 2, 0);
  const fullPlanAt = options.fullPlanAt === undefined ? 'the job summary' : options.fullPlanAt;

  const marker = { cluster: plan.cluster, schema: plan.schema, digest: options.digest };
  const withHosts = planMarker({ ...marker, hosts: plan.hosts.map((host) => hostDigest(plan, host)) });
  const title = [
    `${measure(withHosts) <= budget / 2 ? withHosts : planMarker({ ...marker, hosts: null })}\n### deptool plan for cluster ${codeSpan(plan.cluster)}`,
    ...(options.header ? [options.header] : []),
    summaryLine(plan),
  ];
  const base = plan.base === null ? 'an empty store' : `store commit <code>${escapeHtml(plan.base.slice(0, 10))}</code>`;
  const tail = [
    ...(plan.untracked.length === 0
      ? []
      : [`Left alone (in the store, not in the config tree): ${plan.untracked.map(codeSpan).join(', ')}.`]),
    `<sub>Plan digest <code>${escapeHtml(options.digest)}</code>, computed against ${base}.</sub>`,
  ];
  const lines = plan.hosts.length === 0 ? [] : tableLines(plan);
  const rowCount = Math.max(0, lines.length - 2);
  const table = (rows: number): string[] => {
    if (rows === rowCount) return rowCount === 0 ? [] : [lines.join('\n')];
    const note = `…and ${plural(rowCount - rows, 'more row')} (too many to show here${seeAlso(fullPlanAt)}).`;
    return rows === 0 ? [note] : [lines.slice(0, rows + 2).join('\n'), note];
  };
  const fits = (size: number) => size - 1 < budget;

  const context: RenderContext = {
    contents,
    isSensitive: options.sensitive,
    fullPlanAt,
    diffs: new Map(),
  };
  const sections = plan.hosts.map((host) => {
    const section = hostSection(host, context);
    const frame = cost([section.open, section.facts, CLOSE_DETAILS]);
    const shortest = frame + cost(section.files.map((f) => f.short));
    return { ...section, frame, shortest, saving: shortest - cost([section.line]) };
  });
  const fixed = cost(title) + cost(table(rowCount)) + cost(tail);

  const expanded = new Set(sections);
  let total = fixed + sections.reduce((sum, s) => sum + s.shortest, 0);
  for (const section of [...sections].sort((a, b) => b.saving - a.saving)) {
    if (fits(total)) break;
    expanded.delete(section);
    total -= section.saving;
  }

  if (!fits(total)) {
    const omitted =
      sections.length === 0 ? [] : [`Details of ${plural(sections.length, 'host')} are too large to show here${seeAlso(fullPlanAt)}.`];
    const sizeWith = (rows: number) => cost(title) + cost(table(rows)) + cost(omitted) + cost(tail);
    // Binary search for the most rows that fit; fewer rows never cost more.
    let low = 0;
    let high = rowCount;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits(sizeWith(mid))) low = mid;
      else high = mid - 1;
    }
    if (!fits(sizeWith(low))) throw new RangeError(`A budget of ${budget} is too small for the plan's summary.`);
    return finish([...title, ...table(low), ...omitted, ...tail], {
      collapsedDiffs: 0,
      collapsedHosts: 0,
      omittedHosts: sections.length,
      omittedRows: rowCount - low,
    });
  }

  total = fixed;
  for (const s of sections) total += expanded.has(s) ? s.frame + cost(s.files.map((f) => f.full)) : cost([s.line]);
  const collapsed = new Set<FileBlock>();
  const diffs = [...expanded]
    .flatMap((s) => s.files)
    .filter((f) => f.full !== f.short)
    .map((f) => ({ block: f, saving: cost([f.full]) - cost([f.short]) }))
    .sort((a, b) => b.saving - a.saving);
  for (const { block, saving } of diffs) {
    if (fits(total)) break;
    collapsed.add(block);
    total -= saving;
  }

  const hostBlocks = sections.flatMap((s) =>
    expanded.has(s) ? [s.open, s.facts, ...s.files.map((f) => (collapsed.has(f) ? f.short : f.full)), CLOSE_DETAILS] : [s.line],
  );
  return finish([...title, ...table(rowCount), ...hostBlocks, ...tail], {
    collapsedDiffs: collapsed.size,
    collapsedHosts: sections.length - expanded.size,
    omittedHosts: 0,
    omittedRows: 0,
  });
}

function finish(blocks: readonly string[], counts: Omit<MarkdownReport, 'markdown' | 'complete'>): MarkdownReport {
  const complete = counts.collapsedDiffs + counts.collapsedHosts + counts.omittedHosts + counts.omittedRows === 0;
  return { markdown: blocks.join('\n\n') + '\n', complete, ...counts };
}

/** The plan comment's Markdown; see renderMarkdownReport for what was left out. */
export function renderMarkdown(plan: Plan, contents: PlanContents, options: MarkdownOptions): string {
  return renderMarkdownReport(plan, contents, options).markdown;
}
