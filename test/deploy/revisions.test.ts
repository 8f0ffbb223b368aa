// Reading a revision back from a host's export: checksums, executable marks, missing and tampered files, the revision's id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pack } from 'tar-stream';
import { RevisionMismatch, checksumLine, revisionFromExport } from '../../src/deploy/revisions.js';
import { appTreeOid, gitBlobOid } from '../../src/tree/hash.js';

interface Spec {
  readonly content: string;
  readonly executable?: boolean;
}

function revOf(files: Record<string, Spec>): string {
  const entries = new Map(Object.entries(files).map(([path, f]) => [path, { oid: gitBlobOid(Buffer.from(f.content)), executable: f.executable ?? false, size: Buffer.byteLength(f.content) }]));
  return appTreeOid(entries).slice(0, 10);
}

/** An export as the agent sends it: `<rev>/` dirs and files with the host's modes, and `<rev>.sha256`. */
async function exported(rev: string, files: Record<string, Spec & { mode?: number }>, list: string | null): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve) => archive.on('end', resolve));
  archive.entry({ name: `./${rev}/`, type: 'directory', mode: 0o755 });
  for (const [path, file] of Object.entries(files)) {
    archive.entry({ name: `./${rev}/${path}`, type: 'file', mode: file.mode ?? (file.executable ? 0o555 : 0o444) }, Buffer.from(file.content));
  }
  if (list !== null) archive.entry({ name: `./${rev}.sha256`, type: 'file', mode: 0o444 }, Buffer.from(list));
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

function listOf(files: Record<string, Spec>): string {
  return Object.entries(files)
    .map(([path, f]) => `${checksumLine(path, Buffer.from(f.content), f.executable ?? false)}\n`)
    .join('');
}

const FILES: Record<string, Spec> = {
  Caddyfile: { content: 'localhost:80\n' },
  'bin/reload': { content: '#!/bin/sh\nexec caddy reload\n', executable: true },
  'systemd/caddy.service': { content: '[Service]\n' },
};

test('a verified export gives the files, their executable marks and the revision it names', async () => {
  const rev = revOf(FILES);
  const { snapshot, contents } = await revisionFromExport('caddy', rev, await exported(rev, FILES, listOf(FILES)), { verify: true, where: 'web1' });
  assert.equal(snapshot.treeOid.slice(0, 10), rev);
  assert.equal(snapshot.name, 'caddy');
  assert.deepEqual([...snapshot.files.keys()].sort(), ['Caddyfile', 'bin/reload', 'systemd/caddy.service']);
  assert.equal(snapshot.files.get('bin/reload')!.executable, true);
  assert.equal(snapshot.files.get('Caddyfile')!.executable, false);
  assert.equal(contents.get('bin/reload')!.toString('utf8'), '#!/bin/sh\nexec caddy reload\n');
});

test('the checksum list, not the host\'s mode, says what is executable', async () => {
  const rev = revOf(FILES);
  const files = { ...FILES, 'bin/reload': { ...FILES['bin/reload'], mode: 0o444 }, Caddyfile: { ...FILES.Caddyfile, mode: 0o555 } };
  const { snapshot } = await revisionFromExport('caddy', rev, await exported(rev, files, listOf(FILES)), { verify: true, where: 'web1' });
  assert.equal(snapshot.files.get('bin/reload')!.executable, true);
  assert.equal(snapshot.files.get('Caddyfile')!.executable, false);
});

test('a manifest in the revision is parsed', async () => {
  const files = { ...FILES, 'manifest.json': { content: '{ "systemd": { "units_enabled": ["caddy.service"] } }' } };
  const rev = revOf(files);
  const { snapshot } = await revisionFromExport('caddy', rev, await exported(rev, files, listOf(files)), { verify: true, where: 'web1' });
  assert.deepEqual(snapshot.manifest.unitsEnabled, ['caddy.service']);
});

async function refused(tar: Promise<Buffer>, rev: string, message: string): Promise<void> {
  await assert.rejects(revisionFromExport('caddy', rev, await tar, { verify: true, where: 'web1' }), (error: unknown) => {
    assert.ok(error instanceof RevisionMismatch);
    assert.equal(error.message, message);
    return true;
  });
}

test('a listed file that is missing is refused', async () => {
  const rev = revOf(FILES);
  const rest = Object.fromEntries(Object.entries(FILES).filter(([path]) => path !== 'Caddyfile'));
  await refused(exported(rev, rest, listOf(FILES)), rev, `caddy/Caddyfile of revision ${rev} is missing on web1`);
});

test('a file that does not match its checksum is refused', async () => {
  const rev = revOf(FILES);
  await refused(exported(rev, { ...FILES, Caddyfile: { content: 'tampered\n' } }, listOf(FILES)), rev, 'caddy/Caddyfile on web1 does not match its checksum');
});

test('a file the list does not have is refused', async () => {
  const rev = revOf(FILES);
  await refused(exported(rev, { ...FILES, extra: { content: 'x' } }, listOf(FILES)), rev, `caddy/extra on web1 is not in revision ${rev}'s checksum list`);
});

test('files and list that agree but do not hash to the revision are refused', async () => {
  const other = { ...FILES, Caddyfile: { content: 'other\n' } };
  const rev = revOf(FILES);
  await refused(exported(rev, other, listOf(other)), rev, `the files of revision ${rev} of app 'caddy' on web1 hash to ${revOf(other)}, not to their revision`);
});

test('an executable mark changed in files and list alike changes the id, and is refused', async () => {
  const flipped = { ...FILES, Caddyfile: { ...FILES.Caddyfile, executable: true } };
  const rev = revOf(FILES);
  await refused(exported(rev, flipped, listOf(flipped)), rev, `the files of revision ${rev} of app 'caddy' on web1 hash to ${revOf(flipped)}, not to their revision`);
});

test('an export without a list, or with a malformed one, is refused', async () => {
  const rev = revOf(FILES);
  await refused(exported(rev, FILES, null), rev, `revision ${rev} of app 'caddy' on web1 has no checksum list`);
  await refused(exported(rev, FILES, 'not a checksum line\n'), rev, 'its checksum list has a malformed line: "not a checksum line"');
});

test('unverified (hand edits accepted), the files are taken as they are, executable as listed or by the host\'s mode', async () => {
  const rev = revOf(FILES);
  const edited = { ...FILES, Caddyfile: { content: 'edited\n' }, 'new.sh': { content: 'echo\n', mode: 0o555 } };
  const { snapshot, contents } = await revisionFromExport('caddy', rev, await exported(rev, edited, listOf(FILES)), { verify: false, where: 'web1' });
  assert.equal(contents.get('Caddyfile')!.toString('utf8'), 'edited\n');
  assert.equal(snapshot.files.get('new.sh')!.executable, true);
  assert.equal(snapshot.files.get('bin/reload')!.executable, true);
  assert.equal(snapshot.treeOid.slice(0, 10), revOf({ ...FILES, Caddyfile: { content: 'edited\n' }, 'new.sh': { content: 'echo\n', executable: true } }));
  assert.notEqual(snapshot.treeOid.slice(0, 10), rev);
});
