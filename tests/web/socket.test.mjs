// ChatSocket against a fake WebSocket: batches, the sync loop, the outbox, close 4001, dead
// connections.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CLOSE_LOGGED_OUT, ChatSocket, PROBE_IDLE_MS, PROBE_TIMEOUT_MS, newClientId, socketUrl } from '../../web/js/socket.js';

class FakeWebSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.sent = [];
    FakeWebSocket.all.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  // test side
  serverSends(value) {
    this.onmessage({ data: JSON.stringify(value) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose({ code });
  }
  static last() {
    return FakeWebSocket.all.at(-1);
  }
}

const instantBackoff = { next: () => 0, reset: () => {} };
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));
// Waits (at most 2 s) until `n` connections were opened: a reconnect is scheduled asynchronously,
// and a loaded machine may take longer than a few milliseconds to get there.
async function sockets(n) {
  const deadline = Date.now() + 2000;
  while (FakeWebSocket.all.length < n && Date.now() < deadline) await tick(2);
}

function makeSocket(options = {}) {
  FakeWebSocket.all = [];
  const socket = new ChatSocket('ws://test/ws', { WebSocketImpl: FakeWebSocket, backoff: instantBackoff, ...options });
  const events = [];
  const statuses = [];
  let loggedOut = 0;
  socket.addEventListener('event', (e) => events.push(e.detail));
  socket.addEventListener('status', (e) => statuses.push(e.detail.state));
  socket.addEventListener('loggedout', () => (loggedOut += 1));
  return { socket, events, statuses, loggedOut: () => loggedOut };
}

const hello = (seq) => ({ type: 'hello', user: 'alice', seq, protocol: 2, rooms: [] });
const msg = (id, seq, text = `m${id}`) => ({ id, room: 1, seq, user: 'bob', text, ts: 1, edited: false, deleted: false });
const live = (id, seq) => ({ type: 'message', ...msg(id, seq) });

test('socketUrl follows the page scheme and host', () => {
  assert.equal(socketUrl({ protocol: 'http:', host: 'localhost:8080' }), 'ws://localhost:8080/ws');
  assert.equal(socketUrl({ protocol: 'https:', host: 'chat.example' }), 'wss://chat.example/ws');
});

test('client ids are unique and within 1-64 characters', () => {
  const ids = new Set(Array.from({ length: 100 }, newClientId));
  assert.equal(ids.size, 100);
  for (const id of ids) assert.ok(id.length >= 1 && id.length <= 64);
});

test('a frame may be one event or an array of events, handled in order', () => {
  const { socket, events } = makeSocket();
  socket.start();
  const ws = FakeWebSocket.last();
  ws.serverSends(hello(5));
  ws.serverSends([live(1, 6), { type: 'typing', room: 1, user: 'bob', active: true }, live(2, 7)]);
  ws.serverSends({ type: 'presence', online: ['alice'], offline: [] });
  assert.deepEqual(
    events.map((e) => e.type),
    ['hello', 'message', 'typing', 'message', 'presence'],
  );
  socket.stop();
});

test('messages sent offline are queued and resent with the same client_id until acked', async () => {
  const { socket, statuses } = makeSocket();
  socket.start();
  let ws = FakeWebSocket.last();
  assert.equal(socket.send({ type: 'send', room: 1, client_id: 'c-1', text: 'early' }), false, 'no hello yet');
  ws.serverSends(hello(10));
  assert.deepEqual(ws.sent, [{ type: 'send', room: 1, client_id: 'c-1', text: 'early' }], 'flushed on hello');
  assert.equal(socket.send({ type: 'send', room: 1, client_id: 'c-2', text: 'second' }), true);
  ws.serverSends({ type: 'ack', client_id: 'c-1', id: 11, ts: 1 });
  assert.equal(socket.pendingCount, 1);

  ws.drop();
  assert.equal(statuses.at(-1), 'reconnecting');
  assert.equal(socket.send({ type: 'send', room: 2, client_id: 'c-3', text: 'offline' }), false);
  assert.equal(socket.send({ type: 'typing', active: true }), false);
  socket.send({ type: 'edit', id: 11, text: 'changed offline' });
  await sockets(2);
  ws = FakeWebSocket.last();
  assert.equal(FakeWebSocket.all.length, 2, 'reconnected');
  ws.serverSends(hello(13));
  assert.deepEqual(ws.sent, [
    { type: 'send', room: 1, client_id: 'c-2', text: 'second' },
    { type: 'send', room: 2, client_id: 'c-3', text: 'offline' },
    { type: 'edit', id: 11, text: 'changed offline' },
    { type: 'sync', since: 10 },
  ]);
  assert.equal(statuses.at(-1), 'online');
  socket.stop();
});

