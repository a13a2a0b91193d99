// Wiring: the login screen, then one Chat per logged-in session joining the socket, the message
// list and the small pure helpers to the page. No protocol parsing or rendering details live here.

import * as api from './api.js';
import { EmojiPanel } from './emoji.js';
import { cleanMessageText } from './message_text.js';
import { OutboxStore } from './outbox_store.js';
import { ReadMarkers, SeenThrottle } from './receipts.js';
import { MessageList } from './render.js';
import { ChatSocket, newClientId, socketUrl } from './socket.js';
import { TypingBoard, TypingSender, typingSentence } from './typing.js';

const TITLE = 'Chatterbox';
const MAX_TEXT = 4000; // code points, as the server counts
const HISTORY_PAGE = 50;
const NEAR_TOP_PX = 150;
const NEAR_BOTTOM_PX = 48;

const $ = (id) => document.getElementById(id);

const ui = {
  loading: $('loading'),
  loginView: $('login-view'),
  loginForm: $('login-form'),
  loginUsername: $('login-username'),
  loginPassword: $('login-password'),
  loginError: $('login-error'),
  loginNotice: $('login-notice'),
  loginSubmit: $('login-submit'),
  chatView: $('chat-view'),
  meName: $('me-name'),
  logout: $('logout'),
  notice: $('notice'),
  banner: $('banner'),
  scroller: $('scroller'),
  historyStatus: $('history-status'),
  messages: $('messages'),
  newMessages: $('new-messages'),
  onlineToggle: $('online-toggle'),
  onlineCountShort: $('online-count-short'),
  onlineCount: $('online-count'),
  onlineList: $('online-list'),
  composer: $('composer'),
  input: $('composer-input'),
  send: $('send'),
  typing: $('typing'),
  editBanner: $('edit-banner'),
  emojiToggle: $('emoji-toggle'),
  emojiPanel: $('emoji-panel'),
  announcer: $('announcer'),
};

const emoji = new EmojiPanel(ui.emojiToggle, ui.emojiPanel, ui.input);
let chat = null; // the Chat of the logged-in user, or null on the login screen

function codePoints(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

// ---------------------------------------------------------------- login screen

function showLogin({ error = '', notice = '' } = {}) {
  ui.loading.hidden = true;
  ui.chatView.hidden = true;
  ui.loginView.hidden = false;
  document.title = TITLE;
  setLoginError(error);
  ui.loginNotice.textContent = notice;
  ui.loginNotice.hidden = notice === '';
  ui.loginSubmit.disabled = false;
  ui.loginPassword.value = '';
  (ui.loginUsername.value ? ui.loginPassword : ui.loginUsername).focus();
}

function setLoginError(message) {
  ui.loginError.textContent = message;
  ui.loginError.hidden = message === '';
  ui.loginUsername.setAttribute('aria-invalid', String(message !== ''));
}

ui.loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const username = ui.loginUsername.value.trim();
  const password = ui.loginPassword.value;
  const invalid = api.validateCredentials(username, password);
  if (invalid) {
    setLoginError(invalid);
    return;
  }
  setLoginError('');
  ui.loginNotice.hidden = true;
  ui.loginSubmit.disabled = true;
  ui.loginSubmit.textContent = 'Logging in…';
  const result = await api.login(username, password);
  ui.loginSubmit.disabled = false;
  ui.loginSubmit.textContent = 'Log in';
  if (!result.ok) {
    setLoginError(api.errorMessage(result));
    ui.loginPassword.select();
    return;
  }
  ui.loginPassword.value = '';
  const created = result.status === 201 || result.data?.created === true;
  startChat(result.data.username, created ? `Account created. Welcome to Chatterbox, ${result.data.username}!` : '');
});

// ---------------------------------------------------------------- chat view

function startChat(username, notice = '') {
  chat?.stop();
  ui.loading.hidden = true;
  ui.loginView.hidden = true;
  ui.chatView.hidden = false;
  chat = new Chat(username);
  showNotice(notice);
  ui.input.focus();
}

