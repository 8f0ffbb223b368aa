// The `checks` of manifest.json: health checks of an app, each exactly one of `http`, `tcp`
// and `exec`, with its timing. Parsed for the config tree and the store alike.
import type { Node } from 'jsonc-parser';
import type { ConfigIssue } from '../errors.js';
import { childPath, member, properties, type JsonSchema, type JsonSource, type Problem } from '../json-source.js';
import { hasControlCharacter, showArgv } from './names.js';
import type { HealthCheck } from './types.js';

export const CHECK_DEFAULTS = { within: 30, interval: 1, timeout: 5 } as const;

const KINDS = ['http', 'tcp', 'exec'] as const;
const HTTP_ONLY = ['status', 'contains'] as const;

/** The schema of one entry of `checks` (key types and values); parseChecks adds the rules across keys. */
export const CHECK_SCHEMA: JsonSchema = {
  type: 'object',
  fields: {
    http: { type: 'string', check: checkUrl },
    status: { type: 'integer', min: 100, max: 599 },
    contains: { type: 'string', check: (text) => (text === '' ? { message: '`contains` is empty', hint: 'Give the text the response body must contain, or remove the key.' } : undefined) },
    tcp: { type: 'string', check: checkHostPort },
    exec: { type: 'array', items: { type: 'string', check: checkArgument } },
    within: { type: 'number', min: 0.1, max: 3600 },
    interval: { type: 'number', min: 0.1, max: 600 },
    timeout: { type: 'number', min: 0.1, max: 600 },
  },
};

function checkHostPort(text: string): Problem | undefined {
  const parsed = hostPort(text);
  return 'problem' in parsed ? parsed.problem : undefined;
}

function checkUrl(text: string): Problem | undefined {
  const parsed = httpUrl(text);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/** Where an `http` check connects, as the host resolves it, and what it asks for. */
export function httpUrl(text: string): { host: string; port: number; path: string } | { problem: Problem } {
  const name = `check URL ${JSON.stringify(text)}`;
  if (hasControlCharacter(text)) return { problem: { message: `${name} contains a control character`, hint: 'Remove it.' } };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: { message: `${name} is not a URL`, hint: 'Write it as http://127.0.0.1:8080/health (the host checks its own view of the network).' } };
  }
  if (url.protocol !== 'http:') {
    return { problem: { message: `${name} is not http://`, hint: 'Checks speak plain HTTP to the host itself; point it at the plain-HTTP port, or use an `exec` check.' } };
  }
  if (url.hostname === '') return { problem: { message: `${name} has no host`, hint: 'Write it as http://127.0.0.1:8080/health.' } };
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? 80 : Number(url.port), path: `${url.pathname}${url.search}` };
}

/** `host:port` (an IPv6 address in brackets) of a `tcp` check. */
export function hostPort(text: string): { host: string; port: number } | { problem: Problem } {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    return { problem: { message: `tcp check ${JSON.stringify(text)} is not host:port`, hint: 'Write it as 127.0.0.1:5432 (an IPv6 address as [::1]:5432).' } };
  }
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}

function checkArgument(text: string): Problem | undefined {
  if (text === '') return { message: 'an argument of `exec` is empty', hint: 'Remove it; arguments are passed as they are, without a shell.' };
  if (hasControlCharacter(text)) return { message: `the argument ${JSON.stringify(text)} of \`exec\` contains a control character`, hint: 'Remove it.' };
  return undefined;
}

/**
 * The checks of a manifest's `checks` node (already validated against CHECK_SCHEMA, whose
 * issues the caller reports), with the rules across keys as more issues. Only valid checks
 * are returned.
 */
