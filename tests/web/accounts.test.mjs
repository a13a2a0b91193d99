import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeBrowser } from '../../web/js/account_dialog.js';
import { invitationLink, invitationState, resetLink } from '../../web/js/admin_page.js';

test('an invitation is active until revoked, expired or used up', () => {
  const now = 1_000_000;
  const base = { revoked: false, expires_at: now + 1, max_uses: 2, uses: 1 };
  assert.equal(invitationState(base, now), 'active');
  assert.equal(invitationState({ ...base, uses: 2 }, now), 'used up');
  assert.equal(invitationState({ ...base, max_uses: null, uses: 99 }, now), 'active');
  assert.equal(invitationState({ ...base, expires_at: now }, now), 'expired');
  assert.equal(invitationState({ ...base, revoked: true, uses: 2 }, now), 'revoked');
});

test('links carry their code in the fragment', () => {
  assert.equal(invitationLink('abc', 'https://chat.example'), 'https://chat.example/#invite=abc');
  assert.equal(resetLink('abc', 'http://localhost:8080'), 'http://localhost:8080/#reset=abc');
});

test('a session is named by its browser and system', () => {
  assert.equal(describeBrowser('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'), 'Firefox on Linux');
  assert.equal(describeBrowser('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0'), 'Edge on Windows');
  assert.equal(describeBrowser('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1'), 'Safari on iPhone');
  assert.equal(describeBrowser('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/131.0 Safari/537.36'), 'Chrome on macOS');
  assert.equal(describeBrowser('curl/8.0'), 'curl/8.0');
  assert.equal(describeBrowser(''), 'Unknown browser');
});