let noticeTimer = null;
function showNotice(text, ms = 8000) {
  clearTimeout(noticeTimer);
  ui.notice.textContent = text;
  ui.notice.hidden = text === '';
  if (text) noticeTimer = setTimeout(() => (ui.notice.hidden = true), ms);
}

// localStorage, or null where it is unavailable (some private modes throw on access).
function storageOrNull() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

class Chat {
  constructor(me) {
    this.me = me;
    this.markers = new ReadMarkers();
    this.board = new TypingBoard();
    this.presence = [];
    this.editingId = null;
    this.draftBeforeEdit = '';
    this.hasMoreOlder = false;
    this.loadingOlder = false;
    this.firstPageShown = false;
    this.unread = 0;
    this.visible = new Set(); // ids of others' messages on screen now
    this.typingTimer = null;
    this.pinned = true; // the view follows the bottom (the user has not scrolled up)

    ui.meName.textContent = me;
    ui.messages.replaceChildren();
    ui.historyStatus.textContent = '';
    ui.newMessages.hidden = true;
    ui.banner.hidden = true;
    ui.typing.textContent = '';
    this.renderPresence();

    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), {
      root: ui.scroller,
      threshold: [0, 0.5, 1],
    });
    // Banners coming and going, an edit making a message taller: stay at the bottom if we were.
    this.resizes = new ResizeObserver(() => {
      if (this.pinned) this.scrollToBottom();
    });
    this.resizes.observe(ui.scroller);
    this.resizes.observe(ui.messages);
    this.list = new MessageList(ui.messages, {
      me,
      markers: this.markers,
      onAction: (kind, id) => (kind === 'edit' ? this.startEdit(id) : this.remove(id)),
      onAdded: (li, msg) => {
        if (msg.user !== me) this.observer.observe(li);
      },
    });

    this.outboxStore = new OutboxStore(storageOrNull(), me);
    this.socket = new ChatSocket(socketUrl(location), {
      outboxStore: this.outboxStore,
      checkSession: async () => {
        const result = await api.me();
        if (result.ok) return 'ok';
        return result.status === 401 ? 'logged_out' : 'down';
      },
    });
    this.typingSender = new TypingSender((active) => this.socket.send({ type: 'typing', active }));
    this.seen = new SeenThrottle((id) => this.socket.send({ type: 'seen', id }));

    this.socket.addEventListener('event', (e) => this.onEvent(e.detail));
    this.socket.addEventListener('status', (e) => this.onStatus(e.detail));
    this.socket.addEventListener('loggedout', () => endChat({ notice: 'You were logged out.' }));
    this.onVisibility = () => this.visibilityChanged();
    document.addEventListener('visibilitychange', this.onVisibility);
    this.clock = setInterval(() => this.list.refreshSeparators(), 60 * 1000);
    // Messages an earlier page of ours queued but never got acknowledged: shown as sending again.
    for (const frame of this.socket.queued) {
      this.addAtBottom(() => this.list.addPending(frame.client_id, frame.text, this.outboxStore.queuedAt(frame.client_id)), { own: true });
    }
    this.socket.start();
  }

  stop() {
    this.socket.stop();
    this.list.destroy();
    this.observer.disconnect();
    this.resizes.disconnect();
    clearInterval(this.clock);
    clearTimeout(this.typingTimer);
    this.typingSender.reset();
    document.removeEventListener('visibilitychange', this.onVisibility);
    if (this.editingId !== null) this.cancelEdit();
    emoji.close(false);
    ui.input.value = '';
    document.title = TITLE;
  }

  // ------------------------------------------------ server events

  onStatus({ state }) {
    ui.banner.hidden = state !== 'reconnecting';
    ui.chatView.classList.toggle('offline', state === 'reconnecting');
    if (state === 'reconnecting') {
      this.typingSender.reset();
      if (this.board.clear()) this.renderTyping();
    }
  }

  onEvent(event) {
    switch (event.type) {
      case 'history':
        this.onHistory(event);
        break;
      case 'presence':
        this.presence = [...new Set(event.users)];
        this.renderPresence();
        break;
      case 'join':
        if (!this.presence.includes(event.user)) this.presence.push(event.user);
        this.renderPresence();
        if (event.user !== this.me) this.addSystemLine(`${event.user} joined`);
        break;
      case 'leave':
        this.presence = this.presence.filter((u) => u !== event.user);
        this.renderPresence();
        if (this.board.update(event.user, false, Date.now())) this.renderTyping();
        if (event.user !== this.me) this.addSystemLine(`${event.user} left`);
        break;
      case 'receipts':
        this.markers.reset(event.markers);
        this.list.updateReceipts();
        this.seen.resetSent(this.markers.get(this.me));
        this.reportVisible();
        break;
      case 'seen':
        if (this.markers.update(event.user, event.id)) this.list.updateReceipts();
        if (event.user === this.me) this.seen.known(event.id);
        break;
      case 'message':
        this.addLive([event]);
        if (this.board.update(event.user, false, Date.now())) this.renderTyping();
        break;
      case 'sync':
        this.addLive(event.messages ?? []);
        break;
      case 'ack':
        this.list.confirm(event.client_id, event.id, event.ts);
        break;
      case 'edited':
        this.list.applyEdit(event);
        break;
      case 'deleted':
        this.list.applyDelete(event);
        if (this.editingId === event.id) this.cancelEdit();
        break;
      case 'typing':
        if (event.user !== this.me && this.board.update(event.user, event.active, Date.now())) this.renderTyping();
        else if (event.active) this.scheduleTypingExpiry();
        break;
      case 'error':
        this.onError(event);
        break;
      default:
        break; // hello, or something newer than this client
    }
  }

  onError(event) {
    const ref = event.ref;
    // (rate_limited and internal errors about our messages never get here: the socket retries.)
    if (typeof ref === 'string') {
      this.list.fail(ref, event.message ?? event.code);
      this.socket.drop(ref);
    }
    showNotice(event.message ? `Server: ${event.message}` : `Server error: ${event.code}`, 6000);
  }

  onHistory(event) {
    const messages = event.messages ?? [];
    if (event.before === null || event.before === undefined) {
      // The latest page: the first one of this session, or the one every reconnect brings
      // (then it only merges; `sync` fills any gap).
      if (!this.firstPageShown) {
        this.firstPageShown = true;
        this.hasMoreOlder = Boolean(event.has_more);
        for (const msg of messages) this.list.upsert(msg);
        this.list.flush();
        this.scrollToBottom();
        this.renderHistoryStatus();
        this.fillScreen();
      } else {
        this.addLive(messages);
      }
      return;
    }
    const before = ui.scroller.scrollHeight;
    const top = ui.scroller.scrollTop;
    for (const msg of messages) this.list.upsert(msg);
    this.list.flush();
    ui.scroller.scrollTop = top + (ui.scroller.scrollHeight - before);
    this.hasMoreOlder = Boolean(event.has_more);
    this.loadingOlder = false;
    this.renderHistoryStatus();
    this.fillScreen();
  }

  // Messages that may be new at the bottom: keep the view pinned if it was, else offer a button.
  addLive(messages) {
    let fresh = 0;
    const oldest = this.list.oldestId;
    this.addAtBottom(() => {
      for (const msg of messages) {
        // A sync also brings edits of messages older than the pages loaded so far; showing one
        // would leave a hole above it that paging (by the oldest id shown) could never fill.
        if (this.hasMoreOlder && oldest !== null && msg.id < oldest) continue;
        if (this.list.upsert(msg) === 'added' && msg.user !== this.me) {
          fresh += 1;
          if (!msg.deleted) this.announce(msg);
        }
      }
      return fresh;
    });
    if (fresh > 0 && document.visibilityState === 'hidden') {
      this.unread += fresh;
      document.title = `(${this.unread}) ${TITLE}`;
    }
  }

  // Runs `change` (which adds things) and keeps the scroll where the user expects it.
  addAtBottom(change, { own = false } = {}) {
    const pinned = this.pinned || this.atBottom();
    const added = change();
    this.list.flush();
    if (pinned || own) this.scrollToBottom();
    else if (added) ui.newMessages.hidden = false;
  }

  // "bob joined": follows the bottom like a message, but is no reason for the "New messages" button.
  addSystemLine(text) {
    this.addAtBottom(() => {
      this.list.addSystem(text);
      return false;
    });
  }

  announce(msg) {
    const line = document.createElement('p');
    line.textContent = `${msg.user}: ${msg.text}`;
    ui.announcer.append(line);
    while (ui.announcer.childElementCount > 3) ui.announcer.firstElementChild.remove();
  }

  // ------------------------------------------------ scrolling and history pages

  atBottom() {
    const s = ui.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    ui.scroller.scrollTop = ui.scroller.scrollHeight;
    ui.newMessages.hidden = true;
    this.pinned = true;
  }

  onScroll() {
    this.pinned = this.atBottom();
    if (this.pinned) ui.newMessages.hidden = true;
    if (ui.scroller.scrollTop < NEAR_TOP_PX) this.loadOlder();
  }

  loadOlder() {
    if (!this.hasMoreOlder || this.loadingOlder || this.list.oldestId === null) return;
    if (this.socket.send({ type: 'history', before: this.list.oldestId, limit: HISTORY_PAGE })) {
      this.loadingOlder = true;
      this.renderHistoryStatus();
    }
  }

  // Too few messages to scroll means no scroll event will ever ask for more.
  fillScreen() {
    if (ui.scroller.scrollHeight <= ui.scroller.clientHeight + NEAR_TOP_PX) this.loadOlder();
  }

  renderHistoryStatus() {
    if (this.loadingOlder) ui.historyStatus.textContent = 'Loading older messages…';
    else if (this.hasMoreOlder) ui.historyStatus.textContent = '';
    else ui.historyStatus.textContent = 'This is the beginning of the conversation.';
  }

  // ------------------------------------------------ seen receipts and the tab title

  onIntersect(entries) {
    for (const entry of entries) {
      const id = Number(entry.target.dataset.id);
      const shown =
        entry.isIntersecting &&
        (entry.intersectionRatio >= 0.5 ||
          (entry.rootBounds && entry.intersectionRect.height >= entry.rootBounds.height / 2));
      if (shown) this.visible.add(id);
      else this.visible.delete(id);
    }
    this.reportVisible();
  }

  reportVisible() {
    if (document.visibilityState !== 'visible' || this.visible.size === 0) return;
    this.seen.report(Math.max(...this.visible));
  }

  visibilityChanged() {
    if (document.visibilityState !== 'visible') return;
    this.unread = 0;
    document.title = TITLE;
    this.reportVisible();
  }

  // ------------------------------------------------ presence and typing

  renderPresence() {
    const users = [...this.presence].sort((a, b) => a.localeCompare(b));
    ui.onlineCount.textContent = String(users.length);
    ui.onlineCountShort.textContent = String(users.length);
    ui.onlineList.replaceChildren(
      ...users.map((user) => {
        const li = document.createElement('li');
        li.textContent = user;
        if (user === this.me) {
          li.classList.add('me');
          const you = document.createElement('span');
          you.className = 'you';
          you.textContent = ' (you)';
          li.append(you);
        }
        return li;
      }),
    );
  }

  renderTyping() {
    const now = Date.now();
    this.board.expire(now);
    ui.typing.textContent = typingSentence(this.board.names(now));
    this.scheduleTypingExpiry();
  }

  scheduleTypingExpiry() {
    clearTimeout(this.typingTimer);
    const next = this.board.nextExpiry(Date.now());
    if (next !== null) this.typingTimer = setTimeout(() => this.renderTyping(), next + 10);
  }

  // ------------------------------------------------ composing, editing, deleting

  submit() {
    const text = cleanMessageText(ui.input.value);
    if (this.editingId !== null) {
      this.saveEdit(text);
      return;
    }
    if (!text) return;
    if (codePoints(text) > MAX_TEXT) {
      showNotice(`Messages can be at most ${MAX_TEXT} characters long.`, 6000);
      return;
    }
    const clientId = newClientId();
    this.addAtBottom(() => this.list.addPending(clientId, text, Date.now()), { own: true });
    this.socket.send({ type: 'send', client_id: clientId, text });
    ui.input.value = '';
    this.typingSender.stop();
  }

  startEdit(id) {
    const msg = this.list.message(id);
    if (!msg || msg.user !== this.me || msg.deleted) return;
    if (this.editingId === null) this.draftBeforeEdit = ui.input.value;
    this.markEditing(false);
    this.editingId = id;
    this.markEditing(true);
    ui.input.value = msg.text;
    ui.editBanner.hidden = false;
    ui.composer.classList.add('editing');
    ui.send.textContent = 'Save';
    ui.input.focus();
    ui.input.setSelectionRange(msg.text.length, msg.text.length);
  }

  markEditing(on) {
    if (this.editingId === null) return;
    ui.messages.querySelector(`.msg[data-id="${this.editingId}"]`)?.classList.toggle('editing', on);
  }

  cancelEdit() {
    this.markEditing(false);
    this.editingId = null;
    ui.input.value = this.draftBeforeEdit;
    this.draftBeforeEdit = '';
    ui.editBanner.hidden = true;
    ui.composer.classList.remove('editing');
    ui.send.textContent = 'Send';
  }

  saveEdit(text) {
    const id = this.editingId;
    const msg = this.list.message(id);
    if (!text) {
      showNotice('A message cannot be empty. Use Delete to remove it.', 6000);
      return;
    }
    if (codePoints(text) > MAX_TEXT) {
      showNotice(`Messages can be at most ${MAX_TEXT} characters long.`, 6000);
      return;
    }
    if (msg && msg.text !== text) this.socket.send({ type: 'edit', id, text });
    this.cancelEdit();
  }

  remove(id) {
    if (this.editingId === id) this.cancelEdit();
    this.socket.send({ type: 'delete', id });
  }

  onKeyDown(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'ArrowUp' && ui.input.value === '' && this.editingId === null) {
      const last = this.list.lastEditableOwn();
      if (last) {
        e.preventDefault();
        this.startEdit(last.id);
      }
    } else if (e.key === 'Escape' && this.editingId !== null) {
      e.preventDefault();
      this.cancelEdit();
    }
  }

  onInput() {
    if (this.editingId !== null) return;
    if (ui.input.value.trim()) this.typingSender.input();
    else this.typingSender.stop();
  }
}

