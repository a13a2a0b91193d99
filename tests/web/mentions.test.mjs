// Mentions: which @names are drawn as mentions, whose messages highlight, and autocomplete.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { completeMention, mentionQuery, mentionsUser, textSegments } from '../../web/js/mentions.js';

test('only the names the server counted become mention parts, in place, regardless of case', () => {
  assert.deepEqual(textSegments('hi @Bob and @carol', ['bob']), [
    { text: 'hi ' },
    { text: '@Bob', mention: 'bob' },
    { text: ' and @carol' },
  ]);
  assert.deepEqual(textSegments('no mentions', []), [{ text: 'no mentions' }]);
  assert.deepEqual(textSegments('', ['bob']), [{ text: '' }]);
});

test('a sentence ending after a name still mentions it; an address inside a word does not', () => {
  assert.deepEqual(textSegments('thanks @bob.', ['bob']), [{ text: 'thanks ' }, { text: '@bob', mention: 'bob' }, { text: '.' }]);
  assert.deepEqual(textSegments('mail me@bob.org', ['bob']), [{ text: 'mail me@bob.org' }]);
  assert.deepEqual(textSegments('@here, lunch', ['here']), [{ text: '@here', mention: 'here' }, { text: ', lunch' }]);
  assert.deepEqual(textSegments('@bob.smith hi', ['bob.smith']), [{ text: '@bob.smith', mention: 'bob.smith' }, { text: ' hi' }]);
});

test('a message mentions me by name or @here, never my own and never a deleted one', () => {
  assert.equal(mentionsUser({ user: 'bob', mentions: ['alice'] }, 'Alice'), true);
  assert.equal(mentionsUser({ user: 'bob', mentions: ['here'] }, 'alice'), true);
  assert.equal(mentionsUser({ user: 'bob', mentions: ['carol'] }, 'alice'), false);
  assert.equal(mentionsUser({ user: 'bob' }, 'alice'), false);
  assert.equal(mentionsUser({ user: 'alice', mentions: ['here'] }, 'alice'), false);
  assert.equal(mentionsUser({ user: 'bob', deleted: true, mentions: ['alice'] }, 'alice'), false);
});

test('autocomplete finds the @prefix before the caret and replaces it with the name', () => {
  assert.deepEqual(mentionQuery('hi @bo', 6), { start: 3, prefix: 'bo' });
  assert.deepEqual(mentionQuery('@', 1), { start: 0, prefix: '' });
  assert.equal(mentionQuery('mail me@bo', 10), null);
  assert.equal(mentionQuery('hi bob', 6), null);
  assert.deepEqual(mentionQuery('@bob hi', 3), { start: 0, prefix: 'bo' });
  assert.deepEqual(completeMention('hi @bo', 3, 6, 'bob'), { text: 'hi @bob ', caret: 8 });
  assert.deepEqual(completeMention('@bo there', 0, 3, 'bob'), { text: '@bob there', caret: 5 });
});
