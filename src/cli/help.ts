// Help for people, rendered from the command registry: `--help` and `deptool help` on the
// terminal (wrapped at word boundaries to its width) and the pages of docs/cli/.
import { ABOUT, COMMANDS, EXIT_CODES, GLOBAL_OPTIONS, toolName, type CommandSpec, type HabitSpec, type OptionSpec } from './registry.js';

/** Width when the output is not a terminal, or the terminal does not say. */
export const DEFAULT_WIDTH = 80;
/** Below this, wrapping into a column reads worse than long lines. */
const MIN_TEXT = 30;
const LABEL_WIDTH = 22;
/** Where text goes under its label when there is no room beside it. */
const NARROW_INDENT = 6;

/** The width to wrap help to: the terminal's, else 80. */
export function helpWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : DEFAULT_WIDTH;
}

/** Words into lines of at most `width` characters; a word longer than that gets a line of its own. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/[ \t\n]+/).filter((w) => w.length > 0)) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function optionLabel(option: OptionSpec): string {
  const long = `--${option.name}${option.value ? ` ${option.value}` : ''}`;
  return option.short ? `-${option.short}, ${long}` : long;
}

export function habitText(habit: HabitSpec): string {
  const from = toolName(habit);
  switch (habit.kind) {
    case 'alias':
      return `From ${from}: the same as --${habit.to}.`;
    case 'default':
      return `From ${from}: accepted; ${habit.note}.`;
    case 'command':
      return `From ${from}: runs deptool ${habit.command}${habit.keeps.length > 0 ? ` (with ${habit.keeps.map((k) => `--${k}`).join(', ')})` : ''}.`;
    case 'replaced':
      return `From ${from}, not accepted here. ${habit.answer}`;
  }
}

/**
 * A two-column list: labels on the left, text wrapped beside them (below them when the label
 * is too long, and always on a terminal too narrow for two columns).
 */
function table(rows: readonly (readonly [string, string])[], width: number, labelWidth = LABEL_WIDTH): string[] {
  const columns = width - (2 + labelWidth + 2) >= MIN_TEXT;
  const indent = columns ? 2 + labelWidth + 2 : NARROW_INDENT;
  const textWidth = Math.max(width - indent, 1);
  const out: string[] = [];
  for (const [label, text] of rows) {
    const lines = wrap(text, textWidth);
    if (!columns || label.length > labelWidth) out.push(`  ${label}`);
    else out.push(`  ${label.padEnd(labelWidth)}  ${lines.shift() ?? ''}`.trimEnd());
    for (const line of lines) out.push(`${' '.repeat(indent)}${line}`);
  }
  return out;
}

/** The synopsis wrapped between its bracketed groups, never inside one, under the command's name. */
function usage(spec: CommandSpec, width: number): string[] {
  const full = `Usage: deptool ${spec.name} `;
  const head = width - full.length >= MIN_TEXT ? full : 'Usage: ';
  const groups: string[] = [...(spec.synopsis.slice(`deptool ${spec.name} `.length).match(/\[[^\]]*\]|\S+/g) ?? [])];
  if (head !== full) groups.unshift('deptool', spec.name);
  const lines = wrap(groups.map((g) => g.replace(/ /g, '\u00a0')).join(' '), Math.max(width - head.length, 1)).map((l) => l.replace(/\u00a0/g, ' '));
  return lines.map((line, i) => `${i === 0 ? head : ' '.repeat(head.length)}${line}`);
}

export function commandHelp(spec: CommandSpec, width: number): string {
  const out = [...usage(spec, width), ''];
  for (const paragraph of spec.description) out.push(...wrap(paragraph, width), '');
  if (spec.arguments.length > 0) out.push('Arguments:', ...table(spec.arguments.map((a) => [a.name, a.help]), width), '');
  out.push('Options:', ...table([...spec.options, ...GLOBAL_OPTIONS].map((o) => [optionLabel(o), o.help]), width), '');
  if (spec.habits.length > 0) out.push('Flags of other tools:', ...table(spec.habits.map((h) => [`--${h.name}`, habitText(h)]), width), '');
  return `${out.join('\n')}`;
}

