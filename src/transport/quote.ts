// Turns an argument array into the one command string ssh's exec needs: the only place deptool builds shell text.

/**
 * Quotes every argument for a POSIX shell (sshd hands the command to the user's login
 * shell as `sh -c`) and joins them with spaces, so each one arrives as exactly one
 * argument. Every argument is single-quoted, even plain words: there are no special
 * cases (a bare first word like `A=b` would be an assignment, `~x` a tilde expansion).
 * Inside single quotes nothing is special except `'` itself, written as `'\''`.
 *
 * NUL cannot be passed (the remote command line is a C string) and a lone UTF-16
 * surrogate has no UTF-8 encoding, so both are refused rather than silently changed.
 */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('quoteArgv: an empty argument list is not a command');
  return argv.map(quoteArg).join(' ');
}

const LONE_SURROGATE = /\p{Surrogate}/u;

export function quoteArg(arg: string, index = 0): string {
  if (typeof arg !== 'string') throw new TypeError(`quoteArgv: argument ${index} is a ${typeof arg}, not a string`);
  if (arg.includes('\0')) throw new TypeError(`quoteArgv: argument ${index} contains a NUL byte, which no command line can carry`);
  if (LONE_SURROGATE.test(arg)) throw new TypeError(`quoteArgv: argument ${index} contains a lone UTF-16 surrogate, which has no UTF-8 encoding`);
  return `'${arg.replaceAll("'", "'\\''")}'`;
}
