// The line above the open room's messages (web/js/room_status.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { roomStatusText } from '../../web/js/room_status.js';

const room = (over = {}) => ({ latest: true, hasOlder: false, loadingOlder: false, loadingNewer: false, ...over });

test('a room not known yet, or opened in the middle with nothing drawn, is loading', () => {
  assert.equal(roomStatusText(null, -1, 0), 'Loading…');
  assert.equal(roomStatusText(room({ latest: false }), -1, 0), 'Loading…');
});

test('a page on its way is said, older before newer', () => {
  assert.equal(roomStatusText(room({ hasOlder: true, loadingOlder: true }), 5, 40), 'Loading older messages…');
  assert.equal(roomStatusText(room({ latest: false, loadingNewer: true }), 5, 40), 'Loading newer messages…');
});

test('the start of the conversation only when its first message is on screen', () => {
  assert.equal(roomStatusText(room(), 0, 3), 'This is the beginning of the conversation.');
  assert.equal(roomStatusText(room(), -1, 0), 'This is the beginning of the conversation.'); // an empty room
  assert.equal(roomStatusText(room(), 4, 3), '');
  assert.equal(roomStatusText(room({ hasOlder: true }), 0, 3), '');
  // Opened around a search result: the start may be on screen while the latest is not held.
  assert.equal(roomStatusText(room({ latest: false }), 0, 3), '');
});
