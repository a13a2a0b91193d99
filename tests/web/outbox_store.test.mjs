// OutboxStore against an in-memory Storage: what survives a reload, per user, and bad storage.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { OutboxStore } from '../../web/js/outbox_store.js';

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

const send = (client_id, text) => ({ type: 'send', client_id, text });

test('saved frames come back in order, with the time they were first queued', () => {
  const storage = new MemoryStorage();
  const before = new OutboxStore(storage, 'alice');
  before.save([send('c1', 'first')]);
  before.save([send('c1', 'first'), send('c2', 'second')]);
  const firstQueued = before.queuedAt('c1');

  const after = new OutboxStore(storage, 'alice');
  assert.deepEqual(after.load(), [send('c1', 'first'), send('c2', 'second')]);
  assert.equal(after.queuedAt('c1'), firstQueued);
});

test('an empty outbox leaves nothing behind, and clear() forgets everything', () => {
  const storage = new MemoryStorage();
  const store = new OutboxStore(storage, 'alice');
  store.save([send('c1', 'x')]);
  store.save([]);
  assert.equal(storage.items.size, 0);
  store.save([send('c2', 'y')]);
  store.clear();
  assert.deepEqual(new OutboxStore(storage, 'alice').load(), []);
});

test('each user has their own outbox in a shared browser', () => {
  const storage = new MemoryStorage();
  new OutboxStore(storage, 'alice').save([send('c1', 'from alice')]);
  assert.deepEqual(new OutboxStore(storage, 'bob').load(), []);
});

test('corrupt, missing or failing storage means an empty outbox, never an error', () => {
  const storage = new MemoryStorage();
  storage.setItem('chatterbox.outbox.v1.alice', '{not json');
  assert.deepEqual(new OutboxStore(storage, 'alice').load(), []);
  storage.setItem('chatterbox.outbox.v1.alice', JSON.stringify([{ client_id: 7 }, { client_id: 'ok', text: 'kept' }]));
  assert.deepEqual(new OutboxStore(storage, 'alice').load(), [send('ok', 'kept')]);
  assert.deepEqual(new OutboxStore(null, 'alice').load(), []);
  const failing = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); }, removeItem() { throw new Error('denied'); } };
  const store = new OutboxStore(failing, 'alice');
  assert.deepEqual(store.load(), []);
  store.save([send('c1', 'x')]);
  store.clear();
});
