// One logged-in session: joins the socket, the model and the pieces of the screen. Server events
// go into the model; the pieces draw themselves from it. This file decides which room is shown,
// what to ask the server for when (history, members, watch) and where user actions go.

import * as api from './api.js';
import { newClientId, socketUrl } from './client_ids.js';
import { Composer } from './composer.js';
import { RoomDialogs, confirmDialog } from './dialogs.js';
import { ChatModel } from './model.js';
import { Notifier } from './notifications.js';
import { OutboxStore } from './outbox_store.js';
import { SeenThrottle } from './receipts.js';
import { RoomPanel } from './room_panel.js';
import { RoomView } from './room_view.js';
import { SearchPanel } from './search_panel.js';
import { chooseRoom, parseRoute, showRoute, watchRoute } from './router.js';
import { Sidebar } from './sidebar.js';
import { ChatSocket } from './socket.js';
import { UploadTray } from './upload_tray.js';

const HISTORY_PAGE = 50;
const KEEP_IN_BACKGROUND = 200; // messages a room keeps once it is no longer shown
const LAST_ROOM_KEY = 'chatterbox.room.';

export function storageOrNull() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export class Session {
  me;
  model;
  socket;
  outboxStore;
  #ui;
  #notice;
  #room = null;
  #seen = new Map(); // room -> SeenThrottle
  #watching = '';
  #restored = false;
  #parts = [];
  #cleanup = [];

  // ui: the elements (see app.js); notice(text, ms); loggedOut()
  constructor(me, ui, { notice, loggedOut, admin = false }) {
    this.me = me;
    this.#ui = ui;
    this.#notice = notice;
    const model = new ChatModel(me);
    model.admin = admin; // moderation: delete anyone's message, archive any room
    this.model = model;
    this.outboxStore = new OutboxStore(storageOrNull(), me);
    this.socket = new ChatSocket(socketUrl(location), {
      outboxStore: this.outboxStore,
      checkSession: async () => {
        const result = await api.me();
        if (result.ok) return 'ok';
        return result.status === 401 ? 'logged_out' : 'down';
      },
    });
    const send = (frame) => this.socket.send(frame);
    const members = (room, prefix, limit) => send({ type: 'members', room, prefix, limit });
    const confirm = (options) => confirmDialog(ui.confirmDialog, options);

    this.view = new RoomView({ scroller: ui.scroller, list: ui.messages, status: ui.historyStatus, jump: ui.newMessages }, model, {
      needOlder: (room, before) => send({ type: 'history', room, before, limit: HISTORY_PAGE }),
      needNewer: (room, after) => send({ type: 'history', room, after, limit: HISTORY_PAGE }),
      needLatest: (room) => send({ type: 'history', room, limit: HISTORY_PAGE }),
      seen: (room, id) => this.#seenFor(room).report(id),
      seenBy: (room, id) => send({ type: 'seen_by', room, id }),
      action: (kind, room, ref) => this.#action(kind, room, ref),
      send,
      notice: (text) => notice(text, 6000),
      open: (room, id) => this.openMessage(room, id),
    });
    this.composer = new Composer(
      { form: ui.composer, input: ui.input, send: ui.send, typing: ui.typing, editBanner: ui.editBanner, replyBanner: ui.replyBanner, suggest: ui.mentionList },
      model,
      {
        send: (room, text, replyTo) => this.#sendMessage(room, text, replyTo),
        edit: (id, text) => send({ type: 'edit', id, text }),
        typing: (room, active) => send({ type: 'typing', room, active }),
        members,
        notice: (text) => notice(text, 6000),
        markEditing: (id, on) => this.view.markEditing(id, on),
      },
    );
    this.sidebar = new Sidebar({ roomList: ui.roomList, dmList: ui.dmList, toggle: ui.sidebarToggle, view: ui.chatView }, model);
    this.panel = new RoomPanel(
      {
        title: ui.roomTitle, meta: ui.roomMeta, notify: ui.roomNotify, archivedNote: ui.archivedNote, toggle: ui.membersToggle, close: ui.membersClose,
        panel: ui.membersPanel, list: ui.memberList, more: ui.memberMore, admin: ui.roomAdmin, addForm: ui.addMembers,
        renameForm: ui.renameRoom, archive: ui.archiveRoom, exportLink: ui.exportRoom, leave: ui.leaveRoom, view: ui.chatView,
      },
      model,
      { send: (frame) => this.#command(frame), members, confirm, watchChanged: () => this.#updateWatch() },
    );
    this.dialogs = new RoomDialogs({ createDialog: ui.createDialog, dmDialog: ui.dmDialog }, model, {
      send,
      open: (room) => this.showRoom(room),
      newId: newClientId,
      members,
    });
    this.notifier = new Notifier(model, { open: (room) => this.showRoom(room) });
    this.uploads = new UploadTray(
      { tray: ui.uploads, attach: ui.attach, input: ui.fileInput, composerInput: ui.input, dropZone: ui.chatView },
      { send: (room, file) => this.#sendMessage(room, '', null, file), notice: (text) => notice(text, 8000) },
    );
    this.search = new SearchPanel(
      { form: ui.searchForm, input: ui.searchInput, close: ui.searchClose, status: ui.searchStatus, results: ui.searchResults, more: ui.searchMore, view: ui.chatView },
      model,
      { send, open: (room, id) => this.openMessage(room, id) },
    );
    this.#parts = [this.view, this.composer, this.sidebar, this.panel, this.dialogs, this.notifier, this.uploads, this.search];

    model.on('removed', ({ room }) => {
      if (room === this.#room) {
        notice('You are no longer a member of that room.', 6000);
        this.showRoom(chooseRoom(null, model.rooms, null), { replace: true });
      }
    });
    model.on('room', ({ room }) => {
      const r = model.rooms.get(room);
      if (r && this.#seen.has(room)) this.#seen.get(room).known(r.marker);
    });
    model.on('rooms', () => this.#updateWatch());
    model.on('error', ({ event }) => {
      if (this.dialogs.owns(event.ref) || this.search.owns(event)) return;
      if (typeof event.ref === 'string') this.socket.drop(event.ref); // kept on screen, with Retry
      notice(event.message ? `Server: ${event.message}` : `Server error: ${event.code}`, 6000);
    });
    model.on('messages', ({ room, fresh, live }) => live && room === this.#room && fresh.forEach((m) => this.#announce(m)));

    this.socket.addEventListener('event', (e) => this.#onEvent(e.detail));
    this.socket.addEventListener('status', (e) => this.#onStatus(e.detail));
    this.socket.addEventListener('loggedout', () => loggedOut());
    const onVisible = () => {
      if (document.visibilityState === 'visible') {
        this.view.reportVisible();
        this.socket.probe();
      }
      this.notifier.updateBadges();
    };
    document.addEventListener('visibilitychange', onVisible);
    globalThis.addEventListener('focus', onVisible);
    this.#cleanup.push(() => document.removeEventListener('visibilitychange', onVisible));
    this.#cleanup.push(() => globalThis.removeEventListener('focus', onVisible));
    this.#cleanup.push(watchRoute((id) => id !== null && id !== this.#room && this.showRoom(id)));
    ui.meName.textContent = me;
    this.socket.start();
  }

  stop() {
    this.socket.stop();
    for (const part of this.#parts) part.destroy();
    for (const fn of this.#cleanup) fn();
  }

  get room() {
    return this.#room;
  }

  // ------------------------------------------------------------ rooms

  // `around`: a message to show (highlighted) instead of the latest ones.
  showRoom(id, { replace = false, around = null } = {}) {
    const model = this.model;
    if (id === null || !model.rooms.has(id)) return;
    const previous = this.#room;
    if (previous !== null && previous !== id) model.rooms.get(previous)?.messages.trim(KEEP_IN_BACKGROUND);
    this.#room = id;
    showRoute(id, { replace });
    try {
      storageOrNull()?.setItem(LAST_ROOM_KEY + this.me, String(id));
    } catch {
      // not remembered
    }
    this.sidebar.setCurrent(id);
    this.composer.switchRoom(id);
    this.uploads.switchRoom(id);
    if (around === null) this.view.show(id);
    else this.view.showAround(id, around);
    this.panel.show(id);
    if (around === null) this.#requestLatest();
    this.#updateWatch();
    this.view.reportVisible();
  }

  // A search result: its room, at that message. What the model holds around it is drawn at once;
  // otherwise the room's run starts over from a page around it (scrolling down reads newer pages
  // until the latest, and live messages join only then).
  openMessage(room, id) {
    const r = this.model.rooms.get(room);
    if (!r) return;
    if (!r.messages.get(id)) {
      r.messages.clear();
      this.socket.send({ type: 'history', room, around: id, limit: HISTORY_PAGE });
    }
    this.showRoom(room, { around: id });
  }

  #requestLatest() {
    const room = this.model.rooms.get(this.#room);
    if (room && !room.messages.latest) this.socket.send({ type: 'history', room: room.id, limit: HISTORY_PAGE });
  }

  // Who the screen shows: the open room's members (or its first page) and every DM's members.
  #updateWatch() {
    if (this.#room === null) return;
    const users = this.model.watchList(this.#room, this.panel.pageNames);
    const key = users.join(',');
    if (key === this.#watching) return;
    if (this.socket.send({ type: 'watch', users })) this.#watching = key;
  }

  #seenFor(room) {
    let throttle = this.#seen.get(room);
    if (!throttle) {
      throttle = new SeenThrottle((id) => this.socket.send({ type: 'seen', room, id }));
      throttle.known(this.model.rooms.get(room)?.marker ?? 0);
      this.#seen.set(room, throttle);
    }
    return throttle;
  }

  // ------------------------------------------------------------ socket

  #onEvent(event) {
    this.model.apply(event);
    if (event.type !== 'hello') return;
    for (const [room, throttle] of this.#seen) throttle.resetSent(this.model.rooms.get(room)?.marker ?? 0);
    if (!this.#restored) {
      this.#restored = true;
      // Messages an earlier page queued but never saw acknowledged: shown as sending again.
      for (const frame of this.socket.queued) {
        if (this.model.rooms.has(frame.room)) this.model.addPending(frame.room, frame.client_id, frame.text, { replyTo: frame.reply_to ?? null }, this.outboxStore.queuedAt(frame.client_id));
      }
    }
    let last = null;
    try {
      last = Number(storageOrNull()?.getItem(LAST_ROOM_KEY + this.me)) || null;
    } catch {
      // none
    }
    const wanted = this.#room ?? parseRoute(location.hash);
    const id = chooseRoom(wanted, this.model.rooms, last);
    if (id !== this.#room) this.showRoom(id, { replace: true });
  }

  #onStatus({ state, reconnect }) {
    this.#ui.banner.hidden = state !== 'reconnecting';
    this.#ui.chatView.classList.toggle('offline', state === 'reconnecting');
    if (state === 'reconnecting') this.composer.resetTyping();
    if (state === 'online' && reconnect) {
      this.#watching = ''; // the server forgot what this connection watched
      this.#requestLatest();
      this.panel.refresh();
      this.#updateWatch();
      this.view.resume();
    }
  }

  // ------------------------------------------------------------ actions

  #sendMessage(room, text, replyTo = null, file = null) {
    const clientId = newClientId();
    this.model.addPending(room, clientId, text, { replyTo, file });
    const frame = { type: 'send', room, client_id: clientId, text };
    if (replyTo) frame.reply_to = replyTo;
    if (file) frame.file = file.id;
    this.socket.send(frame);
    this.view.scrollToBottom();
  }

  #command(frame) {
    if (this.socket.send(frame)) return true;
    this.#notice('Not connected. Try again in a moment.', 6000);
    return false;
  }

  async #action(kind, room, ref) {
    if (kind === 'edit') this.composer.startEdit(ref);
    else if (kind === 'reply') this.composer.startReply(ref);
    else if (kind === 'delete') {
      if (this.composer.editingId === ref) this.composer.cancelEdit();
      const ok = await confirmDialog(this.#ui.confirmDialog, { message: 'Delete this message for everyone?', ok: 'Delete' });
      if (ok) this.socket.send({ type: 'delete', id: ref });
    } else if (kind === 'retry') {
      const p = this.model.retryPending(room, ref);
      if (p) this.socket.send({ type: 'send', room, client_id: ref, text: p.text, ...(p.replyTo ? { reply_to: p.replyTo } : {}), ...(p.file ? { file: p.file.id } : {}) });
    } else if (kind === 'remove') {
      this.model.removePending(room, ref);
      this.socket.drop(ref);
    }
  }

  #announce(msg) {
    if (msg.user === this.me || msg.deleted) return;
    const line = document.createElement('p');
    line.textContent = `${msg.user}: ${msg.text || (msg.file ? `sent ${msg.file.name}` : '')}`;
    this.#ui.announcer.append(line);
    while (this.#ui.announcer.childElementCount > 3) this.#ui.announcer.firstElementChild.remove();
  }
}
