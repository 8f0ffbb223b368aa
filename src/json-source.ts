// Strict JSON parsing with line:column positions and a table-driven validator, shared by
// manifest.json and deptool.json so both report problems the same way.
import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { ConfigIssue } from './errors.js';

/** What is wrong and what to do, before a position is attached. */
export interface Problem {
  readonly message: string;
  readonly hint?: string;
}

/** How a JSON value must look. Objects list their keys, so unknown keys are always caught. */
export type JsonSchema =
  | { readonly type: 'string'; readonly check?: (value: string) => Problem | undefined }
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  /** Any number in [min, max], fractions too (seconds, say). */
  | { readonly type: 'number'; readonly min: number; readonly max: number }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'array'; readonly items: JsonSchema }
  | {
      readonly type: 'object';
      readonly fields: Readonly<Record<string, JsonSchema>>;
      /** Keys that are known elsewhere but not allowed here, with what to do instead. */
      readonly misplaced?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'map';
      readonly keys?: (key: string) => Problem | undefined;
      readonly values: JsonSchema;
    };

/** A JSON text with its display path, turning offsets into located issues. */
export class JsonSource {
  readonly text: string;
  readonly path: string;
  private readonly lineStarts: number[];

  constructor(text: string, path: string) {
    this.text = text;
    this.path = path;
    this.lineStarts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /** 1-based line and column (in UTF-16 code units, as editors count) of an offset. */
  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }

  issue(at: Node | number, problem: Problem): ConfigIssue {
    const { line, column } = this.position(typeof at === 'number' ? at : at.offset);
    const issue: ConfigIssue = { path: this.path, line, column, message: problem.message };
    if (problem.hint !== undefined) issue.hint = problem.hint;
    return issue;
  }
}

const PARSE_ERRORS: Readonly<Record<number, string>> = {
  1: 'unexpected character',
  2: 'invalid number',
  3: 'expected a property name in double quotes',
  4: 'expected a value',
  5: 'expected ":" after the property name',
  6: 'expected "," between entries',
  7: 'expected "}" to close the object',
  8: 'expected "]" to close the array',
  9: 'unexpected content after the end of the JSON value',
  10: 'comments are not allowed in JSON',
  11: 'unterminated comment',
  12: 'unterminated string',
  13: 'incomplete number',
  14: 'invalid unicode escape',
  15: 'invalid escape character in string',
  16: 'invalid character in string (control characters must be escaped)',
};

/**
 * Parses strict JSON (no comments, no trailing commas). Only the first syntax error is
 * reported: the parser's later errors are almost always consequences of it.
 */
export function parseJsonSource(text: string, path: string): { source: JsonSource; root: Node | undefined; issues: ConfigIssue[] } {
  const source = new JsonSource(text, path);
  // A UTF-8 byte order mark is harmless; parse after it but keep offsets relative to the file.
  const skip = text.startsWith('\uFEFF') ? 1 : 0;
  const errors: ParseError[] = [];
  const parsed = parseTree(skip ? text.slice(1) : text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return { source, root: parsed, issues: [] };
  const offset = first.offset + skip;
  return { source, root: undefined, issues: [source.issue(offset, syntaxProblem(text, offset, first.error))] };
}

function syntaxProblem(text: string, offset: number, code: number): Problem {
  const closing = text[offset] === '}' || text[offset] === ']';
  if ((code === 3 || code === 4) && closing && /,\s*$/.test(text.slice(0, offset))) {
    return { message: 'invalid JSON: trailing comma', hint: 'Remove the comma before the closing bracket.' };
  }
  if (code === 4 && text.slice(offset).trim() === '') {
    return { message: 'invalid JSON: the file ends where a value is expected', hint: 'Write a JSON object, e.g. {}.' };
  }
  return { message: `invalid JSON: ${PARSE_ERRORS[code] ?? 'syntax error'}`, hint: 'Fix the syntax; deptool reads strict JSON.' };
}

/** Describes a node's JSON type for "must be X, not Y" messages. */
export function describeNode(node: Node): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'string':
      return `the string ${JSON.stringify(node.value)}`;
    case 'number':
      return `the number ${String(node.value)}`;
    case 'boolean':
      return String(node.value);
    default:
      return 'null';
  }
}

/** Display form of a JSON path: `systemd.units_enabled[1]`, `hosts["web.example.com"].port`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The properties of an object node as [key node, value node] pairs. */
export function properties(node: Node): Array<[Node, Node]> {
  const pairs: Array<[Node, Node]> = [];
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key !== undefined && value !== undefined) pairs.push([key, value]);
  }
  return pairs;
}

