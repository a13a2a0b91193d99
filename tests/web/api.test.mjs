import assert from 'node:assert/strict';
import { test } from 'node:test';

import { errorMessage, validateCredentials } from '../../web/js/api.js';

test('usernames follow the server rule: 1-32 of [A-Za-z0-9_.-]', () => {
  assert.equal(validateCredentials('alice', 'password1'), null);
  assert.equal(validateCredentials('A.b_c-9', 'password1'), null);
  assert.equal(validateCredentials('x'.repeat(32), 'password1'), null);
  assert.match(validateCredentials('', 'password1'), /1–32/);
  assert.match(validateCredentials('x'.repeat(33), 'password1'), /1–32/);
  assert.match(validateCredentials('bad name', 'password1'), /1–32/);
  assert.match(validateCredentials('émile', 'password1'), /1–32/);
});

test('passwords are 8-128 bytes (UTF-8), not characters', () => {
  assert.match(validateCredentials('alice', 'short'), /at least 8/);
  assert.equal(validateCredentials('alice', '12345678'), null);
  assert.equal(validateCredentials('alice', 'x'.repeat(128)), null);
  assert.match(validateCredentials('alice', 'x'.repeat(129)), /128/);
  assert.match(validateCredentials('alice', 'é'.repeat(65)), /128/, '65 two-byte characters are 130 bytes');
});

test('every server error code has a clear sentence', () => {
  assert.match(errorMessage({ code: 'invalid_credentials', status: 401 }), /Wrong password/);
  assert.match(errorMessage({ code: 'network', status: 0 }), /Cannot reach the server/);
  assert.match(errorMessage({ code: 'busy', status: 503 }), /busy/);
  assert.match(errorMessage({ code: 'rate_limited', status: 429 }), /Too many attempts/);
  assert.match(errorMessage({ code: 'invalid_username', status: 400 }), /1–32/);
  assert.equal(errorMessage({ code: 'other', status: 418, message: 'teapot' }), 'teapot');
  assert.match(errorMessage({ code: 'other', status: 418 }), /418/);
});