export function mainHelp(width: number): string {
  const commandWidth = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: deptool <command> [arguments] [options]',
    '',
    ...wrap(ABOUT, width),
    '',
    'Commands:',
    ...table(COMMANDS.map((c) => [c.name, c.summary]), width, commandWidth),
    '',
    'Options (after the command):',
    ...table([...GLOBAL_OPTIONS.map((o) => [optionLabel(o), o.help] as const), ['-V, --version', 'Show the version.']], width),
    '',
    ...wrap("Run 'deptool help <command>' (or 'deptool <command> --help') for its arguments and options. A cluster directory given to any command becomes the default for later ones.", width),
    '',
    'Exit codes:',
    ...table(EXIT_CODES.map(([code, text]) => [String(code), text]), width, 3),
    '',
  ].join('\n');
}

/** Markdown text: angle brackets and stars are literal in help text, never HTML or emphasis. */
function md(text: string): string {
  return text.replace(/[<>*]/g, (c) => `\\${c}`);
}

const GENERATED = '<!-- Generated from src/cli/registry.ts by `node scripts/docs-cli.mjs`; edit the registry, not this file. -->';

function commandPage(spec: CommandSpec): string {
  const out = [`# deptool ${spec.name}`, '', GENERATED, '', '```', spec.synopsis, '```', ''];
  for (const paragraph of spec.description) out.push(md(paragraph), '');
  if (spec.arguments.length > 0) {
    out.push('## Arguments', '');
    for (const argument of spec.arguments) out.push(`- \`${argument.name}\`${argument.required ? ' (required)' : ''}: ${md(argument.help)}`);
    out.push('');
  }
  out.push('## Options', '');
  for (const option of spec.options) out.push(`- \`${optionLabel(option)}\`: ${md(option.help)}`);
  for (const option of GLOBAL_OPTIONS) out.push(`- \`${optionLabel(option)}\`: ${md(option.help)}`);
  out.push('');
  if (spec.habits.length > 0) {
    out.push('## Flags of other tools', '');
    for (const habit of spec.habits) out.push(`- \`--${habit.name}\`: ${md(habitText(habit))}`);
    out.push('');
  }
  out.push('See [all commands](README.md) for the exit codes.', '');
  return out.join('\n');
}

function indexPage(): string {
  const out = ['# deptool commands', '', GENERATED, '', md(ABOUT), '', '| command | what it does |', '|---|---|'];
  for (const spec of COMMANDS) out.push(`| [\`${spec.synopsis.replace(/\|/g, '\\|')}\`](${spec.name}.md) | ${md(spec.summary)} |`);
  out.push(
    '',
    'Every command takes these options:',
    '',
    ...GLOBAL_OPTIONS.map((o) => `- \`${optionLabel(o)}\`: ${md(o.help)}`),
    '',
    '## The default cluster',
    '',
    'A cluster directory (DIR) given to any command is recorded in the store as the default, and commands given none use it, as in Deptool: after `deptool deploy staging`, `deptool status` shows staging. `deptool init DIR` records it too. The default is kept in the store\'s git configuration (`deptool.cluster`), relative to the directory that holds the store.',
    '',
    '## Exit codes',
    '',
    '| code | meaning |',
    '|---|---|',
    ...EXIT_CODES.map(([code, text]) => `| ${code} | ${md(text)} |`),
    '',
  );
  return out.join('\n');
}

/** docs/cli/: file name → content. */
export function cliDocs(): Map<string, string> {
  const pages = new Map<string, string>([['README.md', indexPage()]]);
  for (const spec of COMMANDS) pages.set(`${spec.name}.md`, commandPage(spec));
  return pages;
}
