// The client's state, which the screen is drawn from: rooms with their unread state, receipts
// and notification level, the messages held per room, presence and typing. Server events go in
// through apply(); what changed comes out as calls of the listeners given to on(). No DOM, no
// socket: the same events always give the same state (tests/web/model.test.mjs).
//
// Notifications (listener type, detail):
//   rooms     {}                             the set of rooms or their order changed
//   room      { room }                       a room's name, state, badges or level changed
//   removed   { room }                       we are no longer a member
//   messages  { room, added, updated, fresh, live }  messages held that are new (added, each with
//                                            `fresh` when it is new to us) or changed (updated:
//                                            text, reactions, reply count, a reply's quote);
//                                            `fresh`: every message new to us, held or not
//   page      { room, older, newer, around, added }  a history page arrived (older: `before`,
//                                            newer: `after`, around: the id it was asked around)
//   search    { event }                      a `search` answer
//   receipts  { room, from, to }             others_read moved from `from` to `to`
//   pending   { room, clientId }             one of our messages was queued, failed or removed
//   ack       { room, clientId, id }         one of our messages was stored
//   typing    { room }
//   presence  { names }
//   members   { room, prefix, users, hasMore }  a `members` answer
//   created   { room, ref }                  a room arrived that we asked for (`ref`)
//   seen_by   { room, id, users }
//   error     { event }                      an error the app should show

import { mentionsUser } from './mentions.js';
import { applyReaction } from './reactions.js';
import { refreshQuotes } from './replies.js';
import { CAP, badgeText, roomFrom, roomTitle } from './room_state.js';

export { CAP, badgeText, roomTitle };

export class ChatModel {
  me;
  admin = false; // an administrator: may delete anyone's message and archive any room
  rooms = new Map(); // id -> room (see roomFrom)
  presence = new Map(); // username -> online
  #listeners = new Map();
  #now;

  constructor(me, { now = () => Date.now() } = {}) {
    this.me = me;
    this.#now = now;
  }

  on(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.#listeners.get(type).delete(fn);
  }

  #emit(type, detail = {}) {
    for (const fn of this.#listeners.get(type) ?? []) fn(detail);
  }

  // Rooms as the sidebar lists them: open and private rooms by name, then DMs by title.
  sortedRooms() {
    const byTitle = (a, b) => roomTitle(a, this.me).localeCompare(roomTitle(b, this.me));
    const all = [...this.rooms.values()];
    return {
      rooms: all.filter((r) => r.kind !== 'dm').sort(byTitle),
      dms: all.filter((r) => r.kind === 'dm').sort(byTitle),
    };
  }

  // What the title and the favicon count: unread messages of rooms that notify for every message,
  // mentions of the others (a muted or mentions-only room's chatter is no reason to look).
  totalUnread() {
    let n = 0;
    for (const r of this.rooms.values()) n += r.notify === 'all' ? r.unread : r.mentions;
    return n;
  }

  // Everyone the screen shows for `roomId`: its members as far as known, and every DM's members.
  watchList(roomId, openRoomPage = []) {
    const names = new Set();
    const room = this.rooms.get(roomId);
    for (const name of room?.members ?? openRoomPage) names.add(name);
    for (const r of this.rooms.values()) if (r.kind === 'dm') for (const m of r.members ?? []) names.add(m);
    names.delete(this.me);
    return [...names].sort().slice(0, 500);
  }

  // ------------------------------------------------------------ our own messages

  // extras: { replyTo (a message id), file (an upload: { id, name, ... }) }, kept for a retry.
  addPending(room, clientId, text, { replyTo = null, file = null } = {}, ts = this.#now()) {
    const r = this.rooms.get(room);
    if (!r) return false;
    r.messages.pending.set(clientId, { clientId, room, text, ts, replyTo, file, failed: false, reason: '' });
    this.#emit('pending', { room, clientId });
    return true;
  }

  removePending(room, clientId) {
    const r = this.rooms.get(room);
    if (r?.messages.pending.delete(clientId)) this.#emit('pending', { room, clientId });
  }

  retryPending(room, clientId) {
    const p = this.rooms.get(room)?.messages.pending.get(clientId);
    if (!p) return null;
    p.failed = false;
    p.reason = '';
    this.#emit('pending', { room, clientId });
    return p;
  }

