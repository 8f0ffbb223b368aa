// The terminal's colours, in one palette: the CLI decides whether to colour (src/cli/io.ts
// useColor), renderers only say what each piece of text means.

/** What a piece of text means; each has one colour everywhere. */
export type Tone = 'add' | 'change' | 'remove' | 'quiet' | 'strong' | 'heading' | 'hunk';

const CODES: Record<Tone, string> = {
  add: '32',
  change: '33',
  remove: '31',
  // Checks and validate commands: what vouches for a change, not the change itself.
  quiet: '2',
  strong: '1',
  heading: '1;34',
  hunk: '36',
};

/** `text` in `tone`'s colour when `color` is on; unchanged otherwise. */
export function paint(color: boolean, tone: Tone, text: string): string {
  return color && text !== '' ? `\x1b[${CODES[tone]}m${text}\x1b[0m` : text;
}

