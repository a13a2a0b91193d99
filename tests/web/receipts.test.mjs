import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ReadMarkers, SeenThrottle, receiptState, receiptView } from '../../web/js/receipts.js';

test('pending until acked, delivered after, seen once another user read it', () => {
  assert.equal(receiptState(null, []), 'pending');
  assert.equal(receiptState(undefined, []), 'pending');
  assert.equal(receiptState(42, []), 'delivered');
  assert.equal(receiptState(42, ['bob']), 'seen');
});

test('the marks are ◌ ○ ● and the tooltip lists who has seen it', () => {
  assert.deepEqual(receiptView('pending'), { symbol: '◌', label: 'Sending…' });
  assert.deepEqual(receiptView('delivered'), { symbol: '○', label: 'Delivered' });
  assert.deepEqual(receiptView('seen', ['bob', 'carol']), { symbol: '●', label: 'Seen by bob, carol' });
});

test('seenBy counts only OTHER users whose marker is at or above the id', () => {
  const markers = new ReadMarkers();
  markers.reset({ alice: 50, bob: 40, carol: 42 });
  assert.deepEqual(markers.seenBy(42, 'alice'), ['carol'], "alice's own marker does not count");
  assert.deepEqual(markers.seenBy(40, 'alice'), ['bob', 'carol']);
  assert.deepEqual(markers.seenBy(43, 'alice'), []);
  assert.equal(receiptState(43, markers.seenBy(43, 'alice')), 'delivered');
  assert.equal(receiptState(41, markers.seenBy(41, 'alice')), 'seen');
});

test('markers only move forward', () => {
  const markers = new ReadMarkers();
  assert.equal(markers.get('bob'), 0);
  assert.equal(markers.update('bob', 10), true);
  assert.equal(markers.update('bob', 5), false);
  assert.equal(markers.update('bob', 10), false);
  assert.equal(markers.get('bob'), 10);
  markers.reset({ bob: 3 });
  assert.equal(markers.get('bob'), 3, 'the receipts of a new connection are the truth');
  markers.reset(undefined);
  assert.equal(markers.get('bob'), 0);
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
