// Search on the client: snippets drawn as text and <mark> nodes, error texts, and a room's run
// opened around a search result and read forwards to the latest (RoomMessages, ChatModel).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ChatModel } from '../../web/js/model.js';
import { RoomMessages } from '../../web/js/room_messages.js';
import { searchErrorText, snippetNodes } from '../../web/js/search_panel.js';

const m = (id, over = {}) => ({ id, room: 1, seq: id, user: 'bob', text: `m${id}`, ts: id, edited: false, deleted: false, ...over });

// Just enough of a document to see which nodes are made.
const fakeDocument = {
  createTextNode: (text) => ({ kind: 'text', text }),
  createElement: (tag) => ({ kind: tag, textContent: '' }),
};

test('a snippet alternates text and marked words, all as text', () => {
  const nodes = snippetNodes(['say ', '<b>deploy</b>', ' now ', 'again'], fakeDocument);
  assert.deepEqual(nodes, [
    { kind: 'text', text: 'say ' },
    { kind: 'mark', textContent: '<b>deploy</b>' },
    { kind: 'text', text: ' now ' },
    { kind: 'mark', textContent: 'again' },
  ]);
  assert.deepEqual(snippetNodes(undefined, fakeDocument), []);
});

test('errors read as sentences', () => {
  assert.equal(searchErrorText({ code: 'invalid_field', message: 'nothing to search for' }), 'Nothing to search for.');
  assert.equal(searchErrorText({ code: 'not_found', message: 'no room called x' }), 'No room called x.');
  assert.match(searchErrorText({ code: 'rate_limited', message: 'slow down' }), /Too many searches/);
});

test('a page around a message starts a run of its own that is not the latest', () => {
  const r = new RoomMessages();
  r.addPage({ before: null, messages: [m(90), m(91)], has_more: true });
  const added = r.addPage({ around: 40, messages: [m(38), m(39), m(40), m(41)], has_more: true, has_newer: true });
  assert.deepEqual(added.map((x) => x.id), [38, 39, 40, 41]);
  assert.deepEqual([r.ids, r.latest, r.hasOlder], [[38, 39, 40, 41], false, true]);
  // Live messages are not held while the run does not reach the latest: no holes.
  assert.equal(r.upsert(m(92)), 'ignored');
  // Reading forwards until nothing newer exists.
  r.loadingNewer = true;
  r.addPage({ after: 41, messages: [m(42), m(43)], has_more: true });
  assert.deepEqual([r.ids.at(-1), r.latest, r.loadingNewer], [43, false, false]);
  r.addPage({ after: 43, messages: [m(44)], has_more: false });
  assert.equal(r.latest, true);
  assert.equal(r.upsert(m(45)), 'added');
  assert.deepEqual(r.ids, [38, 39, 40, 41, 42, 43, 44, 45]);
});

test('a page around a message already next to the run joins it', () => {
  const r = new RoomMessages();
  r.addPage({ before: null, messages: [m(10), m(11)], has_more: true });
  r.addPage({ around: 9, messages: [m(8), m(9), m(10)], has_more: true, has_newer: true });
  assert.deepEqual([r.ids, r.latest], [[8, 9, 10, 11], true]);
});

test('the model hands search answers on and says which kind of history page came', () => {
  const model = new ChatModel('alice');
  model.apply({ type: 'hello', user: 'alice', seq: 1, rooms: [{ id: 1, kind: 'open', name: 'general', last_id: 0 }] });
  const seen = [];
  model.on('search', ({ event }) => seen.push(['search', event.query]));
  model.on('page', (d) => seen.push(['page', d.older, d.newer, d.around]));
  model.apply({ type: 'search', query: 'deploy', before: null, results: [], has_more: false });
  model.apply({ type: 'history', room: 1, around: 5, messages: [m(5)], has_more: false, has_newer: true });
  model.apply({ type: 'history', room: 1, after: 5, messages: [m(6)], has_more: false });
  assert.deepEqual(seen, [['search', 'deploy'], ['page', false, false, 5], ['page', false, true, null]]);
  assert.equal(model.rooms.get(1).messages.latest, true);
});
