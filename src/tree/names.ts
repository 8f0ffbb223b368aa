// Which names the config tree accepts for clusters, hosts, apps and the files inside apps (DESIGN §1).
import type { ConfigIssue } from '../errors.js';
import type { Problem } from '../json-source.js';

const NAME = /^[A-Za-z0-9._-]+$/;

/**
 * The issue with a cluster, host or app directory name, if any; `path` is the directory as
 * shown to the user. Names are letters, digits, ".", "_" and "-", not starting with "." or "-".
 */
export function validateName(name: string, kind: 'cluster' | 'host' | 'app', path: string): ConfigIssue | undefined {
  const problem = nameProblem(name, kind);
  return problem === undefined ? undefined : { path, ...problem };
}

function nameProblem(name: string, kind: 'cluster' | 'host' | 'app'): Problem | undefined {
  if (name.startsWith('.')) {
    return {
      message: `hidden directory: ${kind === 'app' ? 'an' : 'a'} ${kind} name may not start with "."`,
      hint: `Hidden directories are never ${kind}s; move it out of the config tree or rename it.`,
    };
  }
  if (!NAME.test(name)) {
    return {
      message: `invalid ${kind} name ${JSON.stringify(name)}: only letters, digits, ".", "_" and "-" are allowed`,
      hint: kind === 'host' ? 'Rename the directory; set the real address in deptool.json if it differs.' : 'Rename the directory.',
    };
  }
  if (name.startsWith('-')) {
    // Such names would read as options on the ssh, git and systemctl command lines.
    return { message: `invalid ${kind} name ${JSON.stringify(name)}: it may not start with "-"`, hint: 'Rename the directory.' };
  }
  return undefined;
}

/**
 * The problem with the name of a file or directory inside an app, if any. Backslashes are
 * allowed only directly in `systemd/`, where systemd's own escaping (`\x2d`) needs them.
 */
export function entryNameProblem(name: string, inSystemdDir: boolean): Problem | undefined {
  if (name.includes('\uFFFD')) {
    return { message: 'file name is not valid UTF-8', hint: 'Rename it using UTF-8 characters only.' };
  }
  if (hasControlCharacter(name)) {
    return { message: 'file name contains a control character', hint: 'Rename it without control characters (newlines, tabs, escapes).' };
  }
  if (name.includes('\\') && !inSystemdDir) {
    return { message: 'file name contains a backslash', hint: 'Rename it without "\\".' };
  }
  return undefined;
}

/** True if `text` contains an ASCII control character (U+0000-U+001F or U+007F). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * An argument array for people to read (plans, step lists): plain words as they are, others in
 * single quotes as a shell would need them, so `["/bin/sh", "-c", "a b"]` does not read as four words.
 */
export function showArgv(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' ');
}
