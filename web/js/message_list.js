// The items of the open room's message list: one <li> per message drawn, in id order, then ours
// still on their way (pending or failed), with a day separator wherever a day starts. Which
// messages are drawn is room_view.js's choice; this keeps the DOM, the lookups by id and by
// client_id, and the ids of our own messages (whose receipts change as others read) in step.

import { removeMessage, separatorOf, syncSeparator } from './day_separators.js';
import { createItem, fillItem, fillReceipt, markFailed } from './message_item.js';
import { receiptChanges } from './receipts.js';

export class MessageList {
  #list;
  #seen;
  #items = new Map(); // id -> li (rendered confirmed messages)
  #pending = new Map(); // client_id -> li
  #ownIds = []; // rendered own confirmed ids, ascending

  // list: the <ol> of messages; seen: the SeenTracker (seen_tracker.js) others' messages are
  // handed to as they come and go.
  constructor(list, seen) {
    this.#list = list;
    this.#seen = seen;
  }

  // Confirmed messages drawn (pending ones do not count).
  get size() {
    return this.#items.size;
  }

  get(id) {
    return this.#items.get(id);
  }

  has(id) {
    return this.#items.has(id);
  }

  pendingItem(clientId) {
    return this.#pending.get(clientId);
  }

  clear() {
    this.#items.clear();
    this.#pending.clear();
    this.#ownIds = [];
    this.#list.replaceChildren();
  }

  // Inserts a confirmed message at its place by id (before `before`, or found by search).
  insert(msg, before, { me, moderator = false, othersRead, firstUnreadId }) {
    if (!msg || this.#items.has(msg.id)) return null;
    const li = createItem(msg, { me, moderator });
    fillItem(li, msg, { me, othersRead });
    const next = before === null ? this.#nextItemFor(msg.id) : before;
    this.#list.insertBefore(li, separatorOf(next) ?? next);
    this.#items.set(msg.id, li);
    if (li.classList.contains('own')) this.#ownIds.splice(lowerBound(this.#ownIds, msg.id), 0, msg.id);
    else this.#seen.observe(li);
    if (msg.id === firstUnreadId) li.classList.add('first-unread');
    syncSeparator(li);
    if (next) syncSeparator(next);
    return li;
  }

  addPending(p, me) {
    const li = createItem({ id: null, user: me, text: p.text, ts: p.ts, edited: false, deleted: false, file: p.file ?? undefined }, { me, clientId: p.clientId });
    if (p.failed) markFailed(li, true, p.reason);
    this.#list.append(li);
    this.#pending.set(p.clientId, li);
    syncSeparator(li);
    return li;
  }

  removePending(clientId) {
    const li = this.#pending.get(clientId);
    if (!li) return;
    this.#pending.delete(clientId);
    this.#remove(li);
  }

  firstId() {
    const first = this.#list.querySelector(':scope > .msg[data-id]');
    return first ? Number(first.dataset.id) : null;
  }

  lastId() {
    let last = null;
    for (const li of this.#list.querySelectorAll(':scope > .msg[data-id]:not(.pending):not(.failed)')) last = li;
    return last ? Number(last.dataset.id) : null;
  }

  // The lowest id drawn above `marker` that someone else wrote, or null.
  firstFromOthersAfter(marker) {
    let first = null;
    for (const [id, li] of this.#items) {
      if (id > marker && !li.classList.contains('own')) {
        if (first === null || id < first) first = id;
      }
    }
    return first;
  }

  // Drops the confirmed items beyond `max` at one end ('top' or 'bottom'); returns whether any
  // were dropped.
  trim(end, max) {
    const extra = this.#items.size - max;
    if (extra <= 0) return false;
    const items = [...this.#list.querySelectorAll(':scope > .msg[data-id]:not(.pending):not(.failed)')];
    const gone = end === 'top' ? items.slice(0, extra) : items.slice(-extra);
    for (const li of gone) this.#remove(li);
    return true;
  }

  // The room's others_read moved from `from` to `to`: only our messages between the two change
  // their mark, so only those are redrawn.
  updateReceipts(from, to) {
    for (const id of receiptChanges(this.#ownIds, from, to)) fillReceipt(this.#items.get(id), id, to);
  }

  // The rendered item that should follow a message with this id: the first with a greater id,
  // else the first pending one, else null (the end).
  #nextItemFor(id) {
    let best = null;
    const last = this.lastId();
    if (last !== null && id > last) return this.#pending.values().next().value ?? null;
    for (const [other, li] of this.#items) if (other > id && (best === null || other < best[0])) best = [other, li];
    return best ? best[1] : (this.#pending.values().next().value ?? null);
  }

  #remove(li) {
    removeMessage(li);
    this.#seen.forget(li);
    const id = Number(li.dataset.id);
    this.#items.delete(id);
    const at = this.#ownIds.indexOf(id);
    if (at >= 0) this.#ownIds.splice(at, 1);
  }
}

// Where `id` goes in the ascending `arr`.
function lowerBound(arr, id) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