function endChat(options) {
  chat?.stop();
  chat = null;
  showLogin(options);
}

// ---------------------------------------------------------------- page-level handlers

ui.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  chat?.submit();
});
ui.input.addEventListener('keydown', (e) => chat?.onKeyDown(e));
ui.input.addEventListener('input', () => chat?.onInput());
ui.scroller.addEventListener('scroll', () => chat?.onScroll(), { passive: true });
ui.newMessages.addEventListener('click', () => chat?.scrollToBottom());
ui.onlineToggle.addEventListener('click', () => {
  const open = ui.chatView.classList.toggle('show-online');
  ui.onlineToggle.setAttribute('aria-expanded', String(open));
});
ui.logout.addEventListener('click', async () => {
  ui.logout.disabled = true;
  const result = await api.logout();
  ui.logout.disabled = false;
  // 401: the session was already gone, which is what the user wanted.
  if (!result.ok && result.status !== 401) {
    showNotice(`Could not log out: ${api.errorMessage(result)}`, 6000);
    return;
  }
  chat?.outboxStore.clear(); // logging out on purpose also means giving up unsent messages
  endChat({ notice: 'You have logged out.' });
});

// The session cookie is HttpOnly: ask the server who we are.
async function boot() {
  const result = await api.me();
  if (result.ok) startChat(result.data.username);
  else showLogin({ error: result.status === 0 || result.status >= 500 ? api.errorMessage(result) : '' });
}

boot();
