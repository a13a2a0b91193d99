import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SEND_IDLE_MS, SEND_REFRESH_MS, SHOW_TTL_MS, TypingBoard, TypingSender, typingSentence } from '../../web/js/typing.js';

test('the sentence names one or two people, then gives up', () => {
  assert.equal(typingSentence([]), '');
  assert.equal(typingSentence(['alice']), 'alice is typing…');
  assert.equal(typingSentence(['alice', 'bob']), 'alice and bob are typing…');
  assert.equal(typingSentence(['alice', 'bob', 'carol']), 'Several people are typing…');
  assert.equal(typingSentence(['a', 'b', 'c', 'd', 'e']), 'Several people are typing…');
});

test('the timing constants are the ones the issue asks for', () => {
  assert.equal(SEND_REFRESH_MS, 3000);
  assert.equal(SEND_IDLE_MS, 4000);
  assert.equal(SHOW_TTL_MS, 7000);
});

// A fake clock with timers, advanced by hand.
function fakeClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map();
  return {
    now: () => now,
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (id) => timers.delete(id),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    get pending() {
      return timers.size;
    },
  };
}

test('typing true goes out at once, then at most every 3 s while keys keep coming', () => {
  const clock = fakeClock();
  const sent = [];
  const sender = new TypingSender((active) => sent.push([clock.now(), active]), clock);
  for (let t = 0; t <= 7000; t += 250) {
    if (t > 0) clock.advance(250);
    sender.input();
  }
  assert.deepEqual(sent, [
    [0, true],
    [3000, true],
    [6000, true],
  ]);
  assert.equal(sender.active, true);
});

test('typing false goes out after 4 s without a key, once', () => {
  const clock = fakeClock();
  const sent = [];
  const sender = new TypingSender((active) => sent.push([clock.now(), active]), clock);
  sender.input();
  clock.advance(2000);
  sender.input(); // restarts the idle wait
  clock.advance(3999);
  assert.deepEqual(sent, [[0, true]]);
  clock.advance(1);
  assert.deepEqual(sent, [
    [0, true],
    [6000, false],
  ]);
  clock.advance(10_000);
  assert.equal(sent.length, 2);
  assert.equal(sender.active, false);
  assert.equal(clock.pending, 0);
});

test('sending the message stops typing immediately and the next key starts again', () => {
  const clock = fakeClock();
  const sent = [];
  const sender = new TypingSender((active) => sent.push([clock.now(), active]), clock);
  sender.input();
  clock.advance(500);
  sender.stop();
  sender.stop(); // no second false
  assert.deepEqual(sent, [
    [0, true],
    [500, false],
  ]);
  assert.equal(clock.pending, 0, 'no idle timer left behind');
  clock.advance(100);
  sender.input();
  assert.deepEqual(sent.at(-1), [600, true], 'a new message sends true at once, not after 3 s');
});

test('reset() forgets the state without sending (the server forgot it on reconnect)', () => {
  const clock = fakeClock();
  const sent = [];
  const sender = new TypingSender((active) => sent.push(active), clock);
  sender.input();
  sender.reset();
  clock.advance(10_000);
  assert.deepEqual(sent, [true]);
  sender.input();
  assert.deepEqual(sent, [true, true]);
});

test('the board hides a user 7 s after their last typing true', () => {
  const board = new TypingBoard();
  assert.equal(board.update('bob', true, 0), true);
  assert.equal(board.update('alice', true, 1000), true);
  assert.deepEqual(board.names(1000), ['alice', 'bob'], 'sorted');
  assert.equal(board.update('bob', true, 5000), false, 'a refresh is not a change');
  assert.deepEqual(board.names(7999), ['alice', 'bob']);
  assert.deepEqual(board.names(8000), ['bob'], 'alice expired at 1000 + 7000');
  assert.equal(board.nextExpiry(6000), 2000);
  assert.equal(board.expire(8000), true);
  assert.equal(board.expire(8000), false);
  assert.equal(board.nextExpiry(8000), 4000);
  assert.deepEqual(board.names(12_000), []);
  assert.equal(board.nextExpiry(12_000), 0);
});

test('typing false removes a user at once', () => {
  const board = new TypingBoard();
  board.update('bob', true, 0);
  assert.equal(board.update('bob', false, 10), true);
  assert.equal(board.update('bob', false, 20), false);
  assert.deepEqual(board.names(30), []);
  assert.equal(board.nextExpiry(30), null);
  board.update('carol', true, 0);
  assert.equal(board.clear(), true);
  assert.equal(board.clear(), false);
});
