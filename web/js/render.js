// The message list in the DOM. Text from the network only ever goes through textContent.
//
// Items are <li> children of one <ol>: messages (confirmed ones ordered by id, our pending ones
// last), system lines ("bob joined") and day separators, which are recomputed from the items'
// timestamps after each batch of changes.

import { dayKey, dayLabel, fullTimestamp, timeLabel } from './dates.js';
import { receiptState, receiptView } from './receipts.js';

const LONG_PRESS_MS = 500;
const MOVE_TOLERANCE_PX = 10;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Index of the first element of sorted `ids` that is greater than `id`.
function upperBound(ids, id) {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MessageList {
  #list;
  #me;
  #onAction;
  #onAdded;
  #byId = new Map(); // id -> { li, msg }
  #ids = []; // confirmed ids, ascending
  #pending = new Map(); // client_id -> li
  #markers = null; // ReadMarkers, for the receipt marks on our messages
  #separatorsDirty = false;
  #listeners = new AbortController();

  // markers: the ReadMarkers behind the receipt marks (call updateReceipts() when they move).
  // onAction(kind, id): 'edit' | 'delete' chosen from a message's menu.
  // onAdded(li, msg): a message element entered the list (to observe its visibility).
  constructor(list, { me, markers, onAction = () => {}, onAdded = () => {} }) {
    this.#list = list;
    this.#me = me;
    this.#markers = markers;
    this.#onAction = onAction;
    this.#onAdded = onAdded;
    // Long press on touch screens opens a message's menu; a tap elsewhere closes it. A finger
    // that moves more than a few pixels is scrolling, not pressing.
    const options = { signal: this.#listeners.signal };
    let press = null; // { timer, x, y }
    const cancel = () => {
      if (press) clearTimeout(press.timer);
      press = null;
    };
    list.addEventListener(
      'pointerdown',
      (e) => {
        this.#closeMenus(e.target.closest('.msg'));
        const li = e.target.closest('.msg.own:not(.deleted):not(.pending)');
        cancel();
        if (!li || e.pointerType === 'mouse') return;
        press = { timer: setTimeout(() => li.classList.add('show-actions'), LONG_PRESS_MS), x: e.clientX, y: e.clientY };
      },
      options,
    );
    list.addEventListener('pointerup', cancel, options);
    list.addEventListener('pointercancel', cancel, options);
    list.addEventListener(
      'pointermove',
      (e) => {
        if (press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > MOVE_TOLERANCE_PX) cancel();
      },
      options,
    );
    list.addEventListener(
      'contextmenu',
      (e) => {
        const li = e.target.closest('.msg.own:not(.deleted):not(.pending)');
        if (li && (press || li.classList.contains('show-actions'))) e.preventDefault();
      },
      options,
    );
  }

  // Removes the list's listeners and items (logout).
  destroy() {
    this.#listeners.abort();
    this.clear();
  }

  get oldestId() {
    return this.#ids.length ? this.#ids[0] : null;
  }

  message(id) {
    return this.#byId.get(id)?.msg ?? null;
  }

  // The newest of our messages that can still be edited (for Up in an empty composer).
  lastEditableOwn() {
    for (let i = this.#ids.length - 1; i >= 0; i -= 1) {
      const { msg } = this.#byId.get(this.#ids[i]);
      if (msg.user === this.#me && !msg.deleted) return msg;
    }
    return null;
  }

  clear() {
    this.#list.replaceChildren();
    this.#byId.clear();
    this.#ids = [];
    this.#pending.clear();
  }

  // A full message object (message, history, sync). Returns 'added', 'updated' or 'stale'.
  upsert(msg) {
    const existing = this.#byId.get(msg.id);
    if (existing) {
      if (typeof existing.msg.seq === 'number' && typeof msg.seq === 'number' && msg.seq < existing.msg.seq) {
        return 'stale';
      }
      existing.msg = { ...msg };
      this.#fill(existing.li, existing.msg);
      return 'updated';
    }
    const li = this.#create(msg);
    this.#insertById(li, msg.id);
    this.#byId.set(msg.id, { li, msg: { ...msg } });
    this.#dirty();
    this.#onAdded(li, msg);
    return 'added';
  }

  // An `edited` event; ignored when we have not loaded that message.
  applyEdit({ id, seq, text }) {
    const entry = this.#byId.get(id);
    if (!entry || (typeof seq === 'number' && seq < (entry.msg.seq ?? 0))) return false;
    Object.assign(entry.msg, { text, seq, edited: true });
    this.#fill(entry.li, entry.msg);
    return true;
  }

  applyDelete({ id, seq }) {
    const entry = this.#byId.get(id);
    if (!entry || (typeof seq === 'number' && seq < (entry.msg.seq ?? 0))) return false;
    Object.assign(entry.msg, { text: '', seq, deleted: true });
    this.#fill(entry.li, entry.msg);
    return true;
  }

  // One of our messages on its way: shown at the bottom with the pending mark.
  addPending(clientId, text, ts) {
    const msg = { id: null, user: this.#me, text, ts, edited: false, deleted: false };
    const li = this.#create(msg);
    li.classList.add('pending');
    li.dataset.clientId = clientId;
    this.#list.append(li);
    this.#pending.set(clientId, li);
    this.#dirty();
    return li;
  }

  // Its `ack`: the pending item becomes message `id`. When `id` is already shown (the sync or
  // history of a reconnect got there first) the pending copy just goes away.
  confirm(clientId, id, ts) {
    const li = this.#pending.get(clientId);
    if (!li) return;
    this.#pending.delete(clientId);
    if (this.#byId.has(id)) {
      li.remove();
      this.#dirty();
      return;
    }
    const text = li.querySelector('.msg-text').textContent;
    const msg = { id, seq: 0, user: this.#me, text, ts, edited: false, deleted: false };
    li.classList.remove('pending');
    delete li.dataset.clientId;
    this.#insertById(li, id);
    this.#byId.set(id, { li, msg });
    this.#fill(li, msg);
    this.#dirty();
    this.#onAdded(li, msg);
  }

  fail(clientId, reason) {
    const li = this.#pending.get(clientId);
    if (!li) return;
    this.#pending.delete(clientId);
    li.classList.remove('pending');
    li.classList.add('failed');
    const receipt = li.querySelector('.msg-receipt');
    receipt.textContent = '!';
    receipt.title = `Not sent: ${reason}`;
    receipt.setAttribute('aria-label', receipt.title);
  }

  // "bob joined": placed at the end (before our pending messages), with the time it happened.
  addSystem(text, ts = Date.now()) {
    const li = el('li', 'system', text);
    li.dataset.ts = String(ts);
    const firstPending = this.#pending.values().next().value;
    this.#list.insertBefore(li, firstPending ?? null);
    this.#dirty();
    return li;
  }

  // Redraws the receipt marks of our confirmed messages after the read markers moved.
  updateReceipts() {
    for (const { li, msg } of this.#byId.values()) {
      if (msg.user === this.#me) this.#fillReceipt(li, msg);
    }
  }

  #create(msg) {
    const li = el('li', 'msg');
    const bubble = el('div', 'msg-bubble');
    const head = el('div', 'msg-head');
    head.append(el('span', 'msg-author'), el('time', 'msg-time'));
    const text = el('p', 'msg-text');
    const foot = el('div', 'msg-foot');
    foot.append(el('span', 'msg-edited', '(edited)'), el('span', 'msg-receipt'));
    bubble.append(head, text, foot);
    li.append(bubble);
    if (msg.user === this.#me) {
      li.classList.add('own');
      const actions = el('div', 'msg-actions');
      const edit = el('button', 'msg-edit', 'Edit');
      const del = el('button', 'msg-delete', 'Delete');
      edit.type = 'button';
      del.type = 'button';
      edit.addEventListener('click', () => this.#act('edit', li));
      del.addEventListener('click', () => this.#act('delete', li));
      actions.append(edit, del);
      li.append(actions);
    }
    this.#fill(li, msg);
    return li;
  }

  #act(kind, li) {
    li.classList.remove('show-actions');
    const id = Number(li.dataset.id);
    if (Number.isInteger(id) && id > 0) this.#onAction(kind, id);
  }

  #closeMenus(except) {
    for (const open of this.#list.querySelectorAll('.msg.show-actions')) {
      if (open !== except) open.classList.remove('show-actions');
    }
  }

  #fill(li, msg) {
    if (msg.id !== null) li.dataset.id = String(msg.id);
    li.dataset.ts = String(msg.ts);
    li.classList.toggle('deleted', Boolean(msg.deleted));
    li.classList.toggle('edited', Boolean(msg.edited) && !msg.deleted);
    li.querySelector('.msg-author').textContent = msg.user;
    const time = li.querySelector('.msg-time');
    time.textContent = timeLabel(msg.ts);
    time.dateTime = new Date(msg.ts).toISOString();
    time.title = fullTimestamp(msg.ts);
    li.querySelector('.msg-text').textContent = msg.deleted ? 'This message was deleted' : msg.text;
    for (const button of li.querySelectorAll('.msg-actions button')) {
      const label = button.classList.contains('msg-edit') ? 'Edit' : 'Delete';
      button.setAttribute('aria-label', `${label} message: ${msg.text.slice(0, 40)}`);
      button.disabled = Boolean(msg.deleted);
    }
    if (msg.user === this.#me) this.#fillReceipt(li, msg);
  }

  #fillReceipt(li, msg) {
    const markers = this.#markers;
    const receipt = li.querySelector('.msg-receipt');
    if (!receipt || li.classList.contains('failed')) return;
    const seenBy = msg.id !== null && markers ? markers.seenBy(msg.id, this.#me) : [];
    const state = receiptState(msg.id, seenBy);
    const view = receiptView(state, seenBy);
    receipt.textContent = view.symbol;
    receipt.title = view.label;
    receipt.setAttribute('aria-label', view.label);
    receipt.dataset.state = state;
  }

  #insertById(li, id) {
    const at = upperBound(this.#ids, id);
    const before = at < this.#ids.length ? this.#byId.get(this.#ids[at]).li : (this.#pending.values().next().value ?? null);
    this.#ids.splice(at, 0, id);
    this.#list.insertBefore(li, before);
  }

  #dirty() {
    if (this.#separatorsDirty) return;
    this.#separatorsDirty = true;
    queueMicrotask(() => this.flush());
  }

  // Brings the day separators up to date now (before measuring heights for scrolling).
  flush() {
    if (!this.#separatorsDirty) return;
    this.#separatorsDirty = false;
    this.refreshSeparators();
  }

  // Puts a day separator before the first item of every local day, reusing the ones in place.
  refreshSeparators(now = Date.now()) {
    for (const sep of [...this.#list.querySelectorAll(':scope > .day')]) {
      const next = sep.nextElementSibling;
      if (!next || next.classList.contains('day')) sep.remove();
    }
    let previousKey = null;
    for (const item of [...this.#list.children]) {
      if (item.classList.contains('day')) continue;
      const ts = Number(item.dataset.ts);
      const key = dayKey(ts);
      const prev = item.previousElementSibling;
      const prevIsSep = prev !== null && prev.classList.contains('day');
      if (key === previousKey) {
        if (prevIsSep) prev.remove();
        continue;
      }
      previousKey = key;
      const sep = prevIsSep ? prev : el('li', 'day');
      if (!prevIsSep) this.#list.insertBefore(sep, item);
      const label = dayLabel(ts, now);
      if (sep.textContent !== label) sep.textContent = label;
      sep.dataset.day = key;
    }
  }
}
