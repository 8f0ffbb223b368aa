// Tests that need the error a promise rejects with, to assert on its kind and message.
import assert from 'node:assert/strict';
import { TransportError } from '../../src/transport/connection.js';

/** Resolves to the TransportError the promise rejects with (and fails if it resolves, or rejects with anything else). */
export async function transportError(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    (value) => assert.fail(`expected a TransportError, got ${String(value)}`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof TransportError, `expected a TransportError, got ${String(error)}`);
  return error;
}
