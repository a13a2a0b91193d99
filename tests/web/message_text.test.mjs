import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cleanMessageText } from '../../web/js/message_text.js';

// Every character the server refuses in message text: Unicode category Cc bar \n and \t.
function refusedByTheServer() {
  const out = [];
  for (let c = 0; c <= 0x9f; c += 1) {
    if ((c < 0x20 || c >= 0x7f) && c !== 0x0a && c !== 0x09) out.push(String.fromCharCode(c));
  }
  return out;
}

test('pasted control characters are dropped, newline and tab kept', () => {
  assert.equal(cleanMessageText('a\u0000b\u0007c\u001bd\u007fe\u0085f\u009fg'), 'abcdefg');
  assert.equal(cleanMessageText('tab\there\nnext line'), 'tab\there\nnext line');
  assert.equal(cleanMessageText('form\ffeed and vertical\vtab'), 'formfeed and verticaltab');
  assert.equal(cleanMessageText('\u001b[31mred\u001b[0m'), '[31mred[0m');
});

test('nothing the server refuses is left', () => {
  const all = refusedByTheServer().join('x');
  const cleaned = cleanMessageText(`start ${all} end`);
  for (const c of refusedByTheServer()) {
    assert.ok(!cleaned.includes(c), `U+${c.charCodeAt(0).toString(16).padStart(4, '0')} left in`);
  }
  assert.ok(cleaned.startsWith('start') && cleaned.endsWith('end'));
});

test('Windows and old Mac line breaks become newlines', () => {
  assert.equal(cleanMessageText('one\r\ntwo\rthree\n\r\nfour'), 'one\ntwo\nthree\n\nfour');
});

test('surrounding whitespace is trimmed, also what stripping controls uncovers', () => {
  assert.equal(cleanMessageText('  hi  '), 'hi');
  assert.equal(cleanMessageText('\u0001 \r\n hi \u0002\n'), 'hi');
  assert.equal(cleanMessageText('\u0000\u0001'), '');
});

test('ordinary text is left as typed', () => {
  for (const text of ['héllo 😀', 'a  b', 'no\u00a0break', 'zero\u200bwidth', '<b>not html</b>']) {
    assert.equal(cleanMessageText(text), text);
  }
});
