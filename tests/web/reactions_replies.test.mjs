// Reactions and replies in the client: applying `reaction` events, the words that say who
// reacted, the `react` frame a click sends, reply quotes, and the model keeping both current.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ChatModel } from '../../web/js/model.js';
import { MAX_NAMES, applyReaction, reactionLabel, toggleFrame } from '../../web/js/reactions.js';
import { quoteText, repliesLabel } from '../../web/js/replies.js';

const thumbs = (over = {}) => ({ emoji: '👍', count: 2, users: ['bob', 'carol'], ...over });

test('a reaction event adds the user, sets the count and knows whether it is mine', () => {
  const after = applyReaction([thumbs()], { emoji: '👍', user: 'alice', on: true, count: 3 }, 'alice');
  assert.deepEqual(after, [{ emoji: '👍', count: 3, users: ['bob', 'carol', 'alice'], me: true }]);
  const fresh = applyReaction([thumbs()], { emoji: '🎉', user: 'dave', on: true, count: 1 }, 'alice');
  assert.deepEqual(fresh.map((r) => r.emoji), ['👍', '🎉']); // a new emoji goes last
  const off = applyReaction(after, { emoji: '👍', user: 'alice', on: false, count: 2 }, 'alice');
  assert.deepEqual(off, [{ emoji: '👍', count: 2, users: ['bob', 'carol'], me: false }]);
  assert.deepEqual(applyReaction([thumbs({ count: 1, users: ['bob'] })], { emoji: '👍', user: 'bob', on: false, count: 0 }, 'alice'), []);
  // Taking back a reaction that is not there, or a stale "off" for an unknown emoji: nothing.
  assert.deepEqual(applyReaction([], { emoji: '👍', user: 'bob', on: false, count: 0 }, 'alice'), []);
});

test('the list of names stays at the server\'s limit while the count goes on', () => {
  const users = Array.from({ length: MAX_NAMES }, (_, i) => `u${i}`);
  const after = applyReaction([thumbs({ count: MAX_NAMES, users })], { emoji: '👍', user: 'alice', on: true, count: 21 }, 'alice');
  assert.equal(after[0].users.length, MAX_NAMES);
  assert.equal(after[0].count, 21);
  assert.equal(after[0].me, true);
  assert.equal(reactionLabel(after[0], 'alice'), 'You, u0, u1, u2, u3, u4, u5, u6, u7, u8 and 11 others reacted with 👍');
});

test('who reacted, in words for the tooltip and screen readers', () => {
  assert.equal(reactionLabel(thumbs({ count: 1, users: ['bob'] }), 'alice'), 'bob reacted with 👍');
  assert.equal(reactionLabel(thumbs(), 'alice'), 'bob and carol reacted with 👍');
  assert.equal(reactionLabel(thumbs({ users: ['alice', 'bob'], me: true }), 'alice'), 'You and bob reacted with 👍');
  assert.equal(reactionLabel(thumbs({ count: 5 }), 'alice'), 'bob, carol and 3 others reacted with 👍');
  assert.equal(reactionLabel(thumbs({ count: 3, users: ['bob', 'carol'] }), 'alice'), 'bob, carol and 1 other reacted with 👍');
});

test('clicking a reaction takes mine back or adds it', () => {
  const msg = { id: 7, reactions: [thumbs({ users: ['alice', 'bob'], me: true }), { emoji: '🎉', count: 1, users: ['bob'] }] };
  assert.deepEqual(toggleFrame(msg, '👍', 'alice'), { type: 'react', id: 7, emoji: '👍', on: false });
  assert.deepEqual(toggleFrame(msg, '🎉', 'alice'), { type: 'react', id: 7, emoji: '🎉', on: true });
  assert.deepEqual(toggleFrame({ id: 8 }, '❤️', 'alice'), { type: 'react', id: 8, emoji: '❤️', on: true });
});

test('a quote is the first line, cut at 100 characters like the server does', () => {
  assert.equal(quoteText('Ship it?\nDetails'), 'Ship it?');
  assert.equal(quoteText('é'.repeat(150)), `${'é'.repeat(100)}…`);
  assert.equal(quoteText(`${'x'.repeat(99)} tail`), `${'x'.repeat(99)}…`);
  assert.equal(repliesLabel(1), '1 reply');
  assert.equal(repliesLabel(4), '4 replies');
});

function roomWith(messages) {
  const model = new ChatModel('alice', { now: () => 0 });
  model.apply({ type: 'hello', user: 'alice', seq: 10, protocol: 2, rooms: [{ id: 1, kind: 'open', name: 'general', seq: 1, last_id: 0, marker: 0 }] });
  model.apply({ type: 'history', room: 1, before: null, messages, has_more: false });
  const updates = [];
  model.on('messages', (d) => updates.push(...d.updated.map((m) => m.id)));
  return { model, updates, msg: (id) => model.rooms.get(1).messages.get(id) };
}

const m = (id, over = {}) => ({ id, room: 1, seq: id, user: 'bob', text: `m${id}`, ts: id, edited: false, deleted: false, ...over });

test('the model applies reaction and replies events to the messages it holds, newest seq wins', () => {
  const { model, updates, msg } = roomWith([m(1), m(2)]);
  model.apply({ type: 'reaction', room: 1, id: 1, seq: 20, emoji: '👍', user: 'carol', on: true, count: 1 });
  assert.deepEqual(msg(1).reactions, [{ emoji: '👍', count: 1, users: ['carol'] }]);
  assert.equal(msg(1).seq, 20);
  model.apply({ type: 'replies', room: 1, id: 1, seq: 21, count: 2 });
  assert.equal(msg(1).replies, 2);
  model.apply({ type: 'replies', room: 1, id: 1, seq: 19, count: 1 }); // older than what we hold
  assert.equal(msg(1).replies, 2);
  model.apply({ type: 'reaction', room: 1, id: 99, seq: 30, emoji: '👍', user: 'carol', on: true, count: 1 }); // not held
  assert.deepEqual(updates, [1, 1]);
});

test('a reply\'s quote follows its original\'s edits and deletion', () => {
  const quote = { id: 1, user: 'bob', text: 'm1', deleted: false };
  const { model, msg } = roomWith([m(1), m(2, { user: 'carol', reply_to: quote }), m(3, { reply_to: { ...quote, id: 2 } })]);
  model.apply({ type: 'edited', room: 1, id: 1, seq: 30, text: 'Ship it?\nSoon', mentions: [] });
  assert.deepEqual(msg(2).reply_to, { id: 1, user: 'bob', text: 'Ship it?', deleted: false });
  assert.equal(msg(3).reply_to.text, 'm1'); // quotes another message
  model.apply({ type: 'deleted', room: 1, id: 1, seq: 31 });
  assert.deepEqual(msg(2).reply_to, { id: 1, user: 'bob', text: '', deleted: true });
});
