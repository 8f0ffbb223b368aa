// What GitHub's Markdown renderer would make of our comments and summaries: block structure, and HTML through a GFM parser.
import assert from 'node:assert/strict';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

export interface Fence {
  readonly info: string;
  readonly content: string;
}

/**
 * Walks the Markdown at block level as a GFM parser does: fences open and close by
 * backtick count, and `<details>` lines outside fences must nest and close.
 */
export function structure(markdown: string): Fence[] {
  const fences: Fence[] = [];
  let open: { ticks: number; info: string; lines: string[] } | null = null;
  let depth = 0;
  for (const line of markdown.split('\n')) {
    if (open) {
      if (new RegExp(`^ {0,3}\`{${open.ticks},}[ \\t]*$`).test(line)) {
        fences.push({ info: open.info, content: open.lines.map((l) => `${l}\n`).join('') });
        open = null;
      } else {
        open.lines.push(line);
      }
      continue;
    }
    const fenceOpen = /^ {0,3}(`{3,})([^`]*)$/.exec(line);
    if (fenceOpen) open = { ticks: fenceOpen[1].length, info: fenceOpen[2].trim(), lines: [] };
    else if (line === '<details>') depth += 1;
    else if (line === '</details>') {
      depth -= 1;
      assert.ok(depth >= 0, 'a </details> closes nothing');
    }
  }
  assert.equal(open, null, 'every fence is closed');
  assert.equal(depth, 0, 'every <details> is closed');
  return fences;
}

/** GitHub-flavoured HTML of the Markdown, with raw HTML passed through as GitHub does before sanitising. */
export function toHtml(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** The HTML outside code blocks: where content that escaped its fence would show up. */
export function outsideCode(html: string): string {
  return html.replace(/<pre><code[^>]*>[\s\S]*?<\/code><\/pre>/g, '');
}

export const count = (text: string, part: string) => text.split(part).length - 1;

