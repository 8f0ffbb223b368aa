// A lock holder for people: who, since when in local time with the offset, and the agent's pid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeHolder } from '../../src/deploy/deploy.js';

test("lock.holder's raw `<who> <unix time> <pid>` reads as who, since when (with the offset) and the pid", () => {
  // 2026-12-02 08:14:03 UTC
  assert.equal(describeHolder('root@vm 1796199243 1360', 'Europe/Amsterdam'), 'root@vm since 2026-12-02 09:14:03 +0100 (pid 1360)');
  assert.equal(describeHolder('root@vm 1796199243 1360', 'UTC'), 'root@vm since 2026-12-02 08:14:03 +0000 (pid 1360)');
});

test('a holder with spaces (a run URL, a name) keeps them; a line not in that shape is shown as it is', () => {
  assert.equal(describeHolder('CI run https://ci/1 1796199243 7', 'UTC'), 'CI run https://ci/1 since 2026-12-02 08:14:03 +0000 (pid 7)');
  assert.equal(describeHolder('someone', 'UTC'), 'someone');
});
