// The issues of the ConfigError a promise must reject with, for asserting on paths and positions.
import assert from 'node:assert/strict';
import { ConfigError, type ConfigIssue } from '../../src/errors.js';

export async function configIssues(promise: Promise<unknown>): Promise<readonly ConfigIssue[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  assert.fail('expected a ConfigError');
}

/** The single issue of a ConfigError, failing with the whole list if there is not exactly one. */
export async function onlyIssue(promise: Promise<unknown>): Promise<ConfigIssue> {
  const issues = await configIssues(promise);
  assert.equal(issues.length, 1, `expected one issue, got:\n${JSON.stringify(issues, null, 2)}`);
  return issues[0];
}
