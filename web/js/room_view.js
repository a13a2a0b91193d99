// The open room's messages on screen, drawn from the model (model.js): a window of at most
// MAX_ITEMS messages of the run the model holds. Scrolling up draws older ones from the model
// (or asks the server for a page when it has no more) and drops the far end; scrolling down
// brings newer ones back. Day separators, the "new messages" divider at the read marker the room
// had when it was entered, the jump-to-latest button with its count, receipts (○/●) and what we
// have seen all live here. Every change touches only the items it concerns.

import { refreshDayLabels, removeMessage, separatorOf, syncSeparator } from './day_separators.js';
import { attachMessageActions } from './message_actions.js';
import { createItem, fillItem, fillReceipt, markFailed } from './message_item.js';
import { receiptChanges } from './receipts.js';
import { SeenTracker } from './seen_tracker.js';

export const MAX_ITEMS = 300;
export const PAGE = 50;
const NEAR_TOP_PX = 150;
const NEAR_BOTTOM_PX = 48;

export class RoomView {
  #ui;
  #model;
  #cb;
  #room = null;
  #items = new Map(); // id -> li (rendered confirmed messages)
  #pending = new Map(); // client_id -> li
  #ownIds = []; // rendered own confirmed ids, ascending
  #attached = true; // the window reaches the newest message the model holds
  #pinned = true; // the view follows the bottom
  #newCount = 0;
  #entryMarker = 0;
  #dividerId = null;
  #seen;
  #resizes;
  #listeners = new AbortController();

