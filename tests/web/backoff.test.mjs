import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BASE_DELAY_MS, Backoff, MAX_DELAY_MS, backoffCeiling, backoffDelay } from '../../web/js/backoff.js';

test('the ceiling starts at 0.5 s, doubles, and stops at 15 s', () => {
  assert.equal(BASE_DELAY_MS, 500);
  assert.equal(MAX_DELAY_MS, 15000);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffCeiling(n)),
    [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000],
  );
  assert.equal(backoffCeiling(10_000), 15000, 'no overflow for huge attempt numbers');
  assert.equal(backoffCeiling(-3), 500, 'negative attempts count as the first');
});

test('a delay is jittered within the upper half of its ceiling', () => {
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const ceiling = backoffCeiling(attempt);
    assert.equal(backoffDelay(attempt, { random: () => 0 }), ceiling / 2);
    assert.equal(backoffDelay(attempt, { random: () => 1 }), ceiling);
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelay(attempt);
      assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${attempt}: ${d} outside [${ceiling / 2}, ${ceiling}]`);
    }
  }
});

test('a misbehaving random source cannot push a delay out of bounds', () => {
  assert.equal(backoffDelay(0, { random: () => -5 }), 250);
  assert.equal(backoffDelay(0, { random: () => 7 }), 500);
});

test('jitter spreads delays apart', () => {
  const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(6)));
  assert.ok(delays.size > 10, `only ${delays.size} distinct delays`);
});

test('Backoff counts attempts and reset() starts over', () => {
  const b = new Backoff({ random: () => 1 });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next()], [500, 1000, 2000, 4000]);
  assert.equal(b.attempt, 4);
  for (let i = 0; i < 20; i += 1) assert.ok(b.next() <= 15000);
  b.reset();
  assert.equal(b.attempt, 0);
  assert.equal(b.next(), 500);
});
