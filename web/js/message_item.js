// One message on screen: an <li> built from a message object. Text from the network only ever
// goes through textContent; its Markdown subset is drawn by message_body.js.
//
// Every message carries Reply and React buttons, and own messages Edit and Delete too: real,
// focusable buttons with labels, shown on hover and whenever focus is inside the message
// (keyboard and screen-reader users reach them with Tab). A failed message carries Retry and
// Remove instead.

import { dayKey, fullTimestamp, timeLabel } from './dates.js';
import { renderMessageBody } from './message_body.js';
import { extraParts, fillExtras } from './message_extras.js';
import { mentionsUser } from './mentions.js';
import { receiptState, receiptView } from './receipts.js';

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(className, text, label) {
  const b = el('button', className, text);
  b.type = 'button';
  if (label) b.setAttribute('aria-label', label);
  return b;
}

// A new <li> for a message (`msg.id` null: one of ours still on its way, `clientId` set).
// `moderator`: an administrator, who may delete anyone's message.
export function createItem(msg, { me, clientId = null, moderator = false }) {
  const li = el('li', 'msg');
  const bubble = el('div', 'msg-bubble');
  const head = el('div', 'msg-head');
  head.append(el('span', 'msg-author'), el('time', 'msg-time'));
  const text = el('div', 'msg-text'); // a div: it holds paragraphs, quotes and code blocks
  const extras = extraParts();
  const foot = el('div', 'msg-foot');
  foot.append(extras.replies, el('span', 'msg-edited', '(edited)'), el('span', 'msg-receipt'));
  bubble.append(head, extras.quote, text, extras.file, extras.reactions, foot);
  li.append(bubble);
  const actions = el('div', 'msg-actions');
  actions.append(button('msg-reply', 'Reply'), button('msg-react', 'React'));
  if (msg.user === me) {
    li.classList.add('own');
    actions.append(button('msg-edit', 'Edit'), button('msg-delete', 'Delete'), button('msg-retry', 'Retry'), button('msg-remove', 'Remove'));
  } else if (moderator) {
    actions.append(button('msg-delete', 'Delete'));
  }
  li.append(actions);
  if (clientId) {
    li.classList.add('pending');
    li.dataset.clientId = clientId;
  }
  fillItem(li, msg, { me, othersRead: 0 });
  return li;
}

// Brings an <li> up to date with its message.
export function fillItem(li, msg, { me, othersRead }) {
  if (msg.id !== null && msg.id !== undefined) li.dataset.id = String(msg.id);
  li.dataset.ts = String(msg.ts);
  li.dataset.day = dayKey(msg.ts);
  li.classList.toggle('deleted', Boolean(msg.deleted));
  li.classList.toggle('edited', Boolean(msg.edited) && !msg.deleted);
  li.classList.toggle('mentions-me', mentionsUser(msg, me));
  li.querySelector('.msg-author').textContent = msg.user;
  const time = li.querySelector('.msg-time');
  time.textContent = timeLabel(msg.ts);
  time.dateTime = new Date(msg.ts).toISOString();
  time.title = fullTimestamp(msg.ts);
  fillBody(li.querySelector('.msg-text'), msg, me);
  fillExtras(li, msg, me);
  const snippet = msg.text.length > 40 ? `${msg.text.slice(0, 40)}…` : msg.text;
  for (const [cls, verb] of [['.msg-reply', 'Reply to'], ['.msg-react', 'React to'], ['.msg-edit', 'Edit'], ['.msg-delete', 'Delete'], ['.msg-retry', 'Retry sending'], ['.msg-remove', 'Remove unsent']]) {
    li.querySelector(cls)?.setAttribute('aria-label', `${verb} message: ${snippet}`);
  }
  if (msg.user === me) fillReceipt(li, msg.id ?? null, othersRead);
}

// What each .msg-text shows, so an update that changes nothing else (a receipt, a re-insert)
// neither parses the text again nor throws away a selection the user made in it.
const shownBodies = new WeakMap();

function fillBody(body, msg, me) {
  // U+0000 cannot be in a message (the server refuses control characters): a safe separator.
  const shown = msg.deleted ? '\u0000deleted' : [msg.text, ...(msg.mentions ?? []), me].join('\u0000');
  if (shownBodies.get(body) === shown) return;
  shownBodies.set(body, shown);
  if (msg.deleted) body.textContent = 'This message was deleted';
  else renderMessageBody(body, msg.text, msg.mentions, me, msg.user === me);
}

export function fillReceipt(li, id, othersRead, seenBy = []) {
  const receipt = li.querySelector('.msg-receipt');
  if (!receipt || li.classList.contains('failed')) return;
  const state = receiptState(id, othersRead);
  const view = receiptView(state, seenBy);
  if (receipt.dataset.state === state && receipt.title === view.label) return;
  receipt.textContent = view.symbol;
  receipt.title = view.label;
  receipt.setAttribute('aria-label', view.label);
  receipt.dataset.state = state;
}

export function markFailed(li, failed, reason = '') {
  li.classList.toggle('failed', failed);
  li.classList.toggle('pending', !failed);
  const receipt = li.querySelector('.msg-receipt');
  if (failed) {
    receipt.textContent = '!';
    receipt.title = `Not sent: ${reason}`;
    receipt.setAttribute('aria-label', receipt.title);
    receipt.dataset.state = 'failed';
  } else {
    delete receipt.dataset.state;
    fillReceipt(li, null, 0);
  }
}
