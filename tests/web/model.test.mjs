// ChatModel: rooms, unread and mention counting, receipts, room add/remove, sync merge, pending
// messages, presence and typing — events in, state and notifications out.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ChatModel, badgeText, roomTitle } from '../../web/js/model.js';

const general = (over = {}) => ({
  id: 1, kind: 'open', name: 'general', archived: false, seq: 3, creator: null, member_count: 3,
  last_id: 10, marker: 10, unread: 0, mentions: 0, others_read: 8, notify: 'mentions', ...over,
});
const dm = (over = {}) => ({
  id: 9, kind: 'dm', name: null, archived: false, seq: 4, creator: 'bob', member_count: 2,
  members: ['alice', 'bob'], last_id: 0, marker: 0, unread: 0, mentions: 0, others_read: 0, notify: 'all', ...over,
});
const message = (id, over = {}) => ({
  id, room: 1, seq: id + 100, user: 'bob', text: `m${id}`, ts: 1000 + id, edited: false, deleted: false, ...over,
});

function setup(rooms = [general(), dm()]) {
  const model = new ChatModel('alice', { now: () => 0 });
  const seen = [];
  for (const type of ['rooms', 'room', 'removed', 'messages', 'page', 'receipts', 'pending', 'ack', 'typing', 'presence', 'members', 'created', 'error']) {
    model.on(type, (detail) => seen.push({ type, ...detail }));
  }
  model.apply({ type: 'hello', user: 'alice', seq: 200, protocol: 2, rooms });
  seen.length = 0;
  return { model, seen, room: (id) => model.rooms.get(id) };
}

test('hello gives the rooms with their unread state; DMs are titled by the other members', () => {
  const { model, room } = setup([general({ unread: 4, mentions: 1 }), dm()]);
  assert.deepEqual([...model.rooms.keys()], [1, 9]);
  assert.equal(room(1).unread, 4);
  assert.equal(room(1).mentions, 1);
  assert.equal(roomTitle(room(9), 'alice'), 'bob');
  assert.equal(roomTitle({ kind: 'dm', members: ['alice'] }, 'alice'), 'alice (notes)');
  const { rooms, dms } = model.sortedRooms();
  assert.deepEqual(rooms.map((r) => r.id), [1]);
  assert.deepEqual(dms.map((r) => r.id), [9]);
  assert.equal(badgeText(100), '99+');
  assert.equal(badgeText(7), '7');
});

test("others' new messages after the marker count as unread, mentions also as mentions", () => {
  const { model, room, seen } = setup();
  model.apply({ type: 'message', ...message(11) });
  model.apply({ type: 'message', ...message(12, { text: 'hi @alice', mentions: ['alice'] }) });
  model.apply({ type: 'message', ...message(13, { text: '@here', mentions: ['here'] }) });
  assert.equal(room(1).unread, 3);
  assert.equal(room(1).mentions, 2);
  assert.equal(room(1).lastId, 13);
  // The same message again (a sync after a reconnect, say) counts once.
  model.apply({ type: 'sync', messages: [message(12, { text: 'hi @alice', mentions: ['alice'] })], rooms: [], removed: [], seq: 300, has_more: false });
  assert.equal(room(1).unread, 3);
  assert.ok(seen.some((e) => e.type === 'room' && e.room === 1));
  assert.equal(model.totalUnread(), 2, 'a mentions-level room counts its mentions in the title');
  model.apply({ type: 'notify', room: 1, level: 'all' });
  assert.equal(model.totalUnread(), 3);
});

test('our own messages never count as unread, and sending leaves the marker where it was', () => {
  const { model, room } = setup([general({ unread: 5, mentions: 2 })]);
  model.apply({ type: 'message', ...message(11, { user: 'alice', mentions: ['here'] }) });
  assert.equal(room(1).unread, 5);
  assert.equal(room(1).mentions, 2);
  assert.equal(room(1).marker, 10);
  assert.equal(room(1).lastId, 11);
});