test('unacked messages are saved as they change and restored by the next page', () => {
  const saved = [];
  const store = {
    load: () => [{ type: 'send', room: 1, client_id: 'old', text: 'from before the reload' }],
    put: (frame) => saved.push(['put', frame.client_id]),
    remove: (clientId) => saved.push(['remove', clientId]),
  };
  const { socket } = makeSocket({ outboxStore: store });
  assert.deepEqual(socket.queued.map((f) => f.client_id), ['old']);
  socket.start();
  const ws = FakeWebSocket.last();
  socket.send({ type: 'send', room: 1, client_id: 'new', text: 'typed now' });
  ws.serverSends(hello(3));
  assert.deepEqual(ws.sent.map((f) => f.client_id), ['old', 'new'], 'restored ones go first');
  ws.serverSends({ type: 'ack', client_id: 'old', id: 4, ts: 1 });
  socket.send({ type: 'typing', active: true });
  assert.deepEqual(saved, [['put', 'new'], ['remove', 'old']], 'each change is stored as it happens, only then');
  socket.stop();
});

test('rate_limited: nothing more until retry_after_ms, then the queue drains in order, one at a time', async () => {
  const { socket, events } = makeSocket();
  socket.start();
  const ws = FakeWebSocket.last();
  ws.serverSends(hello(1));
  const frame = (n) => ({ type: 'send', room: 1, client_id: `c-${n}`, text: `m${n}` });
  for (const n of [1, 2, 3]) socket.send(frame(n));
  ws.serverSends({ type: 'ack', client_id: 'c-1', id: 2, ts: 1 });
  ws.serverSends({ type: 'error', code: 'rate_limited', message: 'slow down', ref: 'c-2', retry_after_ms: 20 });
  ws.serverSends({ type: 'error', code: 'rate_limited', message: 'slow down', ref: 'c-3', retry_after_ms: 10 });
  assert.equal(socket.send(frame(4)), false, 'held back while rate limited');
  assert.equal(ws.sent.length, 3);
  assert.equal(events.filter((e) => e.type === 'error').length, 0, 'the app is not told: it is a retry, not a failure');

  await tick(30);
  assert.equal(ws.sent.length, 3, 'waits at least 50 ms, whatever retry_after_ms says');
  await tick(50);
  assert.deepEqual(ws.sent.slice(3), [frame(2)], 'after the wait: the oldest unacked, alone');
  ws.serverSends({ type: 'ack', client_id: 'c-2', id: 3, ts: 1 });
  assert.deepEqual(ws.sent.slice(4), [frame(3)]);
  ws.serverSends({ type: 'ack', client_id: 'c-3', id: 4, ts: 1 });
  assert.deepEqual(ws.sent.slice(5), [frame(4)]);
  ws.serverSends({ type: 'ack', client_id: 'c-4', id: 5, ts: 1 });
  assert.equal(socket.pendingCount, 0);
  assert.equal(socket.send(frame(5)), true, 'back to sending at once');
  socket.stop();
});

test('a rate-limited edit is sent again after the wait; a forbidden one is given up', async () => {
  const { socket, events } = makeSocket();
  socket.start();
  const ws = FakeWebSocket.last();
  ws.serverSends(hello(1));
  socket.send({ type: 'edit', id: 7, text: 'new' });
  socket.send({ type: 'delete', id: 8 });
  ws.serverSends({ type: 'error', code: 'rate_limited', message: 'slow down', ref: 7, retry_after_ms: 10 });
  ws.serverSends({ type: 'error', code: 'forbidden', message: 'not yours', ref: 8 });
  assert.deepEqual(
    events.filter((e) => e.type === 'error').map((e) => e.code),
    ['forbidden'],
  );
  await tick(80);
  assert.deepEqual(ws.sent.slice(2), [{ type: 'edit', id: 7, text: 'new' }]);
  ws.serverSends({ type: 'edited', id: 7, seq: 2, text: 'new' });
  ws.drop();
  await sockets(2);
  const next = FakeWebSocket.last();
  next.serverSends(hello(2));
  assert.deepEqual(next.sent, [{ type: 'sync', since: 2 }], 'nothing left to resend');
  socket.stop();
});

