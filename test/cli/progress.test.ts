// The deploy's per-host lines: phases in colour (done green, failures red, the rest yellow), in place on a terminal.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Progress } from '../../src/cli/progress.js';
import { named } from '../render/color.js';

function captured(): { io: ConstructorParameters<typeof Progress>[0]; text: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: '/' }, text: () => Buffer.concat(chunks).toString() };
}

test('in a pipe each phase is a line, coloured by what it means when colour is on', () => {
  const { io, text } = captured();
  const progress = new Progress(io, ['db', 'web'], false, true);
  assert.equal(progress.wrote, false);
  progress.phase('web', 'activating');
  progress.phase('web', 'done');
  progress.phase('db', 'rolled back', 'site.service failed');
  assert.equal(named(text()), '  web: <yellow>activating</>\n  web: <green>done</>\n  db: <red>rolled back</>\n');
  assert.equal(progress.wrote, true);
});

test('without colour the same lines carry no escapes, and a phase in progress shows its detail', () => {
  const { io, text } = captured();
  const progress = new Progress(io, ['web'], false, false);
  progress.phase('web', 'uploading', '3 files');
  progress.phase('web', 'failed', 'why is in the summary');
  assert.equal(text(), '  web: uploading (3 files)\n  web: failed\n');
});

test('on a terminal the block of hosts is redrawn in place', () => {
  const { io, text } = captured();
  const progress = new Progress(io, ['db', 'web'], true, false);
  progress.phase('db', 'locked');
  progress.phase('web', 'done');
  assert.equal(text(), '  db: locked\n  web: connecting\n\x1b[2A\x1b[J  db: locked\n  web: done\n');
});