/** The value node of `key` in an object node (first occurrence). */
export function member(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  return properties(node).find(([k]) => k.value === key)?.[1];
}

/**
 * Checks a node against a schema, returning every problem. `where` is the display path of
 * the node (empty for the document root).
 */
export function validateJson(node: Node, schema: JsonSchema, source: JsonSource, where = ''): ConfigIssue[] {
  const name = where === '' ? 'the top level' : `\`${where}\``;
  const mismatch = (expected: string): ConfigIssue[] => [
    source.issue(node, { message: `${name} must be ${expected}, not ${describeNode(node)}`, hint: `Change it to ${expected}.` }),
  ];
  switch (schema.type) {
    case 'string': {
      if (node.type !== 'string') return mismatch('a string');
      const problem = schema.check?.(node.value as string);
      return problem ? [source.issue(node, problem)] : [];
    }
    case 'integer': {
      const value = node.value as number;
      if (node.type !== 'number' || !Number.isInteger(value) || value < schema.min || value > schema.max) {
        return mismatch(`an integer from ${schema.min} to ${schema.max}`);
      }
      return [];
    }
    case 'number': {
      const value = node.value as number;
      if (node.type !== 'number' || value < schema.min || value > schema.max) return mismatch(`a number from ${schema.min} to ${schema.max}`);
      return [];
    }
    case 'enum':
      if (node.type !== 'string' || !schema.values.includes(node.value as string)) {
        return mismatch(`one of ${schema.values.map((v) => JSON.stringify(v)).join(', ')}`);
      }
      return [];
    case 'array':
      if (node.type !== 'array') return mismatch('an array');
      return (node.children ?? []).flatMap((item, i) => validateJson(item, schema.items, source, childPath(where, i)));
    case 'object':
      if (node.type !== 'object') return mismatch('an object');
      return validateObject(node, schema, source, where);
    case 'map': {
      if (node.type !== 'object') return mismatch('an object');
      const issues = duplicateKeys(node, source, where);
      for (const [key, value] of properties(node)) {
        const problem = schema.keys?.(key.value as string);
        if (problem) issues.push(source.issue(key, problem));
        issues.push(...validateJson(value, schema.values, source, childPath(where, key.value as string)));
      }
      return issues;
    }
  }
}

function validateObject(
  node: Node,
  schema: Extract<JsonSchema, { type: 'object' }>,
  source: JsonSource,
  where: string,
): ConfigIssue[] {
  const issues = duplicateKeys(node, source, where);
  const known = Object.keys(schema.fields);
  for (const [key, value] of properties(node)) {
    const name = key.value as string;
    const field = Object.hasOwn(schema.fields, name) ? schema.fields[name] : undefined;
    if (field !== undefined) {
      issues.push(...validateJson(value, field, source, childPath(where, name)));
      continue;
    }
    const inside = where === '' ? 'at the top level' : `in \`${where}\``;
    const misplaced = schema.misplaced && Object.hasOwn(schema.misplaced, name) ? schema.misplaced[name] : undefined;
    if (misplaced !== undefined) {
      issues.push(source.issue(key, { message: `\`${name}\` is not allowed ${inside}`, hint: misplaced }));
      continue;
    }
    const guess = didYouMean(name, known);
    const allowed = known.length === 0 ? 'No keys are allowed here.' : `Allowed keys: ${known.join(', ')}.`;
    issues.push(
      source.issue(key, {
        message: `unknown key ${JSON.stringify(name)} ${inside}`,
        hint: guess === undefined ? `Remove it. ${allowed}` : `Did you mean ${JSON.stringify(guess)}? ${allowed}`,
      }),
    );
  }
  return issues;
}

function duplicateKeys(node: Node, source: JsonSource, where: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, Node>();
  for (const [key] of properties(node)) {
    const name = key.value as string;
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, key);
      continue;
    }
    const { line, column } = source.position(first.offset);
    const inside = where === '' ? '' : ` in \`${where}\``;
    issues.push(
      source.issue(key, {
        message: `duplicate key ${JSON.stringify(name)}${inside} (first at line ${line}, column ${column})`,
        hint: 'Keep only one of them; JSON readers disagree about which one wins.',
      }),
    );
  }
  return issues;
}

/** The closest candidate to a misspelt word, if one is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[-_.]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (fold(candidate) === fold(word)) return candidate;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Edit distance counting a swap of two neighbouring characters as one edit, the commonest typo. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}
