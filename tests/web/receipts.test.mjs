import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SeenThrottle, receiptChanges, receiptState, receiptView } from '../../web/js/receipts.js';

test('pending until acked, delivered after, seen once another member read that far', () => {
  assert.equal(receiptState(null, 50), 'pending');
  assert.equal(receiptState(undefined, 50), 'pending');
  assert.equal(receiptState(42, 41), 'delivered');
  assert.equal(receiptState(42, 42), 'seen');
  assert.equal(receiptState(42, undefined), 'delivered');
});

test('the marks are ◌ ○ ● and the tooltip names who has seen it when known', () => {
  assert.deepEqual(receiptView('pending'), { symbol: '◌', label: 'Sending…' });
  assert.deepEqual(receiptView('delivered'), { symbol: '○', label: 'Delivered' });
  assert.deepEqual(receiptView('seen'), { symbol: '●', label: 'Seen' });
  assert.deepEqual(receiptView('seen', ['bob', 'carol']), { symbol: '●', label: 'Seen by bob, carol' });
});

test('a receipt redraws only the own messages between the old and the new others_read', () => {
  const own = [3, 7, 12, 15, 40];
  assert.deepEqual(receiptChanges(own, 7, 15), [12, 15]);
  assert.deepEqual(receiptChanges(own, 0, 2), []);
  assert.deepEqual(receiptChanges(own, 15, 15), []);
  assert.deepEqual(receiptChanges(own, 40, 30), [], 'never backwards');
  assert.deepEqual(receiptChanges(own, 0, 1000), own);
});

function fakeTimers() {
  let now = 0;
  const timers = [];
  return {
    now: () => now,
    setTimer: (fn, ms) => timers.push({ at: now + ms, fn }),
    advance(ms) {
      now += ms;
      for (;;) {
        const i = timers.findIndex((t) => t.at <= now);
        if (i < 0) break;
        timers.splice(i, 1)[0].fn();
      }
    },
  };
}

test('seen sends only the highest id, at most once per interval', () => {
  const t = fakeTimers();
  const sent = [];
  const seen = new SeenThrottle((id) => sent.push([t.now(), id]), { ...t, intervalMs: 300 });
  seen.report(5);
  assert.deepEqual(sent, [[0, 5]], 'the first goes out at once');
  seen.report(6);
  seen.report(9);
  seen.report(7);
  t.advance(100);
  assert.equal(sent.length, 1);
  t.advance(200);
  assert.deepEqual(sent, [
    [0, 5],
    [300, 9],
  ]);
  seen.report(8);
  seen.report(9);
  t.advance(1000);
  assert.equal(sent.length, 2, 'nothing at or below what was sent');
});

test('a burst of many visible messages sends a few frames a second at most', () => {
  const t = fakeTimers();
  const sent = [];
  const seen = new SeenThrottle((id) => sent.push(id), t);
  for (let id = 1; id <= 500; id += 1) {
    seen.report(id);
    t.advance(2);
  }
  t.advance(1000);
  assert.ok(sent.length <= 5, `${sent.length} frames for 1 s of scrolling`);
  assert.equal(sent.at(-1), 500, 'the last one is the highest');
});

test('the server marker counts as sent; after a reconnect the highest is sent again', () => {
  const t = fakeTimers();
  const sent = [];
  const seen = new SeenThrottle((id) => sent.push(id), t);
  seen.known(20);
  seen.report(15);
  seen.report(20);
  assert.deepEqual(sent, []);
  seen.report(21);
  assert.deepEqual(sent, [21]);
  seen.resetSent(20); // reconnected: the server only had 20
  assert.deepEqual(sent, [21, 21]);
});

test('a report made while offline is sent again after reconnecting', () => {
  const t = fakeTimers();
  const sent = [];
  let online = false;
  const seen = new SeenThrottle((id) => (online ? sent.push(id) && true : false), t);
  seen.report(7);
  assert.deepEqual(sent, []);
  online = true;
  seen.resetSent(3);
  assert.deepEqual(sent, [7]);
});
