// Command-line parsing on top of node:util parseArgs: every command declares its
// options and help text once, and `--help` works everywhere.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

export interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Lines describing each option, shown by --help. */
  readonly optionHelp: readonly string[];
  readonly maxPositionals: number;
}

export const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  store: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const GLOBAL_HELP = [
  '--store DIR       the store (default: $DEPTOOL_STORE, else .deptool)',
  '-h, --help        show this help',
];

export function helpText(spec: CommandSpec): string {
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...[...spec.optionHelp, ...GLOBAL_HELP].map((line) => `  ${line}`),
    '',
  ].join('\n');
}

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...spec.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nRun 'deptool ${spec.name} --help' for usage.`);
  }
  if (!parsed.values.help && parsed.positionals.length > spec.maxPositionals) {
    throw new UsageError(
      `Unexpected argument '${parsed.positionals[spec.maxPositionals]}'.\nRun 'deptool ${spec.name} --help' for usage.`,
    );
  }
  return parsed;
}

/** `--limit a,b` and repeated `--limit a --limit b` mean the same. */
export function listOption(value: string | boolean | string[] | undefined): string[] | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim());
  return items.filter((v) => v.length > 0);
}
