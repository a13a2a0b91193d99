// The sidebar: rooms, then direct messages, each a link to its room (#/room/<id>) with its
// unread count and mention badge (bold while unread) and the user's notification level. Drawn
// from the model; a badge change redraws only that room's entry. On a phone it is a drawer.

import { el } from './message_item.js';
import { badgeText, roomTitle } from './model.js';
import { routeHash } from './router.js';

// The level is marked where it differs from the kind's default (rooms: mentions, DMs: all).
function levelMark(room) {
  if (room.notify === 'none') return '🔕';
  if (room.kind === 'dm') return room.notify === 'mentions' ? '@' : '';
  return room.notify === 'all' ? '🔔' : '';
}

export class Sidebar {
  #ui;
  #model;
  #current = null;
  #entries = new Map(); // room id -> li
  #offs;
  #listeners = new AbortController();

  // ui: { roomList, dmList, toggle, view (the element whose class opens the drawer) }
  constructor(ui, model) {
    this.#ui = ui;
    this.#model = model;
    this.#offs = [
      model.on('rooms', () => this.render()),
      model.on('room', ({ room }) => this.#update(room)),
      model.on('presence', () => this.#updateDms()),
    ];
    const opts = { signal: this.#listeners.signal }; // a later login's Sidebar adds its own
    ui.toggle.addEventListener('click', () => this.setOpen(!ui.view.classList.contains('show-sidebar')), opts);
    ui.roomList.parentElement.addEventListener('click', (e) => {
      if (e.target.closest('a')) this.setOpen(false);
    }, opts);
    ui.roomList.parentElement.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || !ui.view.classList.contains('show-sidebar')) return;
      this.setOpen(false);
      ui.toggle.focus();
    }, opts);
  }

  destroy() {
    this.#offs.forEach((off) => off());
    this.#listeners.abort();
    this.setOpen(false);
    this.#ui.roomList.replaceChildren();
    this.#ui.dmList.replaceChildren();
    this.#entries.clear();
  }

  setOpen(open) {
    this.#ui.view.classList.toggle('show-sidebar', open);
    this.#ui.toggle.setAttribute('aria-expanded', String(open));
  }

  setCurrent(roomId) {
    this.#current = roomId;
    for (const [id, li] of this.#entries) {
      const a = li.querySelector('a');
      if (id === roomId) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  render() {
    const { rooms, dms } = this.#model.sortedRooms();
    this.#entries.clear();
    this.#ui.roomList.replaceChildren(...rooms.map((r) => this.#entry(r)));
    this.#ui.dmList.replaceChildren(...dms.map((r) => this.#entry(r)));
    this.setCurrent(this.#current);
  }

  #entry(room) {
    const li = el('li', 'room-entry');
    li.dataset.room = String(room.id);
    const a = el('a', 'room-link');
    a.href = routeHash(room.id);
    a.append(el('span', 'room-presence'), el('span', 'room-name'), el('span', 'room-level'), el('span', 'badge mention-badge'), el('span', 'badge unread-badge'));
    li.append(a);
    this.#entries.set(room.id, li);
    this.#fill(li, room);
    return li;
  }

  #update(roomId) {
    const room = this.#model.rooms.get(roomId);
    const li = this.#entries.get(roomId);
    if (!room || !li) {
      if (room) this.render();
      return;
    }
    const before = li.querySelector('.room-name').textContent;
    this.#fill(li, room);
    if (before !== li.querySelector('.room-name').textContent) this.render(); // a rename moves it
  }

  #updateDms() {
    for (const [id, li] of this.#entries) {
      const room = this.#model.rooms.get(id);
      if (room?.kind === 'dm') this.#fill(li, room);
    }
  }

  #fill(li, room) {
    const me = this.#model.me;
    const title = roomTitle(room, me);
    const a = li.querySelector('a');
    const prefix = room.kind === 'dm' ? '' : room.kind === 'private' ? '🔒 ' : '# ';
    li.querySelector('.room-name').textContent = prefix + title;
    li.classList.toggle('unread', room.unread > 0);
    li.classList.toggle('archived', room.archived);
    li.classList.toggle('private', room.kind === 'private');
    const unread = li.querySelector('.unread-badge');
    unread.textContent = room.unread > 0 ? badgeText(room.unread) : '';
    unread.hidden = room.unread === 0;
    const mention = li.querySelector('.mention-badge');
    mention.textContent = room.mentions > 0 ? `@${badgeText(room.mentions)}` : '';
    mention.hidden = room.mentions === 0;
    const level = li.querySelector('.room-level');
    level.textContent = levelMark(room);
    level.title = `Notifications: ${{ all: 'every message', mentions: 'mentions only', none: 'none' }[room.notify] ?? room.notify}`;
    const presence = li.querySelector('.room-presence');
    if (room.kind === 'dm') {
      const others = (room.members ?? []).filter((m) => m !== me);
      const online = others.some((m) => this.#model.presence.get(m));
      presence.textContent = online ? '●' : '○';
      presence.classList.toggle('online', online);
    } else presence.textContent = '';
    const parts = [title];
    if (room.kind === 'private') parts.push('private room');
    if (room.kind === 'dm') parts.push('direct message');
    if (room.archived) parts.push('archived');
    if (room.unread) parts.push(`${badgeText(room.unread)} unread`);
    if (room.mentions) parts.push(`${badgeText(room.mentions)} mentioning you`);
    parts.push(`notifications: ${room.notify === 'all' ? 'every message' : room.notify === 'none' ? 'none' : 'mentions only'}`);
    a.setAttribute('aria-label', parts.join(', '));
  }
}