  #findPending(clientId) {
    for (const r of this.rooms.values()) {
      const p = r.messages.pending.get(clientId);
      if (p) return p;
    }
    return null;
  }

  // ------------------------------------------------------------ server events

  apply(event) {
    switch (event.type) {
      case 'hello':
        return this.#onHello(event);
      case 'sync':
        return this.#onSync(event);
      case 'room':
        return this.#onRoom(event.room, event.ref);
      case 'room_removed':
        return this.#removeRoom(event.room);
      case 'message':
        return this.#onMessages([event], true);
      case 'ack':
        return this.#onAck(event);
      case 'history':
        return this.#onHistory(event);
      case 'edited':
        return this.#onEdited(event);
      case 'deleted':
        return this.#onDeleted(event);
      case 'reaction':
        return this.#patchMessage(event, (msg) => ({ reactions: applyReaction(msg.reactions, event, this.me) }));
      case 'replies':
        return this.#patchMessage(event, () => ({ replies: event.count }));
      case 'read':
        return this.#onRead(event);
      case 'receipt':
        if (event.user !== this.me) this.#moveOthersRead(event.room, event.id);
        return undefined;
      case 'notify':
        return this.#patchRoom(event.room, { notify: event.level });
      case 'typing':
        return this.#onTyping(event);
      case 'presence':
        return this.#onPresence(event.online ?? [], event.offline ?? []);
      case 'members':
        this.#onPresence(
          (event.users ?? []).filter((u) => u.online).map((u) => u.name),
          (event.users ?? []).filter((u) => !u.online).map((u) => u.name),
        );
        this.#emit('members', { room: event.room, prefix: event.prefix ?? '', users: event.users ?? [], hasMore: Boolean(event.has_more) });
        return undefined;
      case 'search':
        this.#emit('search', { event });
        return undefined;
      case 'seen_by':
        this.#emit('seen_by', { room: event.room, id: event.id, users: event.users ?? [] });
        return undefined;
      case 'error':
        return this.#onError(event);
      default:
        return undefined; // something newer than this client
    }
  }

  #onHello(hello) {
    const seen = new Set();
    for (const obj of hello.rooms ?? []) {
      seen.add(obj.id);
      const previous = this.rooms.get(obj.id) ?? null;
      const room = roomFrom(obj, previous);
      const from = previous?.othersRead ?? room.othersRead;
      room.typing.clear(); // the server forgot every typing state of the old connection
      this.rooms.set(obj.id, room);
      if (previous && room.othersRead > from) this.#emit('receipts', { room: room.id, from, to: room.othersRead });
    }
    if (!hello.rooms_truncated) for (const id of [...this.rooms.keys()]) if (!seen.has(id)) this.#removeRoom(id);
    this.#emit('rooms');
  }

  #onSync(reply) {
    for (const obj of reply.rooms ?? []) this.#onRoom(obj, null);
    for (const id of reply.removed ?? []) this.#removeRoom(id);
    this.#onMessages(reply.messages ?? [], false);
  }

  #onRoom(obj, ref) {
    if (!obj || typeof obj.id !== 'number') return;
    const previous = this.rooms.get(obj.id) ?? null;
    // A room object carries no unread state: what we counted stays.
    const room = roomFrom({ ...obj, last_id: undefined, marker: undefined, unread: undefined, mentions: undefined, others_read: undefined, notify: undefined }, previous);
    this.rooms.set(obj.id, room);
    this.#emit(previous ? 'room' : 'rooms', { room: obj.id });
    if (!previous) this.#emit('room', { room: obj.id });
    if (ref !== null && ref !== undefined) this.#emit('created', { room: obj.id, ref });
  }

  #removeRoom(id) {
    if (!this.rooms.delete(id)) return;
    this.#emit('removed', { room: id });
    this.#emit('rooms');
  }

  #patchRoom(id, fields) {
    const room = this.rooms.get(id);
    if (!room) return;
    Object.assign(room, fields);
    this.#emit('room', { room: id });
  }

  // Full message objects from `message` events (live) or a sync page. A message with an id above
  // the room's newest is new: it counts as unread when someone else wrote it after our marker.
  #onMessages(messages, live) {
    const byRoom = new Map();
    for (const msg of messages) {
      const room = this.rooms.get(msg.room);
      if (!room) continue;
      if (!byRoom.has(room)) byRoom.set(room, { added: [], updated: [], fresh: [], badges: false });
      const change = byRoom.get(room);
      const fresh = msg.id > room.lastId;
      if (fresh) {
        room.lastId = msg.id;
        change.badges = this.#countNew(room, msg) || change.badges;
        change.fresh.push({ ...msg, fresh });
      }
      const result = room.messages.upsert(msg);
      if (result === 'added') change.added.push({ ...room.messages.get(msg.id), fresh });
      else if (result === 'updated') change.updated.push(room.messages.get(msg.id));
      if (live && msg.user !== this.me && room.typing.update(msg.user, false, this.#now())) this.#emit('typing', { room: room.id });
    }
    for (const [room, change] of byRoom) {
      if (change.badges) this.#emit('room', { room: room.id });
      if (change.added.length || change.updated.length || change.fresh.length) {
        this.#emit('messages', { room: room.id, added: change.added, updated: change.updated, fresh: change.fresh, live });
      }
    }
  }

  // Returns whether the room's badges changed. Our own messages never count (and sending does
  // not move our read marker: docs/protocol.md, `send`).
  #countNew(room, msg) {
    if (msg.user === this.me) return false;
    if (msg.deleted || msg.id <= room.marker) return false;
    room.unread = Math.min(CAP, room.unread + 1);
    if (mentionsUser(msg, this.me)) room.mentions = Math.min(CAP, room.mentions + 1);
    return true;
  }

  #onAck({ client_id: clientId, room: roomId, id, ts }) {
    const pending = this.#findPending(clientId);
    const room = this.rooms.get(roomId ?? pending?.room);
    if (!room) return;
    room.messages.pending.delete(clientId);
    if (pending && !room.messages.get(id)) {
      const msg = { id, room: room.id, seq: 0, user: this.me, text: pending.text, ts, edited: false, deleted: false };
      this.#onMessages([msg], true);
    }
    this.#emit('ack', { room: room.id, clientId, id });
  }

  #onHistory(event) {
    const room = this.rooms.get(event.room);
    if (!room) return;
    const older = event.before !== null && event.before !== undefined;
    let counted = false;
    for (const msg of event.messages ?? []) {
      if (msg.id > room.lastId) {
        room.lastId = msg.id;
        counted = this.#countNew(room, msg) || counted;
      }
    }
    const added = room.messages.addPage(event);
    if (counted) this.#emit('room', { room: room.id });
    const newer = event.after !== null && event.after !== undefined;
    this.#emit('page', { room: room.id, older, newer, around: event.around ?? null, added });
  }

  #onEdited({ room: roomId, id, seq, text, mentions }) {
    const room = this.rooms.get(roomId);
    if (!room) return;
    const before = room.messages.get(id);
    const wasMention = before ? mentionsUser(before, this.me) : false;
    const msg = room.messages.patch(id, seq, { text, mentions: mentions ?? [], edited: true });
    if (!msg) return;
    const isMention = mentionsUser(msg, this.me);
    if (id > room.marker && wasMention !== isMention) {
      room.mentions = Math.max(0, Math.min(CAP, room.mentions + (isMention ? 1 : -1)));
      this.#emit('room', { room: roomId });
    }
    this.#emit('messages', { room: roomId, added: [], updated: [msg, ...refreshQuotes(room.messages, id, msg)], fresh: [], live: true });
  }

  #onDeleted({ room: roomId, id, seq }) {
    const room = this.rooms.get(roomId);
    if (!room) return;
    const before = room.messages.get(id);
    const counted = before && !before.deleted && before.user !== this.me && id > room.marker;
    const wasMention = counted && mentionsUser(before, this.me);
    const msg = room.messages.patch(id, seq, { text: '', mentions: [], deleted: true });
    if (!msg) return;
    if (counted) {
      room.unread = Math.max(0, room.unread - 1);
      if (wasMention) room.mentions = Math.max(0, room.mentions - 1);
      this.#emit('room', { room: roomId });
    }
    this.#emit('messages', { room: roomId, added: [], updated: [msg, ...refreshQuotes(room.messages, id, msg)], fresh: [], live: true });
  }

  // A change shown with a held message (its reactions, its reply count): `fields(msg)` says what.
  #patchMessage({ room: roomId, id, seq }, fields) {
    const room = this.rooms.get(roomId);
    const held = room?.messages.get(id);
    if (!held) return;
    const msg = room.messages.patch(id, seq, fields(held));
    if (msg) this.#emit('messages', { room: roomId, added: [], updated: [msg], fresh: [], live: true });
  }

  #onRead({ room: roomId, id, unread, mentions }) {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.marker = Math.max(room.marker, id);
    room.unread = unread ?? room.unread;
    room.mentions = mentions ?? room.mentions;
    this.#emit('room', { room: roomId });
  }

  #moveOthersRead(roomId, id) {
    const room = this.rooms.get(roomId);
    if (!room || !(id > room.othersRead)) return;
    const from = room.othersRead;
    room.othersRead = id;
    this.#emit('receipts', { room: roomId, from, to: id });
  }

  #onTyping({ room: roomId, user, active }) {
    const room = this.rooms.get(roomId);
    if (!room || user === this.me) return;
    if (room.typing.update(user, Boolean(active), this.#now())) this.#emit('typing', { room: roomId });
  }

  #onPresence(online, offline) {
    const names = [];
    for (const name of online) {
      if (this.presence.get(name) !== true) names.push(name);
      this.presence.set(name, true);
    }
    for (const name of offline) {
      if (this.presence.get(name) !== false) names.push(name);
      this.presence.set(name, false);
    }
    if (names.length) this.#emit('presence', { names });
  }

  #onError(event) {
    if (typeof event.ref === 'string') {
      const pending = this.#findPending(event.ref);
      if (pending) {
        pending.failed = true;
        pending.reason = event.message ?? event.code;
        this.#emit('pending', { room: pending.room, clientId: pending.clientId });
      }
    }
    this.#emit('error', { event });
  }
}
