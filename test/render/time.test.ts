// Times for people: local time in the zone TZ names, with the offset; the same instant in every zone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localTime } from '../../src/render/time.js';

const INSTANT = new Date('2026-12-02T08:14:03Z');

test('a time reads in the zone named, with its offset', () => {
  assert.equal(localTime(INSTANT, 'Europe/Amsterdam'), '2026-12-02 09:14:03 +0100');
  assert.equal(localTime(new Date('2026-07-01T08:14:03Z'), 'Europe/Amsterdam'), '2026-07-01 10:14:03 +0200');
  assert.equal(localTime(INSTANT, 'America/St_Johns'), '2026-12-02 04:44:03 -0330');
  assert.equal(localTime(INSTANT, 'UTC'), '2026-12-02 08:14:03 +0000');
  assert.equal(localTime(INSTANT, ':Asia/Tokyo'), '2026-12-02 17:14:03 +0900');
});

test('midnight is 00, not 24', () => {
  assert.equal(localTime(new Date('2026-12-01T23:00:00Z'), 'Europe/Amsterdam'), '2026-12-02 00:00:00 +0100');
});

test("a zone ICU does not know falls back to the process's zone, still with an offset", () => {
  assert.match(localTime(INSTANT, 'CET-1CEST'), /^2026-12-0[12] \d\d:\d\d:03 [+-]\d{4}$/);
  assert.equal(localTime(INSTANT, 'CET-1CEST'), localTime(INSTANT));
});
