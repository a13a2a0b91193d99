// Run with a fixed time zone (tests/web/run.sh sets TZ); the labels are checked against local
// calendar days, including a DST change.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dayKey, dayLabel, daysAgo, timeLabel } from '../../web/js/dates.js';

const LOCALE = 'en-US';

// A local wall-clock time in the process's time zone.
const local = (y, m, d, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();

test('the suite runs in the time zone it was given', () => {
  if (process.env.TZ) {
    assert.equal(Intl.DateTimeFormat().resolvedOptions().timeZone, process.env.TZ);
  }
});

test('Today and Yesterday follow local calendar days, not 24-hour spans', () => {
  const now = local(2025, 3, 12, 0, 5); // five past midnight
  assert.equal(dayLabel(local(2025, 3, 12, 0, 1), now, LOCALE), 'Today');
  assert.equal(dayLabel(local(2025, 3, 11, 23, 59), now, LOCALE), 'Yesterday', 'six minutes ago, but yesterday');
  assert.equal(dayLabel(local(2025, 3, 11, 0, 0), now, LOCALE), 'Yesterday');
  const late = local(2025, 3, 12, 23, 59);
  assert.equal(dayLabel(local(2025, 3, 12, 0, 0), late, LOCALE), 'Today', 'almost 24 hours ago, but today');
});

test('the rest of the last week shows the weekday, then a full date', () => {
  const now = local(2025, 3, 12, 15); // Wednesday 12 March 2025
  assert.equal(dayLabel(local(2025, 3, 10), now, LOCALE), 'Monday');
  assert.equal(dayLabel(local(2025, 3, 6), now, LOCALE), 'Thursday', 'six days ago');
  assert.equal(dayLabel(local(2025, 3, 5), now, LOCALE), 'Wednesday, March 5, 2025', 'seven days ago');
  assert.equal(dayLabel(local(2024, 12, 25), now, LOCALE), 'Wednesday, December 25, 2024');
});

test('a timestamp slightly in the future (server clock ahead) is still Today', () => {
  const now = local(2025, 3, 12, 23, 59);
  assert.equal(dayLabel(local(2025, 3, 13, 0, 1), now, LOCALE), 'Today');
});

test('days are counted across a daylight-saving change', () => {
  if (process.env.TZ !== 'Europe/Berlin') return; // the dates below are Berlin's
  // Clocks went forward on 30 March 2025 (a 23-hour day) and back on 26 October 2025 (25 hours).
  assert.equal(daysAgo(local(2025, 3, 29, 23, 30), local(2025, 3, 31, 0, 30)), 2);
  assert.equal(dayLabel(local(2025, 3, 30, 0, 30), local(2025, 3, 31, 0, 10), LOCALE), 'Yesterday');
  assert.equal(dayLabel(local(2025, 10, 26, 23, 30), local(2025, 10, 27, 0, 10), LOCALE), 'Yesterday');
  assert.equal(dayLabel(local(2025, 10, 26, 0, 10), local(2025, 10, 26, 23, 50), LOCALE), 'Today');
});

test('labels use the local zone: one instant can be today here and yesterday in UTC', () => {
  if (process.env.TZ !== 'Europe/Berlin') return;
  // 00:30 Berlin on 12 March 2025 is 23:30 UTC on 11 March.
  const ts = Date.UTC(2025, 2, 11, 23, 30);
  const now = Date.UTC(2025, 2, 12, 10, 0);
  assert.equal(dayKey(ts), '2025-03-12');
  assert.equal(dayLabel(ts, now, LOCALE), 'Today');
  assert.equal(timeLabel(ts, 'en-GB'), '00:30');
});

test('dayKey groups by local date', () => {
  assert.equal(dayKey(local(2025, 1, 2, 0, 0)), '2025-01-02');
  assert.equal(dayKey(local(2025, 1, 2, 23, 59)), '2025-01-02');
  assert.equal(dayKey(local(2025, 12, 31, 23, 59)), '2025-12-31');
});

test('timeLabel shows hours and minutes', () => {
  assert.equal(timeLabel(local(2025, 3, 12, 9, 5), 'en-GB'), '09:05');
  assert.match(timeLabel(local(2025, 3, 12, 21, 7), 'en-US'), /^09:07\sPM$/);
});
