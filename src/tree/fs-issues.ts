// File-system problems in the config tree turned into issues, and the path shown for them.
import type { Dirent } from 'node:fs';
import { relative, sep } from 'node:path';
import type { ConfigIssue } from '../errors.js';
import { hasControlCharacter } from './names.js';

/** `path` relative to `cwd` with "/" separators and control characters escaped, as the user would type it. */
export function displayPath(cwd: string, path: string): string {
  const shown = relative(cwd, path) || '.';
  return printable(sep === '/' ? shown : shown.split(sep).join('/'));
}

function printable(text: string): string {
  if (!hasControlCharacter(text)) return text;
  let shown = '';
  for (const char of text) shown += hasControlCharacter(char) ? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}` : char;
  return shown;
}

/** The issue for a directory entry that is neither a regular file nor a directory. */
export function specialFileIssue(path: string, entry: Pick<Dirent, 'isSymbolicLink' | 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'>): ConfigIssue {
  const kind = entry.isSymbolicLink()
    ? 'a symlink'
    : entry.isFIFO()
      ? 'a named pipe (FIFO)'
      : entry.isSocket()
        ? 'a socket'
        : entry.isBlockDevice() || entry.isCharacterDevice()
          ? 'a device file'
          : 'not a regular file';
  return {
    path,
    message: `is ${kind}; deptool deploys regular files only`,
    hint: entry.isSymbolicLink()
      ? 'Copy the file, or use manifest.json `symlinks` to create links on the host.'
      : 'Remove it from the config tree.',
  };
}

const IS_SYMLINK = { isSymbolicLink: () => true, isFIFO: () => false, isSocket: () => false, isBlockDevice: () => false, isCharacterDevice: () => false };

/** The issue for a failed read of `path` (already a display path). */
export function fileSystemIssue(path: string, error: unknown): ConfigIssue {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ELOOP':
      return specialFileIssue(path, IS_SYMLINK);
    case 'EISDIR':
      return { path, message: 'is a directory, not a file', hint: 'Replace it with a file, or remove it.' };
    case 'EACCES':
    case 'EPERM':
      return { path, message: 'cannot be read: permission denied', hint: 'Make it readable by the user running deptool.' };
    case 'ENOENT':
    case 'ENOTDIR':
      return { path, message: 'disappeared while deptool was reading the tree', hint: 'Run again once nothing is changing the config tree.' };
    default:
      return { path, message: `cannot be read: ${(error as Error).message}`, hint: 'Check the file system, then run again.' };
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or undefined if they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