  // ui: { scroller, list, status, jump }; callbacks: needOlder(room, before), seen(room, id),
  // action(kind, room, idOrClientId), seenBy(room, id).
  constructor(ui, model, callbacks) {
    this.#ui = ui;
    this.#model = model;
    this.#cb = callbacks;
    this.#seen = new SeenTracker(ui.scroller, (id) => this.#room !== null && this.#cb.seen(this.#room, id));
    this.#resizes = new ResizeObserver(() => {
      if (this.#pinned && this.#attached) this.scrollToBottom();
    });
    this.#resizes.observe(ui.scroller);
    this.#resizes.observe(ui.list);
    const opts = { signal: this.#listeners.signal };
    ui.scroller.addEventListener('scroll', () => this.#onScroll(), { ...opts, passive: true });
    ui.jump.addEventListener('click', () => this.jumpToLatest(), opts);
    attachMessageActions(ui.list, {
      onAction: (kind, ref) => this.#cb.action(kind, this.#room, ref),
      onSeenBy: (id) => this.#cb.seenBy(this.#room, id),
    }, this.#listeners.signal);
    const offs = [
      model.on('messages', (d) => d.room === this.#room && this.#onMessages(d)),
      model.on('page', (d) => d.room === this.#room && this.#onPage(d)),
      model.on('receipts', (d) => d.room === this.#room && this.#onReceipts(d)),
      model.on('pending', (d) => d.room === this.#room && this.#onPending(d)),
      model.on('ack', (d) => d.room === this.#room && this.#onAck(d)),
      model.on('seen_by', (d) => d.room === this.#room && this.#onSeenBy(d)),
    ];
    this.#listeners.signal.addEventListener('abort', () => offs.forEach((off) => off()));
    this.clock = setInterval(() => this.refreshDayLabels(), 60_000);
  }

  get room() {
    return this.#room;
  }

  get itemCount() {
    return this.#items.size;
  }

  destroy() {
    this.#listeners.abort();
    this.#seen.clear();
    this.#resizes.disconnect();
    clearInterval(this.clock);
    this.#clear();
  }

  // Shows a room (from the model; the caller asks the server for its latest page when needed).
  show(roomId) {
    this.#clear();
    this.#room = roomId;
    const room = this.#model.rooms.get(roomId);
    this.#entryMarker = room?.marker ?? 0;
    this.#dividerId = null;
    this.#renderLatest();
  }

  #messages() {
    return this.#model.rooms.get(this.#room)?.messages ?? null;
  }

  #clear() {
    this.#seen.clear();
    this.#items.clear();
    this.#pending.clear();
    this.#ownIds = [];
    this.#ui.list.replaceChildren();
    this.#attached = true;
    this.#newCount = 0;
    this.#ui.jump.hidden = true;
  }

  #renderLatest() {
    const messages = this.#messages();
    this.#clear();
    if (!messages) return;
    const ids = messages.ids.slice(-PAGE * 2);
    for (const id of ids) this.#insert(messages.get(id), null);
    for (const p of messages.pending.values()) this.#addPending(p);
    this.#placeDivider();
    this.#status();
    this.#scrollOnEntry();
  }

  #scrollOnEntry() {
    const divider = this.#dividerId !== null ? this.#items.get(this.#dividerId) : null;
    if (divider) {
      divider.scrollIntoView({ block: 'center' });
      this.#pinned = this.#atBottom();
    } else this.scrollToBottom();
    this.#fillScreen();
    // Shown from the top (the divider is the first message): no scroll up can follow there, so
    // the page before is fetched now.
    if (this.#ui.scroller.scrollTop < NEAR_TOP_PX) queueMicrotask(() => this.#extendUp());
  }

  #placeDivider() {
    if (this.#dividerId !== null) return;
    const me = this.#model.me;
    for (const [id, li] of this.#items) {
      if (id > this.#entryMarker && !li.classList.contains('own')) {
        if (this.#dividerId === null || id < this.#dividerId) this.#dividerId = id;
      }
    }
    const li = this.#dividerId !== null ? this.#items.get(this.#dividerId) : null;
    if (li && me) li.classList.add('first-unread');
  }

  // ------------------------------------------------------------ items and separators

  // Inserts a confirmed message at its place by id (before `before`, or found by search).
  #insert(msg, before) {
    if (!msg || this.#items.has(msg.id)) return null;
    const room = this.#model.rooms.get(this.#room);
    const li = createItem(msg, { me: this.#model.me });
    fillItem(li, msg, { me: this.#model.me, othersRead: room?.othersRead ?? 0 });
    const next = before === null ? this.#nextItemFor(msg.id) : before;
    this.#ui.list.insertBefore(li, separatorOf(next) ?? next);
    this.#items.set(msg.id, li);
    if (li.classList.contains('own')) this.#ownIds.splice(this.#lowerBound(this.#ownIds, msg.id), 0, msg.id);
    else this.#seen.observe(li);
    if (msg.id === this.#dividerId) li.classList.add('first-unread');
    syncSeparator(li);
    if (next) syncSeparator(next);
    return li;
  }

  #lowerBound(arr, id) {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // The rendered item that should follow a message with this id: the first with a greater id,
  // else the first pending one, else null (the end).
  #nextItemFor(id) {
    let best = null;
    const last = this.#lastRenderedId();
    if (last !== null && id > last) return this.#pending.values().next().value ?? null;
    for (const [other, li] of this.#items) if (other > id && (best === null || other < best[0])) best = [other, li];
    return best ? best[1] : (this.#pending.values().next().value ?? null);
  }

  #firstRenderedId() {
    const first = this.#ui.list.querySelector(':scope > .msg[data-id]');
    return first ? Number(first.dataset.id) : null;
  }

  #lastRenderedId() {
    let last = null;
    for (const li of this.#ui.list.querySelectorAll(':scope > .msg[data-id]:not(.pending):not(.failed)')) last = li;
    return last ? Number(last.dataset.id) : null;
  }

  #removeItem(li) {
    removeMessage(li);
    this.#seen.forget(li);
    const id = Number(li.dataset.id);
    this.#items.delete(id);
    const at = this.#ownIds.indexOf(id);
    if (at >= 0) this.#ownIds.splice(at, 1);
  }

  refreshDayLabels(now = Date.now()) {
    refreshDayLabels(this.#ui.list, now);
  }

  #addPending(p) {
    const li = createItem({ id: null, user: this.#model.me, text: p.text, ts: p.ts, edited: false, deleted: false }, { me: this.#model.me, clientId: p.clientId });
    if (p.failed) markFailed(li, true, p.reason);
    this.#ui.list.append(li);
    this.#pending.set(p.clientId, li);
    syncSeparator(li);
    return li;
  }

  // ------------------------------------------------------------ model events

  #onMessages({ added, updated }) {
    const room = this.#model.rooms.get(this.#room);
    for (const msg of updated) {
      const li = this.#items.get(msg.id);
      if (li) fillItem(li, msg, { me: this.#model.me, othersRead: room.othersRead });
    }
    if (added.length === 0) return;
    const pinned = this.#pinned || this.#atBottom();
    let fresh = 0;
    for (const msg of added) {
      if (msg.user !== this.#model.me && msg.fresh) fresh += 1;
      if (!this.#attached) continue;
      const first = this.#firstRenderedId();
      if (first !== null && msg.id < first) continue; // older than the window: drawn when scrolled to
      this.#insert(msg, null);
    }
    if (pinned && this.#attached) {
      this.#trim('top');
      this.scrollToBottom();
    } else if (fresh > 0) {
      this.#newCount += fresh;
      this.#showJump();
    }
    this.#status();
  }

  #onPage({ older }) {
    const messages = this.#messages();
    if (this.#items.size === 0) {
      this.#renderLatest();
      return;
    }
    if (older) {
      this.#extendUp();
      this.#status();
      return;
    }
    // A latest page again (after a reconnect): what is new at the bottom joins the window.
    if (!messages.byId.has(this.#firstRenderedId())) {
      this.#renderLatest(); // the model started over: so do we
      return;
    }
    this.#onMessages({ added: messages.ids.filter((id) => !this.#items.has(id) && id > this.#firstRenderedId()).map((id) => messages.get(id)), updated: [] });
  }

  #onReceipts({ from, to }) {
    for (const id of receiptChanges(this.#ownIds, from, to)) fillReceipt(this.#items.get(id), id, to);
  }

  #onPending({ clientId }) {
    const p = this.#messages()?.pending.get(clientId);
    const li = this.#pending.get(clientId);
    if (!p) {
      if (li) {
        this.#pending.delete(clientId);
        this.#removeItem(li);
      }
      return;
    }
    if (!li) {
      this.#addPending(p);
      this.scrollToBottom();
    } else markFailed(li, p.failed, p.reason);
  }

  #onAck({ clientId }) {
    const li = this.#pending.get(clientId);
    if (!li) return;
    this.#pending.delete(clientId);
    this.#removeItem(li);
    // The model turned it into a message (its `messages` event drew it) unless we were detached.
  }

  #onSeenBy({ id, users }) {
    const li = this.#items.get(id);
    if (li) fillReceipt(li, id, this.#model.rooms.get(this.#room)?.othersRead ?? 0, users);
  }

  // ------------------------------------------------------------ scrolling and the window

  #atBottom() {
    const s = this.#ui.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    this.#ui.scroller.scrollTop = this.#ui.scroller.scrollHeight;
    this.#pinned = true;
    this.#newCount = 0;
    this.#ui.jump.hidden = true;
  }

  jumpToLatest() {
    if (!this.#attached) this.#renderLatest();
    this.scrollToBottom();
    this.#ui.scroller.focus({ preventScroll: true });
  }

  #showJump() {
    const n = this.#newCount;
    this.#ui.jump.textContent = `${n} new message${n === 1 ? '' : 's'} ↓`;
    this.#ui.jump.hidden = false;
  }

  #onScroll() {
    this.#pinned = this.#atBottom();
    if (this.#pinned && this.#attached) {
      this.#newCount = 0;
      this.#ui.jump.hidden = true;
    }
    if (this.#ui.scroller.scrollTop < NEAR_TOP_PX) this.#extendUp();
    else if (this.#pinned && !this.#attached) this.#extendDown();
  }

  // Draws older messages the model holds, or asks the server for the page before them.
  #extendUp() {
    const messages = this.#messages();
    if (!messages) return;
    const first = this.#firstRenderedId();
    const at = first === null ? messages.ids.length : messages.indexOf(first);
    if (at > 0) {
      const ids = messages.ids.slice(Math.max(0, at - PAGE), at);
      this.#keepScroll(() => {
        const before = first === null ? null : this.#items.get(first);
        for (const id of ids) this.#insert(messages.get(id), before);
        this.#trim('bottom');
      });
      this.#fillScreen();
      // Still at the top (nothing moved the view down): no scroll event will come; go on.
      if (this.#ui.scroller.scrollTop < NEAR_TOP_PX) queueMicrotask(() => this.#extendUp());
    } else if (messages.hasOlder && !messages.loadingOlder && first !== null) {
      if (this.#cb.needOlder(this.#room, first)) messages.loadingOlder = true;
    }
    this.#status();
  }

  #extendDown() {
    const messages = this.#messages();
    const last = this.#lastRenderedId();
    const at = last === null ? -1 : messages.indexOf(last);
    const ids = messages.ids.slice(at + 1, at + 1 + PAGE);
    for (const id of ids) this.#insert(messages.get(id), null);
    if (at + 1 + PAGE >= messages.ids.length) this.#attached = true;
    this.#keepScroll(() => this.#trim('top'));
  }

  // Drops items beyond MAX_ITEMS at one end; dropping newest ones detaches the window.
  #trim(end) {
    const extra = this.#items.size - MAX_ITEMS;
    if (extra <= 0) return;
    const items = [...this.#ui.list.querySelectorAll(':scope > .msg[data-id]:not(.pending):not(.failed)')];
    const gone = end === 'top' ? items.slice(0, extra) : items.slice(-extra);
    for (const li of gone) this.#removeItem(li);
    if (end === 'bottom') this.#attached = false;
  }

  // Runs `change` keeping the first visible message where it was on screen.
  #keepScroll(change) {
    const s = this.#ui.scroller;
    const top = s.getBoundingClientRect().top;
    let anchor = null;
    for (const li of this.#ui.list.children) {
      if (li.classList.contains('msg') && li.getBoundingClientRect().bottom > top) {
        anchor = li;
        break;
      }
    }
    const before = anchor?.getBoundingClientRect().top;
    change();
    if (anchor?.isConnected) s.scrollTop += anchor.getBoundingClientRect().top - before;
  }

  // Too few messages to scroll means no scroll event will ever ask for more.
  #fillScreen() {
    const s = this.#ui.scroller;
    if (s.scrollHeight <= s.clientHeight + NEAR_TOP_PX) queueMicrotask(() => this.#extendUp());
  }

  // After a reconnect: a history request may have been lost with the old connection.
  resume() {
    const messages = this.#messages();
    if (messages) messages.loadingOlder = false;
    this.#status();
    if (this.#ui.scroller.scrollTop < NEAR_TOP_PX) this.#extendUp();
  }

  #status() {
    const messages = this.#messages();
    const first = this.#firstRenderedId();
    const atStart = !messages || (!messages.hasOlder && (first === null || messages.indexOf(first) <= 0));
    let text = '';
    if (!messages || (!messages.latest && this.#items.size === 0)) text = 'Loading…';
    else if (messages.loadingOlder) text = 'Loading older messages…';
    else if (atStart && messages.latest) text = 'This is the beginning of the conversation.';
    if (this.#ui.status.textContent !== text) this.#ui.status.textContent = text;
  }

  // ------------------------------------------------------------ seen and editing

  reportVisible() {
    this.#seen.reportVisible();
  }

  markEditing(id, on) {
    this.#items.get(id)?.classList.toggle('editing', on);
  }
}
