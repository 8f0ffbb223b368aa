// Command-line parsing from the command registry: node:util's tokenizer, with deptool's own
// checks and messages (each names the command and where to read more, and suggests the
// option meant), and the flags other tools taught people.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { didYouMean } from '../json-source.js';
import { COMMANDS, allOptions, toolName, type CommandSpec, type HabitSpec, type OptionSpec } from './registry.js';

export type Value = string | boolean | string[] | undefined;

export interface Parsed {
  readonly values: Record<string, Value>;
  readonly positionals: string[];
  /** Another command to run with these values: a habit (`deploy --plan-only`) that means it. */
  readonly runs?: string;
}

function helpHint(spec: CommandSpec): string {
  return `Run 'deptool help ${spec.name}' for its arguments and options.`;
}

/** A line naming the option the user probably meant, or the commands that have it. */
function unknownOptionHint(spec: CommandSpec, raw: string): string {
  const name = raw.replace(/^-+/, '');
  if (raw.startsWith('--')) {
    const guess = didYouMean(name, allOptions(spec).map((o) => o.name));
    if (guess !== undefined) return ` Did you mean "--${guess}"?`;
    const elsewhere = COMMANDS.filter((c) => c.options.some((o) => o.name === name)).map((c) => c.name);
    if (elsewhere.length > 0) return ` It is an option of ${elsewhere.join(', ')}.`;
  }
  return '';
}

function habitError(habit: HabitSpec & { kind: 'replaced' }): UsageError {
  return new UsageError(`--${habit.name} is a flag of ${toolName(habit)}, which deptool does not have. ${habit.answer}`);
}

function positionalsText(spec: CommandSpec): string {
  const names = spec.arguments.map((a) => a.name);
  if (names.length === 0) return `${spec.name} takes no arguments`;
  return `${spec.name} takes ${names.length === 1 ? 'one argument' : `${names.length} arguments`}, ${names.join(' ')}`;
}

/**
 * Parses a command's arguments against its spec. Every mistake is a UsageError (exit 2) in
 * deptool's words; node's own parse errors never reach the user.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options = new Map(allOptions(spec).map((o) => [o.name, o]));
  const habits = new Map(spec.habits.map((h) => [h.name, h]));
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const option of options.values()) config[option.name] = { type: option.value ? 'string' : 'boolean', ...(option.short ? { short: option.short } : {}) };
  for (const habit of habits.values()) {
    const target = habit.kind === 'alias' ? options.get(habit.to) : undefined;
    config[habit.name] = { type: target?.value ? 'string' : 'boolean' };
  }
  // Not strict: unknown options and missing values come back as tokens, checked below.
  const { tokens } = parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  const help = tokens.some((t) => t.kind === 'option' && t.name === 'help');
  if (help) return { values: { help: true }, positionals: [] };

  const values: Record<string, Value> = {};
  const positionals: string[] = [];
  let runs: { habit: string; command: string; keeps: readonly string[] } | undefined;
  const set = (option: OptionSpec, value: string | true) => {
    if (option.multiple) values[option.name] = [...((values[option.name] as string[] | undefined) ?? []), value as string];
    else values[option.name] = value;
  };
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const habit = habits.get(token.name);
    const option = options.get(habit?.kind === 'alias' ? habit.to : token.name);
    if (habit?.kind === 'replaced') throw habitError(habit);
    if (habit?.kind === 'command') runs = { habit: habit.name, command: habit.command, keeps: habit.keeps };
    if (habit !== undefined && habit.kind !== 'alias') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value.\n${helpHint(spec)}`);
      continue;
    }
    if (option === undefined) {
      throw new UsageError(`Unknown option '${token.rawName}' for ${spec.name}.${unknownOptionHint(spec, token.rawName)}\n${helpHint(spec)}`);
    }
    if (option.value === undefined) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value, but was given '${token.value}'.\n${helpHint(spec)}`);
      set(option, true);
      continue;
    }
    // `--limit --yes`: node takes the next option as the value; that is never what was meant.
    const swallowed = token.value !== undefined && !token.inlineValue && token.value.startsWith('-') && token.value !== '-';
    if (token.value === undefined || swallowed) {
      throw new UsageError(
        `${token.rawName} needs a value (${option.value}).${swallowed ? ` To pass one that starts with '-', write ${token.rawName}=${token.value}.` : ''}\n${helpHint(spec)}`,
      );
    }
    set(option, token.value);
  }
  if (positionals.length > spec.arguments.length) {
    throw new UsageError(`Unexpected argument '${positionals[spec.arguments.length]}': ${positionalsText(spec)}.\n${helpHint(spec)}`);
  }
  const missing = spec.arguments.slice(positionals.length).find((a) => a.required);
  if (missing) throw new UsageError(`Missing argument ${missing.name}: ${missing.help}\n${helpHint(spec)}`);
  if (runs) {
    const target = COMMANDS.find((c) => c.name === runs.command)!;
    const extra = Object.keys(values).find((name) => name !== 'store' && !runs.keeps.includes(name));
    if (extra !== undefined) {
      throw new UsageError(`--${runs.habit} means 'deptool ${target.name}', which takes no --${extra}.\nRun 'deptool help ${target.name}' for its options.`);
    }
    return { values, positionals, runs: runs.command };
  }
  return { values, positionals };
}

/** `--limit a,b` and repeated `--limit a --limit b` mean the same. */
export function listOption(value: Value): string[] | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim());
  return items.filter((v) => v.length > 0);
}

/** The message for a command that does not exist, with the one probably meant. */
export function unknownCommand(name: string): UsageError {
  const guess = didYouMean(name, COMMANDS.map((c) => c.name));
  const hint = guess === undefined ? `Commands: ${COMMANDS.map((c) => c.name).join(', ')}.` : `Did you mean "${guess}"?`;
  return new UsageError(`Unknown command '${name}'. ${hint}\nRun 'deptool help' for what each command does.`);
}