test('sync repeats from the returned seq until has_more is false, then resumes from the newest', async () => {
  const { socket, events } = makeSocket();
  socket.start();
  let ws = FakeWebSocket.last();
  ws.serverSends(hello(100));
  ws.serverSends(live(1, 101));
  ws.drop();
  await sockets(2);
  ws = FakeWebSocket.last();
  ws.serverSends(hello(2500));
  assert.deepEqual(ws.sent.at(-1), { type: 'sync', since: 101 });
  // A live message arrives in the middle of the catch-up.
  ws.serverSends(live(3, 2501));
  ws.serverSends({ type: 'sync', messages: [msg(2, 1101)], seq: 1101, has_more: true });
  assert.deepEqual(ws.sent.at(-1), { type: 'sync', since: 1101 });
  ws.serverSends({ type: 'sync', messages: [msg(4, 2500)], seq: 2500, has_more: false });
  assert.equal(ws.sent.length, 2, 'no third sync');
  assert.equal(events.filter((e) => e.type === 'sync').length, 2, 'sync replies reach the app');

  // The next reconnect starts from the newest seq seen: the live 2501.
  ws.drop();
  await sockets(3);
  ws = FakeWebSocket.last();
  ws.serverSends(hello(2600));
  assert.deepEqual(ws.sent, [{ type: 'sync', since: 2501 }]);
  socket.stop();
});

test('a sync or history refused for its rate is asked again after retry_after_ms, unseen by the app', async () => {
  const { socket, events } = makeSocket();
  socket.start();
  let ws = FakeWebSocket.last();
  ws.serverSends(hello(10));
  ws.drop();
  await sockets(2);
  ws = FakeWebSocket.last();
  ws.serverSends(hello(20));
  assert.deepEqual(ws.sent.at(-1), { type: 'sync', since: 10 });
  ws.serverSends({ type: 'error', code: 'rate_limited', message: 'slow down', ref: null, retry_after_ms: 1 });
  assert.equal(events.filter((e) => e.type === 'error').length, 0);
  await tick(80); // at least the client's minimum retry delay (50 ms)
  assert.deepEqual(ws.sent.at(-1), { type: 'sync', since: 10 });
  assert.equal(ws.sent.filter((f) => f.type === 'sync').length, 2);
  ws.serverSends({ type: 'sync', messages: [], seq: 20, has_more: false });

  socket.send({ type: 'history', room: 1, before: 5, limit: 50 });
  ws.serverSends({ type: 'error', code: 'rate_limited', message: 'slow down', ref: null, retry_after_ms: 1 });
  await tick(80);
  assert.deepEqual(ws.sent.slice(-2), [
    { type: 'history', room: 1, before: 5, limit: 50 },
    { type: 'history', room: 1, before: 5, limit: 50 },
  ]);
  socket.send({ type: 'members', room: 1, prefix: 'b', limit: 8 });
  ws.serverSends({ type: 'error', code: 'rate_limited', message: 'slow down', ref: null, retry_after_ms: 1 });
  await tick(80);
  assert.deepEqual(ws.sent.at(-1), { type: 'members', room: 1, prefix: 'b', limit: 8 });
  socket.send({ type: 'watch', users: ['bob'] });
  ws.serverSends({ type: 'error', code: 'rate_limited', message: 'slow down', ref: null, retry_after_ms: 1 });
  await tick(80);
  assert.deepEqual(ws.sent.slice(-2), [{ type: 'watch', users: ['bob'] }, { type: 'watch', users: ['bob'] }], 'watch counts as a query too');
  assert.equal(events.filter((e) => e.type === 'error').length, 0);
  socket.stop();
});

test('a drop during a sync restarts it from where the last complete catch-up ended', async () => {
  const { socket } = makeSocket();
  socket.start();
  let ws = FakeWebSocket.last();
  ws.serverSends(hello(50));
  ws.drop();
  await sockets(2);
  ws = FakeWebSocket.last();
  ws.serverSends(hello(900));
  ws.serverSends(live(9, 901)); // live, but the sync has not finished
  ws.drop();
  await sockets(3);
  ws = FakeWebSocket.last();
  ws.serverSends(hello(950));
  assert.deepEqual(ws.sent, [{ type: 'sync', since: 50 }]);
  socket.stop();
});