export function parseChecks(node: Node | undefined, source: JsonSource): { checks: HealthCheck[]; issues: ConfigIssue[] } {
  const checks: HealthCheck[] = [];
  const issues: ConfigIssue[] = [];
  for (const [index, item] of (node?.type === 'array' ? (node.children ?? []) : []).entries()) {
    if (item.type !== 'object') continue;
    const where = childPath('checks', index);
    const keys = new Set(properties(item).map(([key]) => key.value as string));
    const kinds = KINDS.filter((kind) => keys.has(kind));
    if (kinds.length !== 1) {
      issues.push(
        source.issue(item, {
          message: kinds.length === 0 ? `\`${where}\` has none of http, tcp and exec` : `\`${where}\` has ${kinds.join(' and ')}: a check is exactly one of them`,
          hint: kinds.length === 0 ? 'Add one, e.g. "http": "http://127.0.0.1:8080/health".' : 'Split it into one check per kind.',
        }),
      );
      continue;
    }
    const kind = kinds[0];
    const misplaced = kind === 'http' ? [] : HTTP_ONLY.filter((key) => keys.has(key));
    for (const key of misplaced) {
      const [keyNode] = properties(item).find(([k]) => k.value === key)!;
      issues.push(source.issue(keyNode, { message: `\`${childPath(where, key)}\` applies only to http checks`, hint: 'Remove it, or make this an http check.' }));
    }
    if (misplaced.length > 0) continue;
    const value = (key: string): Node | undefined => member(item, key);
    const seconds = (key: 'within' | 'interval' | 'timeout'): number => {
      const found = value(key);
      return found?.type === 'number' ? (found.value as number) : CHECK_DEFAULTS[key];
    };
    const timing = { within: seconds('within'), interval: seconds('interval'), timeout: seconds('timeout') };
    const subject = value(kind)!;
    if (kind === 'http' && subject.type === 'string' && !('problem' in httpUrl(subject.value as string))) {
      const status = value('status');
      const contains = value('contains');
      checks.push({
        kind,
        url: subject.value as string,
        status: status?.type === 'number' ? (status.value as number) : null,
        contains: contains?.type === 'string' && contains.value !== '' ? (contains.value as string) : null,
        ...timing,
      });
    } else if (kind === 'tcp' && subject.type === 'string') {
      const parsed = hostPort(subject.value as string);
      if (!('problem' in parsed)) checks.push({ kind, host: parsed.host, port: parsed.port, ...timing });
    } else if (kind === 'exec' && subject.type === 'array') {
      const argv = (subject.children ?? []).map((arg) => arg.value as unknown);
      const program = subject.children?.[0];
      if (argv.length === 0) {
        issues.push(source.issue(subject, { message: `\`${childPath(where, 'exec')}\` is empty`, hint: 'Give the command and its arguments, e.g. ["/usr/bin/pg_isready", "-q"].' }));
      } else if (program?.type === 'string' && !(program.value as string).startsWith('/')) {
        // As validate commands: no PATH search, whose result would depend on sudo's secure_path.
        issues.push(
          source.issue(program, {
            message: `\`${childPath(childPath(where, 'exec'), 0)}\` ${JSON.stringify(program.value)} is not an absolute path`,
            hint: 'Checks run without a shell or a PATH search: give the program\'s absolute path, e.g. "/usr/bin/pg_isready".',
          }),
        );
      } else if (argv.every((arg) => typeof arg === 'string' && checkArgument(arg) === undefined)) {
        checks.push({ kind, argv: argv as string[], ...timing });
      }
    }
  }
  return { checks, issues };
}

/** A check and what it expects, for the plan: `http://127.0.0.1:8080/health (status 200, body contains "ok", within 30 s)`. */
export function describeCheck(check: HealthCheck): string {
  const expects = check.kind === 'http' ? [`status ${check.status ?? '2xx'}`, ...(check.contains === null ? [] : [`body contains ${JSON.stringify(check.contains)}`])] : [];
  return `${checkTarget(check)} (${[...expects, `within ${check.within} s`].join(', ')})`;
}

/** What a check looks at, in one short phrase: `http://127.0.0.1:8080/health`, `tcp 127.0.0.1:5432`, `exec /usr/bin/pg_isready -q`. */
export function checkTarget(check: HealthCheck): string {
  switch (check.kind) {
    case 'http':
      return check.url;
    case 'tcp':
      return `tcp ${check.host.includes(':') ? `[${check.host}]` : check.host}:${check.port}`;
    case 'exec':
      return `exec ${showArgv(check.argv)}`;
  }
}
