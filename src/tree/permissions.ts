// File modes and owners on the host from manifest.json's `permissions`: the checks of its
// globs and values, the merge of the rules that match a file, and the list the agent applies.
import picomatch from 'picomatch';
import { didYouMean, type Problem } from '../json-source.js';
import { hasControlCharacter } from './names.js';
import type { AppSnapshot, FilePermissions, Manifest } from './types.js';

/** Dotfiles are files like any other here (`secrets/*` must not skip `secrets/.env`). */
const GLOB_OPTIONS = { dot: true } as const;

/** The problem with a glob's syntax, if any (`what` names it in the message, e.g. `permissions glob "x"`). */
export function globSyntaxProblem(glob: string, what: string): Problem | undefined {
  if (glob === '') return { message: `${what} is empty`, hint: 'Write a glob, e.g. "secrets/*.key".' };
  if (hasControlCharacter(glob)) return { message: `${what} contains a control character`, hint: 'Remove it from the glob.' };
  if (glob.startsWith('!')) return { message: `${what} is negated`, hint: 'Negated globs are not supported: list what should match instead.' };
  try {
    // Strict brackets turn an unclosed `[`, `{` or `(` into an error instead of a literal character.
    picomatch.makeRe(glob, { ...GLOB_OPTIONS, strictBrackets: true, debug: true });
  } catch (error) {
    return { message: `${what} is not a valid glob: ${error instanceof Error ? error.message : String(error)}`, hint: 'Escape special characters with "\\", or fix the brackets.' };
  }
  return undefined;
}

/** The problem with a `permissions` glob, if any: its syntax, its shape, and that it matches a file of the app. */
export function checkPermissionGlob(glob: string, appFiles: ReadonlySet<string>): Problem | undefined {
  const what = `permissions glob ${JSON.stringify(glob)}`;
  const syntax = globSyntaxProblem(glob, what);
  if (syntax !== undefined) return syntax;
  if (glob.startsWith('/')) return { message: `${what} is an absolute path`, hint: 'Globs are relative to the app directory, e.g. "secrets/*.key".' };
  const parts = glob.split('/');
  if (parts.includes('..')) return { message: `${what} points outside the app`, hint: 'Globs match files inside the app directory.' };
  if (parts.some((part) => part === '' || part === '.')) {
    const normal = parts.filter((part) => part !== '' && part !== '.').join('/');
    return { message: `${what} is not normalised`, hint: normal === '' ? 'Name files inside the app.' : `Write it as ${JSON.stringify(normal)}.` };
  }
  const matches = picomatch(glob, GLOB_OPTIONS);
  for (const file of appFiles) if (matches(file)) return undefined;
  const prefix = `${glob}/`;
  if ([...appFiles].some((file) => file.startsWith(prefix))) {
    return { message: `${what} is a directory, and globs match files`, hint: `Write ${JSON.stringify(`${glob}/*`)} for its files, or ${JSON.stringify(`${glob}/**`)} for everything below it.` };
  }
  const guess = didYouMean(glob, appFiles);
  return {
    message: `${what} matches no file of the app`,
    hint: guess === undefined ? 'Fix the glob (it matches whole paths from the app directory: "**/*.key" for any depth), or remove the entry.' : `Did you mean ${JSON.stringify(guess)}?`,
  };
}

const MODE = /^[0-7]{3,4}$/;

/** The problem with a `mode` value, if any. */
export function checkMode(mode: string): Problem | undefined {
  if (!MODE.test(mode)) {
    return { message: `mode ${JSON.stringify(mode)} is not 3 or 4 octal digits`, hint: 'Write it like "0640" (owner read and write, group read, others nothing).' };
  }
  const special = mode.length === 4 ? Number(mode[0]) : 0;
  if (special !== 0) {
    const bits = [special & 4 ? 'setuid' : '', special & 2 ? 'setgid' : '', special & 1 ? 'sticky' : ''].filter((bit) => bit !== '');
    return { message: `mode ${JSON.stringify(mode)} sets the ${bits.join(' and ')} bit`, hint: `deptool does not set these bits; write ${JSON.stringify(`0${mode.slice(1)}`)}.` };
  }
  return undefined;
}

/** `640` and `0640` alike as `0640`, the form the host list and the drift check use. */
export function normaliseMode(mode: string): string {
  return mode.padStart(4, '0');
}

// POSIX-ish, as useradd and systemd-sysusers accept them: no capitals, no leading digit (a number is an id).
const ACCOUNT = /^[a-z_][a-z0-9_-]{0,31}\$?$/;
const MAX_ID = 4294967294;

/** The problem with an `owner` or `group` value, if any. */
export function checkAccount(name: string, key: 'owner' | 'group'): Problem | undefined {
  if (ACCOUNT.test(name)) return undefined;
  if (/^[0-9]+$/.test(name) && Number(name) <= MAX_ID) return undefined;
  const what = key === 'owner' ? 'user' : 'group';
  const lower = name.toLowerCase();
  return {
    message: `${key} ${JSON.stringify(name)} is not a valid ${what} name or id`,
    hint:
      lower !== name && ACCOUNT.test(lower)
        ? `Did you mean ${JSON.stringify(lower)}? ${what[0].toUpperCase()}${what.slice(1)} names are lowercase.`
        : `Use a ${what} name (lowercase letters, digits, "_" and "-", starting with a letter or "_", at most 32 characters, optionally ending in "$") or a numeric id up to ${MAX_ID}.`,
  };
}

const compiled = new WeakMap<Manifest, ReadonlyArray<{ readonly matches: (path: string) => boolean; readonly set: FilePermissions }>>();

function rulesOf(manifest: Manifest): ReadonlyArray<{ readonly matches: (path: string) => boolean; readonly set: FilePermissions }> {
  let rules = compiled.get(manifest);
  if (rules === undefined) {
    rules = manifest.permissions.map(({ glob, ...set }) => ({ matches: picomatch(glob, GLOB_OPTIONS), set }));
    compiled.set(manifest, rules);
  }
  return rules;
}

/**
 * What file `path` of an app gets on the host: the keys of every rule whose glob matches it,
 * in the order written, a later rule overriding an earlier one key by key (as in .gitattributes).
 * Empty when no rule matches.
 */
export function filePermissions(manifest: Manifest, path: string): FilePermissions {
  let merged: FilePermissions = {};
  for (const { matches, set } of rulesOf(manifest)) if (matches(path)) merged = { ...merged, ...set };
  return merged;
}

/** True unless the file's mode takes read access from others (no `o+r`); deptool's default 0444 gives it. */
export function readableByOthers(permissions: FilePermissions): boolean {
  return permissions.mode === undefined || (parseInt(permissions.mode, 8) & 0o004) !== 0;
}

/**
 * The permissions list the agent applies to a revision (docs/agent-protocol.md): one line per
 * file that a rule sets something for, `<mode|-> <owner|-> <group|-> <path>`, by path in byte
 * order; null when the app has no `permissions`.
 */
export function permissionsList(app: AppSnapshot): string | null {
  if (app.manifest.permissions.length === 0) return null;
  const lines: string[] = [];
  for (const path of [...app.files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { mode, owner, group } = filePermissions(app.manifest, path);
    if (mode === undefined && owner === undefined && group === undefined) continue;
    lines.push(`${mode ?? '-'} ${owner ?? '-'} ${group ?? '-'} ${path}`);
  }
  return lines.length === 0 ? null : `${lines.join('\n')}\n`;
}
