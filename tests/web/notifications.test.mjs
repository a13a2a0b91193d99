// What notifies, and the title and favicon for an unread count.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { faviconFor, notificationText, shouldNotify, titleFor } from '../../web/js/notifications.js';

const room = (notify, kind = 'open') => ({ id: 3, kind, name: 'projects', members: kind === 'dm' ? ['alice', 'bob'] : null, notify });
const msg = (over = {}) => ({ id: 1, user: 'bob', text: 'hi', deleted: false, ...over });

test('levels: all notifies every message, mentions only mentions (and @here), none nothing', () => {
  assert.equal(shouldNotify(room('all'), msg(), 'alice', false), true);
  assert.equal(shouldNotify(room('mentions'), msg(), 'alice', false), false);
  assert.equal(shouldNotify(room('mentions'), msg({ mentions: ['alice'] }), 'alice', false), true);
  assert.equal(shouldNotify(room('mentions'), msg({ mentions: ['here'] }), 'alice', false), true);
  assert.equal(shouldNotify(room('none'), msg({ mentions: ['alice'] }), 'alice', false), false);
});

test('never while the user is looking, never for our own or deleted messages', () => {
  assert.equal(shouldNotify(room('all'), msg(), 'alice', true), false);
  assert.equal(shouldNotify(room('all'), msg({ user: 'alice' }), 'alice', false), false);
  assert.equal(shouldNotify(room('all'), msg({ deleted: true }), 'alice', false), false);
});

test('the notification names the sender, and the room unless it is a DM', () => {
  assert.deepEqual(notificationText(room('all'), msg(), 'alice'), { title: 'bob in #projects', body: 'hi' });
  assert.deepEqual(notificationText(room('all', 'dm'), msg(), 'alice'), { title: 'bob', body: 'hi' });
  assert.equal(notificationText(room('all'), msg({ text: 'x'.repeat(500) }), 'alice').body.length, 201);
  assert.equal(notificationText(room('all'), msg({ text: '', file: { id: 1, name: 'plan.pdf' } }), 'alice').body, '📎 plan.pdf');
});

test('title and favicon carry the count', () => {
  assert.equal(titleFor(0), 'Chatterbox');
  assert.equal(titleFor(3), '(3) Chatterbox');
  assert.equal(titleFor(150), '(99+) Chatterbox');
  assert.equal(faviconFor(0), '/favicon.svg');
  assert.equal(faviconFor(4), '/favicon-4.svg');
  assert.equal(faviconFor(12), '/favicon-9plus.svg');
});
