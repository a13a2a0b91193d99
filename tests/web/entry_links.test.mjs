import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loginIntro, parseEntryLink } from '../../web/js/entry_links.js';

const code = 'A'.repeat(40) + '_-9';

test('invitation and reset links are told apart by their fragment', () => {
  assert.deepEqual(parseEntryLink(`#invite=${code}`), { invite: code });
  assert.deepEqual(parseEntryLink(`#reset=${code}`), { reset: code });
  assert.equal(parseEntryLink('#/room/3'), null);
  assert.equal(parseEntryLink(`#invite=${code}x`), null);
  assert.equal(parseEntryLink('#invite=short'), null);
  assert.equal(parseEntryLink(''), null);
  assert.equal(parseEntryLink(undefined), null);
});

test('the login screen says what a visitor can do', () => {
  assert.match(loginIntro('open'), /create an account/);
  assert.match(loginIntro('invitation'), /need an invitation/);
  assert.match(loginIntro('closed'), /does not take new accounts/);
  assert.match(loginIntro('invitation', 'valid'), /You have been invited/);
  assert.match(loginIntro('invitation', 'used_up'), /used up/);
  assert.match(loginIntro('open', 'expired'), /expired/);
  assert.match(loginIntro('closed', 'unknown'), /not valid/);
});