test('a read event (another tab read it) sets the counts; deletes and edits adjust them', () => {
  const { model, room } = setup();
  model.apply({ type: 'history', room: 1, before: null, messages: [message(9), message(10)], has_more: false });
  model.apply({ type: 'message', ...message(11, { mentions: ['alice'] }) });
  model.apply({ type: 'message', ...message(12) });
  assert.deepEqual([room(1).unread, room(1).mentions], [2, 1]);
  model.apply({ type: 'deleted', room: 1, id: 11, seq: 400 });
  assert.deepEqual([room(1).unread, room(1).mentions], [1, 0]);
  model.apply({ type: 'edited', room: 1, id: 12, seq: 401, text: 'now @alice', mentions: ['alice'] });
  assert.deepEqual([room(1).unread, room(1).mentions], [1, 1]);
  model.apply({ type: 'read', room: 1, id: 12, unread: 0, mentions: 0 });
  assert.deepEqual([room(1).unread, room(1).mentions, room(1).marker], [0, 0, 12]);
  // Markers never move back.
  model.apply({ type: 'read', room: 1, id: 5, unread: 0, mentions: 0 });
  assert.equal(room(1).marker, 12);
});

test("receipts: only another member's marker moves others_read, and only forward", () => {
  const { model, room, seen } = setup();
  model.apply({ type: 'receipt', room: 1, user: 'bob', id: 12 });
  model.apply({ type: 'receipt', room: 1, user: 'alice', id: 20 });
  model.apply({ type: 'receipt', room: 1, user: 'carol', id: 9 });
  assert.equal(room(1).othersRead, 12);
  assert.deepEqual(seen.filter((e) => e.type === 'receipts'), [{ type: 'receipts', room: 1, from: 8, to: 12 }]);
});

test('rooms: created (with the ref we sent), renamed, removed; a later hello drops rooms we left', () => {
  const { model, room, seen } = setup();
  model.apply({ type: 'room', ref: 'r-1', room: { id: 7, kind: 'private', name: 'design', archived: false, seq: 500, creator: 'alice', member_count: 2, members: ['alice', 'bob'] } });
  assert.equal(room(7).name, 'design');
  assert.equal(room(7).notify, 'mentions');
  assert.ok(seen.some((e) => e.type === 'created' && e.room === 7 && e.ref === 'r-1'));
  model.apply({ type: 'message', ...message(30, { room: 7 }) });
  assert.equal(room(7).unread, 1);
  model.apply({ type: 'room', room: { id: 7, kind: 'private', name: 'design-team', archived: true, seq: 501, creator: 'alice', member_count: 2, members: ['alice', 'bob'] } });
  assert.equal(room(7).name, 'design-team');
  assert.equal(room(7).archived, true);
  assert.equal(room(7).unread, 1, 'a room object keeps the unread state');
  model.apply({ type: 'room_removed', room: 7 });
  assert.equal(model.rooms.has(7), false);
  assert.ok(seen.some((e) => e.type === 'removed' && e.room === 7));
  model.apply({ type: 'message', ...message(31, { room: 7 }) });
  assert.equal(model.rooms.has(7), false, 'nothing of a removed room comes back');
  model.apply({ type: 'hello', user: 'alice', seq: 600, protocol: 2, rooms: [general()] });
  assert.deepEqual([...model.rooms.keys()], [1]);
});

test('sync merges rooms, removals and messages of every room', () => {
  const { model, room } = setup();
  model.apply({ type: 'history', room: 1, before: null, messages: [message(10)], has_more: true });
  model.apply({
    type: 'sync',
    messages: [message(10, { seq: 150, text: 'edited', edited: true }), message(11), message(12, { room: 9, user: 'bob' })],
    rooms: [{ id: 5, kind: 'private', name: 'ops', archived: false, seq: 140, creator: 'bob', member_count: 2, members: ['alice', 'bob'] }],
    removed: [9],
    seq: 160,
    has_more: false,
  });
  assert.equal(room(1).messages.get(10).text, 'edited');
  assert.deepEqual(room(1).messages.ids, [10, 11]);
  assert.equal(room(1).unread, 1);
  assert.equal(model.rooms.has(9), false);
  assert.equal(room(5).name, 'ops');
});

