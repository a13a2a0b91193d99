// RoomMessages: the run of a room's history the client holds, without holes.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RoomMessages } from '../../web/js/room_messages.js';

const m = (id, over = {}) => ({ id, room: 1, seq: id, user: 'bob', text: `m${id}`, ts: id, edited: false, deleted: false, ...over });
const page = (ids, before = null, hasMore = false) => ({ before, messages: ids.map((id) => m(id)), has_more: hasMore });

test('the latest page, then older pages by the oldest id, in id order', () => {
  const r = new RoomMessages();
  assert.equal(r.latest, false);
  r.addPage(page([20, 21, 22], null, true));
  assert.deepEqual([r.ids, r.latest, r.hasOlder], [[20, 21, 22], true, true]);
  r.loadingOlder = true;
  r.addPage(page([17, 19], 20, false));
  assert.deepEqual([r.ids, r.hasOlder, r.loadingOlder], [[17, 19, 20, 21, 22], false, false]);
  assert.equal(r.oldestId, 17);
  assert.equal(r.newestId, 22);
  assert.equal(r.indexOf(20), 2);
  assert.equal(r.indexOf(18), -1);
});

test('a later version replaces an earlier one, never the other way', () => {
  const r = new RoomMessages();
  r.addPage(page([5]));
  assert.equal(r.upsert(m(5, { seq: 9, text: 'edited', edited: true })), 'updated');
  assert.equal(r.upsert(m(5, { seq: 7, text: 'older edit' })), 'stale');
  assert.equal(r.get(5).text, 'edited');
  assert.equal(r.patch(5, 8, { text: 'late' }), null, 'a stale patch changes nothing');
  assert.equal(r.patch(5, 10, { deleted: true, text: '' }).deleted, true);
});

test('the latest page again: merged when it reaches what is held, else the run starts over', () => {
  const r = new RoomMessages();
  r.addPage(page([10, 11, 12], null, true));
  r.addPage(page([11, 12, 13], null, true)); // a reconnect: overlaps
  assert.deepEqual(r.ids, [10, 11, 12, 13]);
  r.addPage(page([40, 41], null, true)); // much later: a gap between 13 and 40
  assert.deepEqual(r.ids, [40, 41]);
  assert.equal(r.hasOlder, true);
});

test('the newest own message that can be edited', () => {
  const r = new RoomMessages();
  r.addPage({ before: null, messages: [m(1, { user: 'alice' }), m(2, { user: 'alice', deleted: true }), m(3)], has_more: false });
  assert.equal(r.lastEditableBy('alice').id, 1);
  assert.equal(r.lastEditableBy('carol'), null);
});
