// The open room's messages on screen, drawn from the model (model.js): a window of at most
// MAX_ITEMS messages of the run the model holds. Scrolling up draws older ones from the model
// (or asks the server for a page when it has no more) and drops the far end; scrolling down
// brings newer ones back. The view follows the bottom unless the reader scrolled away. The items
// themselves (with day separators and receipts) are message_list.js's, the divider and the jump
// button new_messages.js's, what we have seen seen_tracker.js's. Every change touches only the
// items it concerns.

import { refreshDayLabels } from './day_separators.js';
import { attachMessageActions } from './message_actions.js';
import { fillItem, fillReceipt, markFailed } from './message_item.js';
import { MessageList } from './message_list.js';
import { NewMessages } from './new_messages.js';
import { ReactPicker } from './react_picker.js';
import { roomStatusText } from './room_status.js';
import { toggleFrame } from './reactions.js';
import { keepScroll } from './scroll_anchor.js';
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
  #list;
  #newMessages;
  #attached = true; // the window reaches the newest message the model holds
  #pinned = true; // the view follows the bottom
  #seen;
  #picker;
  #resizes;
  #target = null; // the message a search result opened, highlighted until another room is shown
  #listeners = new AbortController();

  // ui: { scroller, list, status, jump }; callbacks: needOlder(room, before),
  // needNewer(room, after), needLatest(room), seen(room, id), action(kind, room, idOrClientId),
  // seenBy(room, id), send(frame) -> bool (a `react`), notice(text), open(room, id) (a
  // message not held: the view is to open the room around it).
  constructor(ui, model, callbacks) {
    this.#ui = ui;
    this.#model = model;
    this.#cb = callbacks;
    this.#seen = new SeenTracker(ui.scroller, (id) => this.#room !== null && this.#cb.seen(this.#room, id));
    this.#list = new MessageList(ui.list, this.#seen);
    this.#newMessages = new NewMessages(ui.jump);
    this.#resizes = new ResizeObserver(() => {
      if (this.#pinned && this.#attached) this.scrollToBottom();
    });
    this.#resizes.observe(ui.scroller);
    this.#resizes.observe(ui.list);
    const opts = { signal: this.#listeners.signal };
    ui.scroller.addEventListener('scroll', () => this.#onScroll(), { ...opts, passive: true });
    ui.jump.addEventListener('click', () => this.jumpToLatest(), opts);
    this.#picker = new ReactPicker((id, emoji) => this.#react(id, emoji));
    attachMessageActions(ui.list, {
      onAction: (kind, ref, button) => {
        if (kind === 'react') this.#picker.toggle(this.#list.get(ref), button);
        else this.#cb.action(kind, this.#room, ref);
      },
      onReaction: (id, emoji) => this.#react(id, emoji),
      onQuote: (id) => this.showMessage(id),
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
    return this.#list.size;
  }

  destroy() {
    this.#listeners.abort();
    this.#picker.destroy();
    this.#seen.clear();
    this.#resizes.disconnect();
    clearInterval(this.clock);
    this.#clear();
  }

  // Shows a room (from the model; the caller asks the server for its latest page when needed).
  show(roomId) {
    this.#clear();
    this.#room = roomId;
    this.#target = null;
    const room = this.#model.rooms.get(roomId);
    this.#newMessages.enter(room?.marker ?? 0);
    this.#renderLatest();
  }

  // Shows a room at one message, highlighted, with those around it: drawn at once when the model
  // holds it, else when the caller's `history around` page arrives.
  showAround(roomId, id) {
    this.#clear();
    this.#room = roomId;
    this.#target = id;
    this.#newMessages.enter(this.#model.rooms.get(roomId)?.marker ?? 0);
    if (this.#messages()?.get(id)) this.#renderAround();
    else this.#status();
  }

  #renderAround() {
    const messages = this.#messages();
    const at = messages.indexOf(this.#target);
    this.#clear();
    if (at < 0) return;
    const end = Math.min(messages.ids.length, at + PAGE + 1);
    for (const id of messages.ids.slice(Math.max(0, at - PAGE), end)) this.#insert(messages.get(id), null);
    this.#attached = messages.latest && end === messages.ids.length;
    if (this.#attached) for (const p of messages.pending.values()) this.#list.addPending(p, this.#model.me);
    const li = this.#list.get(this.#target);
    li.classList.add('found');
    li.scrollIntoView({ block: 'center' });
    this.#pinned = false;
    if (!this.#attached) this.#newMessages.offerLatest();
    this.#status();
    this.#fillScreen();
    queueMicrotask(() => this.#onScroll());
  }

  #messages() {
    return this.#model.rooms.get(this.#room)?.messages ?? null;
  }

  #clear() {
    this.#seen.clear();
    this.#list.clear();
    this.#attached = true;
    this.#newMessages.resetCount();
  }

  #renderLatest() {
    const messages = this.#messages();
    this.#clear();
    if (!messages) return;
    const ids = messages.ids.slice(-PAGE * 2);
    for (const id of ids) this.#insert(messages.get(id), null);
    for (const p of messages.pending.values()) this.#list.addPending(p, this.#model.me);
    this.#newMessages.placeDivider(this.#list, this.#model.me);
    this.#status();
    this.#scrollOnEntry();
  }

  #scrollOnEntry() {
    const dividerId = this.#newMessages.dividerId;
    const divider = dividerId !== null ? this.#list.get(dividerId) : null;
    if (divider) {
      divider.scrollIntoView({ block: 'center' });
      this.#pinned = this.#atBottom();
    } else this.scrollToBottom();
    this.#fillScreen();
    // Shown from the top (the divider is the first message): no scroll up can follow there, so
    // the page before is fetched now.
    if (this.#ui.scroller.scrollTop < NEAR_TOP_PX) queueMicrotask(() => this.#extendUp());
  }

  #insert(msg, before) {
    return this.#list.insert(msg, before, {
      me: this.#model.me,
      moderator: this.#model.admin === true,
      othersRead: this.#model.rooms.get(this.#room)?.othersRead ?? 0,
      firstUnreadId: this.#newMessages.dividerId,
    });
  }

  refreshDayLabels(now = Date.now()) {
    refreshDayLabels(this.#ui.list, now);
  }

  // ------------------------------------------------------------ model events

  #onMessages({ added, updated }) {
    const room = this.#model.rooms.get(this.#room);
    for (const msg of updated) {
      const li = this.#list.get(msg.id);
      if (li) fillItem(li, msg, { me: this.#model.me, othersRead: room.othersRead });
    }
    if (added.length === 0) return;
    const pinned = this.#pinned || this.#atBottom();
    let fresh = 0;
    for (const msg of added) {
      if (msg.user !== this.#model.me && msg.fresh) fresh += 1;
      if (!this.#attached) continue;
      const first = this.#list.firstId();
      if (first !== null && msg.id < first) continue; // older than the window: drawn when scrolled to
      this.#insert(msg, null);
    }
    if (pinned && this.#attached) {
      this.#trim('top');
      this.scrollToBottom();
    } else if (fresh > 0) {
      this.#newMessages.arrived(fresh);
    }
    this.#status();
  }

  #onPage({ older, newer, around }) {
    const messages = this.#messages();
    if (around !== null && around === this.#target && !this.#list.has(around)) {
      this.#renderAround();
      return;
    }
    if (newer) {
      this.#extendDown();
      this.#status();
      return;
    }
    if (this.#list.size === 0) {
      this.#renderLatest();
      return;
    }
    if (older) {
      this.#extendUp();
      this.#status();
      return;
    }
    // A latest page again (after a reconnect): what is new at the bottom joins the window.
    if (!messages.byId.has(this.#list.firstId())) {
      this.#renderLatest(); // the model started over: so do we
      return;
    }
    this.#onMessages({ added: messages.ids.filter((id) => !this.#list.has(id) && id > this.#list.firstId()).map((id) => messages.get(id)), updated: [] });
  }

  #onReceipts({ from, to }) {
    this.#list.updateReceipts(from, to);
  }

  #onPending({ clientId }) {
    const p = this.#messages()?.pending.get(clientId);
    const li = this.#list.pendingItem(clientId);
    if (!p) {
      this.#list.removePending(clientId);
      return;
    }
    if (!li) {
      this.#list.addPending(p, this.#model.me);
      this.scrollToBottom();
    } else markFailed(li, p.failed, p.reason);
  }

  #onAck({ clientId }) {
    this.#list.removePending(clientId);
    // The model turned it into a message (its `messages` event drew it) unless we were detached.
  }

  #onSeenBy({ id, users }) {
    const li = this.#list.get(id);
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
    this.#newMessages.resetCount();
  }

  jumpToLatest() {
    const messages = this.#messages();
    if (messages && !messages.latest) {
      // Opened in the middle: start over from the latest page (drawn when it arrives).
      messages.clear();
      this.#clear();
      this.#target = null;
      this.#cb.needLatest(this.#room);
      this.#status();
      return;
    }
    if (!this.#attached) this.#renderLatest();
    this.scrollToBottom();
    this.#ui.scroller.focus({ preventScroll: true });
  }

  #onScroll() {
    this.#pinned = this.#atBottom();
    if (this.#pinned && this.#attached) this.#newMessages.resetCount();
    if (this.#ui.scroller.scrollTop < NEAR_TOP_PX) this.#extendUp();
    else if (this.#pinned && !this.#attached) this.#extendDown();
  }

  // Draws older messages the model holds, or asks the server for the page before them.
  #extendUp() {
    const messages = this.#messages();
    if (!messages) return;
    const first = this.#list.firstId();
    const at = first === null ? messages.ids.length : messages.indexOf(first);
    if (at > 0) {
      const ids = messages.ids.slice(Math.max(0, at - PAGE), at);
      this.#keepScroll(() => {
        const before = first === null ? null : this.#list.get(first);
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

  // Draws newer messages the model holds, or asks the server for the page after them when the
  // model's run does not reach the latest (a room opened at a search result).
  #extendDown() {
    const messages = this.#messages();
    if (!messages) return;
    const last = this.#list.lastId();
    const at = last === null ? -1 : messages.indexOf(last);
    const ids = messages.ids.slice(at + 1, at + 1 + PAGE);
    for (const id of ids) this.#insert(messages.get(id), null);
    const atEnd = at + 1 + PAGE >= messages.ids.length;
    if (atEnd && messages.latest) {
      this.#attached = true;
      for (const p of messages.pending.values()) if (!this.#list.pendingItem(p.clientId)) this.#list.addPending(p, this.#model.me);
    } else if (atEnd && !messages.loadingNewer && last !== null) {
      if (this.#cb.needNewer(this.#room, messages.newestId)) messages.loadingNewer = true;
    }
    this.#keepScroll(() => this.#trim('top'));
    if (this.#attached && this.#atBottom()) this.#newMessages.resetCount();
  }

  // Drops items beyond MAX_ITEMS at one end; dropping newest ones detaches the window.
  #trim(end) {
    if (this.#list.trim(end, MAX_ITEMS) && end === 'bottom') this.#attached = false;
  }

  #keepScroll(change) {
    keepScroll(this.#ui.scroller, this.#ui.list, change);
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
    const first = this.#list.firstId();
    const firstIndex = messages && first !== null ? messages.indexOf(first) : -1;
    const text = roomStatusText(messages, firstIndex, this.#list.size);
    if (this.#ui.status.textContent !== text) this.#ui.status.textContent = text;
  }

  // ------------------------------------------------------------ seen and editing

  reportVisible() {
    this.#seen.reportVisible();
  }

  markEditing(id, on) {
    this.#list.get(id)?.classList.toggle('editing', on);
  }

  // ------------------------------------------------------------ reactions and replies

  #react(id, emoji) {
    const msg = this.#messages()?.get(id);
    if (msg && !this.#cb.send(toggleFrame(msg, emoji, this.#model.me))) this.#cb.notice('Not connected. Try again in a moment.');
  }

  // Brings message `id` into view, highlighted (a reply's quote was clicked). Not drawn: the
  // room opens around it, like a search result.
  showMessage(id) {
    const li = this.#list.get(id);
    if (!li) {
      this.#cb.open(this.#room, id);
      return;
    }
    for (const other of this.#ui.list.querySelectorAll('.msg.found')) other.classList.remove('found');
    li.classList.add('found');
    li.scrollIntoView({ block: 'center' });
    this.#pinned = this.#atBottom();
    li.tabIndex = -1; // so that keyboard users land there too
    li.focus({ preventScroll: true });
  }
}