test('messages are held without holes: live ones only after the latest page, old ones not at all', () => {
  const { model, room, seen } = setup();
  model.apply({ type: 'message', ...message(11) });
  assert.deepEqual(room(1).messages.ids, [], 'the latest page has not come yet');
  assert.equal(room(1).unread, 1, 'but it still counts');
  const event = seen.filter((e) => e.type === 'messages').at(-1);
  assert.deepEqual([event.added.length, event.fresh.map((m) => m.id)], [0, [11]], 'and is fresh (it may notify)');
  model.apply({ type: 'history', room: 1, before: null, messages: [message(10), message(11)], has_more: true });
  model.apply({ type: 'message', ...message(12) });
  model.apply({ type: 'sync', messages: [message(3)], rooms: [], removed: [], seq: 1, has_more: false });
  assert.deepEqual(room(1).messages.ids, [10, 11, 12]);
  assert.equal(room(1).unread, 2, '11 came twice, counted once');
  model.apply({ type: 'history', room: 1, before: 10, messages: [message(8), message(9)], has_more: false });
  assert.deepEqual(room(1).messages.ids, [8, 9, 10, 11, 12]);
  assert.equal(room(1).messages.hasOlder, false);
  assert.equal(room(1).messages.trim(2), 3);
  assert.deepEqual(room(1).messages.ids, [11, 12]);
  assert.equal(room(1).messages.hasOlder, true);
});

test('pending messages: queued, failed with the reason, retried, acked into a message', () => {
  const { model, room, seen } = setup();
  model.apply({ type: 'history', room: 9, before: null, messages: [], has_more: false });
  model.addPending(9, 'c-1', 'hello bob', {}, 5);
  model.addPending(9, 'c-2', 'again', {}, 6);
  model.apply({ type: 'error', code: 'forbidden', message: 'the room is archived', ref: 'c-2' });
  assert.equal(room(9).messages.pending.get('c-2').failed, true);
  assert.equal(room(9).messages.pending.get('c-2').reason, 'the room is archived');
  model.retryPending(9, 'c-2');
  assert.equal(room(9).messages.pending.get('c-2').failed, false);
  model.removePending(9, 'c-2');
  model.apply({ type: 'ack', client_id: 'c-1', room: 9, id: 50, ts: 7 });
  assert.equal(room(9).messages.pending.size, 0);
  assert.equal(room(9).messages.get(50).text, 'hello bob');
  assert.equal(room(9).messages.get(50).user, 'alice');
  assert.ok(seen.some((e) => e.type === 'ack' && e.id === 50));
  // The message event that follows the ack changes nothing twice.
  model.apply({ type: 'message', ...message(50, { room: 9, user: 'alice', text: 'hello bob' }) });
  assert.deepEqual(room(9).messages.ids, [50]);
});

test('presence reports only changes; typing is per room and ends with a message', () => {
  const { model, room, seen } = setup();
  model.apply({ type: 'presence', online: ['bob', 'carol'], offline: [] });
  model.apply({ type: 'presence', online: ['bob'], offline: ['carol'] });
  assert.deepEqual(seen.filter((e) => e.type === 'presence').map((e) => e.names), [['bob', 'carol'], ['carol']]);
  model.apply({ type: 'typing', room: 1, user: 'bob', active: true });
  assert.deepEqual(room(1).typing.names(0), ['bob']);
  assert.deepEqual(room(9).typing.names(0), []);
  model.apply({ type: 'message', ...message(11) });
  assert.deepEqual(room(1).typing.names(0), []);
  assert.deepEqual(model.watchList(1, ['alice', 'bob', 'dave']), ['bob', 'dave']);
});
