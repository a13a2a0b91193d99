// OutboxStore against an in-memory Storage: what survives a reload, per user, across tabs, and
// bad storage.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OutboxStore, outboxKey } from '../../web/js/outbox_store.js';

class MemoryStorage {
  items = new Map();
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
}

const send = (client_id, text, room = 1) => ({ type: 'send', room, client_id, text });

test('saved frames come back in order, with their room and the time they were first queued', () => {
  const storage = new MemoryStorage();
  const store = new OutboxStore(storage, 'alice');
  store.put(send('a', 'first'), 1000);
  store.put(send('b', 'second', 7), 2000);
  store.put(send('a', 'first'), 3000); // a resend is not a second entry
  const again = new OutboxStore(storage, 'alice');
  assert.deepEqual(again.load(), [send('a', 'first'), send('b', 'second', 7)]);
  assert.equal(again.queuedAt('a'), 1000);
  assert.equal(again.queuedAt('b'), 2000);
});

test('two tabs never overwrite each other: each change touches only its own message', () => {
  const storage = new MemoryStorage();
  const tab1 = new OutboxStore(storage, 'alice');
  const tab2 = new OutboxStore(storage, 'alice');
  tab1.put(send('t1-a', 'from tab 1'));
  tab2.put(send('t2-a', 'from tab 2'));
  tab1.put(send('t1-b', 'tab 1 again'));
  tab2.remove('t2-a'); // tab 2's message was acked
  assert.deepEqual(
    new OutboxStore(storage, 'alice').load().map((f) => f.client_id),
    ['t1-a', 't1-b'],
    "tab 2's ack removed only its own message",
  );
  tab1.remove('t1-a');
  tab1.remove('t1-b');
  assert.equal(storage.getItem(outboxKey('alice')), null, 'an empty outbox leaves nothing behind');
});

test('clear() forgets everything', () => {
  const storage = new MemoryStorage();
  const store = new OutboxStore(storage, 'alice');
  store.put(send('a', 'x'));
  store.clear();
  assert.deepEqual(store.load(), []);
  assert.equal(storage.items.size, 0);
});

test('each user has their own outbox in a shared browser', () => {
  const storage = new MemoryStorage();
  new OutboxStore(storage, 'alice').put(send('a', 'alice wrote this'));
  assert.deepEqual(new OutboxStore(storage, 'bob').load(), []);
});

test('corrupt, missing or failing storage means an empty outbox, never an error', () => {
  const storage = new MemoryStorage();
  storage.setItem(outboxKey('alice'), '{not json');
  assert.deepEqual(new OutboxStore(storage, 'alice').load(), []);
  storage.setItem(outboxKey('alice'), JSON.stringify([{ client_id: 1 }, { client_id: 'x', text: 'no room' }, { client_id: 'ok', room: 2, text: 't' }]));
  assert.deepEqual(new OutboxStore(storage, 'alice').load(), [send('ok', 't', 2)]);
  assert.deepEqual(new OutboxStore(null, 'alice').load(), []);
  const failing = {
    getItem() {
      throw new Error('denied');
    },
    setItem() {
      throw new Error('full');
    },
    removeItem() {
      throw new Error('denied');
    },
  };
  const store = new OutboxStore(failing, 'alice');
  assert.deepEqual(store.load(), []);
  store.put(send('a', 'x'));
  store.remove('a');
  store.clear();
});
