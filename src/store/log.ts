// Streams attempt records from `git log`, newest first, so callers can stop walking early.
import { spawnGit } from './git.js';
import { parseMessage } from './message.js';
import type { AttemptRecord } from './types.js';

/** Hash, author name, author email, strict ISO author date, raw message: NUL-separated. */
const FIELDS = 5;
const FORMAT = '--format=%H%x00%an%x00%ae%x00%aI%x00%B';

function toRecord(fields: readonly string[]): AttemptRecord {
  const [commit, name, email, date, message] = fields as [string, string, string, string, string];
  return { commit, date: new Date(date), author: { name, email }, ...parseMessage(message) };
}

/** Yields the first-parent history of `commit`; stopping the iteration ends git. */
export async function* readLog(gitDir: string, commit: string): AsyncGenerator<AttemptRecord> {
  // -z ends each field of FORMAT and each commit with NUL, which no message contains.
  const git = spawnGit(gitDir, ['log', '-z', '--first-parent', '--no-show-signature', FORMAT, commit]);
  git.child.stdin.end();
  let complete = false;
  try {
    let pending: Buffer = Buffer.alloc(0);
    const fields: string[] = [];
    for await (const chunk of git.child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let start = 0;
      for (let nul = pending.indexOf(0); nul !== -1; nul = pending.indexOf(0, start)) {
        fields.push(pending.toString('utf8', start, nul));
        start = nul + 1;
        if (fields.length === FIELDS) yield toRecord(fields.splice(0));
      }
      pending = pending.subarray(start);
    }
    complete = true;
    await git.exit;
  } finally {
    if (!complete) {
      git.child.kill();
      await git.exit.catch(() => undefined);
    }
  }
}
