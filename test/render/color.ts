// Reading coloured output in tests: escapes written out by name, so a test says which colour it expects.

const NAMES: Record<string, string> = { '1': 'bold', '2': 'dim', '31': 'red', '32': 'green', '33': 'yellow', '36': 'cyan', '1;34': 'bold-blue' };

/** `\x1b[32m+\x1b[0m` as `<green>+</>`; an escape outside the palette stays visible as `<?code>`. */
export function named(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[([0-9;]*)m/g, (_all, code: string) => code === '0' ? '</>' : `<${NAMES[code] ?? `?${code}`}>`);
}

/** The text without colour escapes. */
export function stripColor(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
