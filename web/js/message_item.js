// One message on screen: an <li> built from a message object. Text from the network only ever
// goes through textContent; mentions become <span class="mention"> nodes.
//
// Every message carries Reply and React buttons, and own messages Edit and Delete too: real,
// focusable buttons with labels, shown on hover and whenever focus is inside the message
// (keyboard and screen-reader users reach them with Tab). A failed message carries Retry and
// Remove instead.

import { dayKey, fullTimestamp, timeLabel } from './dates.js';
import { extraParts, fillExtras } from './message_extras.js';
import { mentionsUser, textSegments } from './mentions.js';
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

// Fills `p` with the text, mentions as spans (those that reach `me` marked, unless `own`).
export function renderText(p, text, mentions, me, own = false) {
  const nodes = textSegments(text, mentions).map((part) => {
    if (!part.mention) return document.createTextNode(part.text);
    const span = el('span', 'mention', part.text);
    if (!own && (part.mention === 'here' || part.mention === me.toLowerCase())) span.classList.add('mention-me');
    return span;
  });
  p.replaceChildren(...nodes);
}

// A new <li> for a message (`msg.id` null: one of ours still on its way, `clientId` set).
export function createItem(msg, { me, clientId = null }) {
  const li = el('li', 'msg');
  const bubble = el('div', 'msg-bubble');
  const head = el('div', 'msg-head');
  head.append(el('span', 'msg-author'), el('time', 'msg-time'));
  const text = el('p', 'msg-text');
  const extras = extraParts();
  const foot = el('div', 'msg-foot');
  foot.append(extras.replies, el('span', 'msg-edited', '(edited)'), el('span', 'msg-receipt'));
  bubble.append(head, extras.quote, text, extras.reactions, foot);
  li.append(bubble);
  const actions = el('div', 'msg-actions');
  actions.append(button('msg-reply', 'Reply'), button('msg-react', 'React'));
  if (msg.user === me) {
    li.classList.add('own');
    actions.append(button('msg-edit', 'Edit'), button('msg-delete', 'Delete'), button('msg-retry', 'Retry'), button('msg-remove', 'Remove'));
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
  const text = li.querySelector('.msg-text');
  if (msg.deleted) text.textContent = 'This message was deleted';
  else renderText(text, msg.text, msg.mentions, me, msg.user === me);
  fillExtras(li, msg, me);
  const snippet = msg.text.length > 40 ? `${msg.text.slice(0, 40)}…` : msg.text;
  for (const [cls, verb] of [['.msg-reply', 'Reply to'], ['.msg-react', 'React to'], ['.msg-edit', 'Edit'], ['.msg-delete', 'Delete'], ['.msg-retry', 'Retry sending'], ['.msg-remove', 'Remove unsent']]) {
    li.querySelector(cls)?.setAttribute('aria-label', `${verb} message: ${snippet}`);
  }
  if (msg.user === me) fillReceipt(li, msg.id ?? null, othersRead);
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
