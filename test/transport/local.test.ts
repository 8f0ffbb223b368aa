// The local transport: argv spawned without a shell, behaving like the SSH transport where callers can tell.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { TransportError } from '../../src/transport/connection.js';
import { connectLocal } from '../../src/transport/local.js';

describe('local transport', () => {
  test('runs argv as is: no shell expands anything', async () => {
    const connection = connectLocal();
    const args = ['$HOME', '$(id)', '`id`', '*', "it's", 'a\nb', ''];
    const result = await connection.exec(['printf', '%s\\0', ...args]);
    assert.equal(result.code, 0);
    assert.deepEqual(result.stdout.toString().split('\0').slice(0, -1), args);
  });

  test('reports exit status, signal and both output streams', async () => {
    const connection = connectLocal();
    const result = await connection.exec(['sh', '-c', 'echo out; echo err >&2; exit 4']);
    assert.deepEqual([result.code, result.signal, result.stdout.toString(), result.stderr.toString()], [4, null, 'out\n', 'err\n']);
    const killed = await connection.exec(['sh', '-c', 'kill -TERM $$']);
    assert.deepEqual([killed.code, killed.signal], [null, 'SIGTERM']);
  });

  test('a missing program exits 127, like a remote shell says "not found"', async () => {
    const connection = connectLocal();
    const result = await connection.exec(['/nonexistent/deptool-agent', 'hello']);
    assert.equal(result.code, 127);
    assert.match(result.stderr.toString(), /ENOENT/);
    const channel = await connection.open(['/nonexistent/deptool-agent', 'session']);
    assert.deepEqual(await channel.exited, { code: 127, signal: null });
  });

  test('stdin from a buffer or a stream', async () => {
    const connection = connectLocal();
    const data = randomBytes(3 * 1024 * 1024);
    assert.ok((await connection.exec(['cat'], { stdin: data })).stdout.equals(data));
    const streamed = await connection.exec(['cat'], { stdin: Readable.from([data.subarray(0, 1000), data.subarray(1000)]) });
    assert.ok(streamed.stdout.equals(data));
    // No stdin means end of file at once, not a hang.
    assert.equal((await connection.exec(['cat'])).stdout.length, 0);
  });

  test('a timeout kills the command and rejects', async () => {
    const connection = connectLocal();
    const error = await connection.exec(['sleep', '10'], { timeoutMs: 100 }).catch((caught: unknown) => caught);
    assert.ok(error instanceof TransportError);
    // sleep would have exited 0 after 10 s: a TransportError of kind timeout is the timer's.
    assert.equal(error.kind, 'timeout');
    assert.match(error.message, /did not finish within 100 ms; it was sent SIGKILL/);
  });

  test('a channel streams both ways and exits when its stdin ends', async () => {
    const connection = connectLocal();
    const channel = await connection.open(['cat']);
    const echoed = new Promise<string>((resolve) => {
      let text = '';
      channel.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text === 'ping\n') resolve(text);
      });
    });
    channel.write('ping\n');
    assert.equal(await echoed, 'ping\n');
    channel.end();
    assert.deepEqual(await channel.exited, { code: 0, signal: null });
  });

  test('close ends the stdin of running commands, and later commands are refused', async () => {
    const connection = connectLocal();
    const channel = await connection.open(['cat']);
    channel.stdout.resume();
    await connection.close();
    assert.deepEqual(await channel.exited, { code: 0, signal: null });
    const error = await connection.exec(['true']).catch((caught: unknown) => caught);
    assert.ok(error instanceof TransportError && error.kind === 'lost');
  });
});