test('close 4001 means logged out: no reconnect', async () => {
  const { socket, loggedOut } = makeSocket();
  socket.start();
  const ws = FakeWebSocket.last();
  ws.serverSends(hello(1));
  ws.drop(CLOSE_LOGGED_OUT);
  await tick(20);
  assert.equal(loggedOut(), 1);
  assert.equal(FakeWebSocket.all.length, 1);
});

test('a refused upgrade asks the session check; a dead session stops reconnecting', async () => {
  let answer = 'down';
  const { socket, loggedOut } = makeSocket({ checkSession: async () => answer });
  socket.start();
  FakeWebSocket.last().drop(); // never said hello
  await sockets(2);
  assert.equal(FakeWebSocket.all.length, 2, 'server down: keep trying');
  answer = 'logged_out';
  FakeWebSocket.last().drop();
  const deadline = Date.now() + 2000;
  while (loggedOut() === 0 && Date.now() < deadline) await tick(2);
  assert.equal(loggedOut(), 1);
  assert.equal(FakeWebSocket.all.length, 2);
  socket.stop();
});

test('stop() closes without reconnecting', async () => {
  const { socket } = makeSocket();
  socket.start();
  FakeWebSocket.last().serverSends(hello(1));
  socket.stop();
  await tick(20);
  assert.equal(FakeWebSocket.all.length, 1);
});

// A fake clock and interval for the liveness checks.
function fakeTime() {
  let now = 0;
  const intervals = new Map();
  let next = 1;
  return {
    now: () => now,
    setIntervalImpl: (fn, ms) => {
      intervals.set(next, { fn, ms, due: now + ms });
      return next++;
    },
    clearIntervalImpl: (id) => intervals.delete(id),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let first = null;
        for (const t of intervals.values()) if (t.due <= end && (first === null || t.due < first.due)) first = t;
        if (!first) break;
        now = first.due;
        first.due += first.ms;
        first.fn();
      }
      now = end;
    },
  };
}

test('an idle connection is probed with a sync; a silent one is given up and replaced', async () => {
  const time = fakeTime();
  const { socket, statuses } = makeSocket(time);
  socket.start();
  const ws = FakeWebSocket.last();
  ws.serverSends(hello(40));
  time.advance(PROBE_IDLE_MS - 3000);
  assert.deepEqual(ws.sent, [], 'not idle yet');
  ws.serverSends(live(1, 41)); // traffic keeps it from being idle
  time.advance(PROBE_IDLE_MS - 3000);
  assert.deepEqual(ws.sent, []);
  time.advance(3000 + 2500); // checks run every 2.5 s
  assert.deepEqual(ws.sent, [{ type: 'sync', since: 41 }], 'the probe: a sync from the newest seq');
  ws.serverSends({ type: 'sync', messages: [], rooms: [], removed: [], seq: 41, has_more: false });
  time.advance(PROBE_TIMEOUT_MS + 3000);
  assert.equal(FakeWebSocket.all.length, 1, 'answered: still the same connection');

  // The next probe goes unanswered (the laptop slept, the network changed).
  time.advance(PROBE_IDLE_MS - PROBE_TIMEOUT_MS);
  assert.equal(ws.sent.filter((f) => f.type === 'sync').length, 2);
  time.advance(PROBE_TIMEOUT_MS + 3000);
  assert.equal(statuses.at(-1), 'reconnecting');
  await sockets(2);
  assert.equal(FakeWebSocket.all.length, 2, 'a new connection');
  assert.equal(ws.onmessage, null, 'the dead one is detached');
  socket.stop();
});

test('probe() asks at once (page shown again) and only once until something arrives', () => {
  const time = fakeTime();
  const { socket } = makeSocket(time);
  socket.start();
  const ws = FakeWebSocket.last();
  ws.serverSends(hello(7));
  socket.probe();
  socket.probe();
  assert.deepEqual(ws.sent, [{ type: 'sync', since: 7 }]);
  socket.stop();
});

test('a room change counts as seen: the next catch-up starts after its seq', async () => {
  const { socket } = makeSocket();
  socket.start();
  let ws = FakeWebSocket.last();
  ws.serverSends(hello(10));
  ws.serverSends({ type: 'room', room: { id: 7, kind: 'private', name: 'x', seq: 12 } });
  ws.drop();
  await sockets(2);
  ws = FakeWebSocket.last();
  ws.serverSends(hello(20));
  assert.deepEqual(ws.sent, [{ type: 'sync', since: 12 }]);
  socket.stop();
});
