// The open room's header (title, notification level, archived state) and its members panel:
// who is in it and online, and what the user may do — add members and leave (private rooms),
// rename, archive and remove members (the creator). Open rooms list their members with the
// `members` command (first page); private rooms and DMs carry theirs in the room object.

import { el } from './message_item.js';
import { roomTitle } from './model.js';
import { parseNames } from './dialogs.js';

const MEMBERS_PAGE = 100;

export class RoomPanel {
  #ui;
  #model;
  #cb;
  #room = null;
  #page = []; // [{ name, online }] from the last `members` answer for the open room
  #more = false;
  #askedAt = 0;
  #offs;
  #listeners = new AbortController();

  // ui: { title, meta, notify, archivedNote, toggle, close, panel, list, more, admin, addForm, renameForm,
  //       archive, leave, view }; callbacks: send(frame) -> bool, members(room, prefix, limit),
  //       confirm({ message, ok }) -> Promise<bool>, watchChanged()
  constructor(ui, model, callbacks) {
    this.#ui = ui;
    this.#model = model;
    this.#cb = callbacks;
    this.#offs = [
      model.on('room', ({ room }) => room === this.#room && this.#render()),
      model.on('presence', () => this.#renderMembers()),
      model.on('members', (d) => this.#onMembers(d)),
      // Nobody announces new accounts: someone unknown speaking in an open room means the list
      // is stale (asked again at most every few seconds).
      model.on('messages', (d) => d.room === this.#room && d.fresh.some((m) => !this.#known(m.user)) && this.#refreshSoon()),
    ];
    const opts = { signal: this.#listeners.signal }; // a later login's panel adds its own
    ui.notify.addEventListener('change', () => this.#cb.send({ type: 'notify', room: this.#room, level: ui.notify.value }), opts);
    ui.toggle.addEventListener('click', () => this.setOpen(!ui.view.classList.contains('show-members')), opts);
    ui.close.addEventListener('click', () => {
      this.setOpen(false);
      ui.toggle.focus();
    }, opts);
    ui.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.setOpen(false);
        ui.toggle.focus();
      }
    }, opts);
    ui.addForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const input = ui.addForm.querySelector('input');
      const users = parseNames(input.value);
      if (users.length && this.#cb.send({ type: 'add_members', room: this.#room, users })) input.value = '';
    }, opts);
    ui.renameForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const name = ui.renameForm.querySelector('input').value.trim();
      if (name) this.#cb.send({ type: 'rename_room', room: this.#room, name });
    }, opts);
    ui.archive.addEventListener('click', () => {
      const room = this.#model.rooms.get(this.#room);
      if (room) this.#cb.send({ type: 'archive_room', room: room.id, archived: !room.archived });
    }, opts);
    ui.leave.addEventListener('click', async () => {
      const room = this.#model.rooms.get(this.#room);
      if (!room) return;
      if (await this.#cb.confirm({ message: `Leave ${roomTitle(room, this.#model.me)}? You will need someone to add you again.`, ok: 'Leave' })) {
        this.#cb.send({ type: 'leave_room', room: room.id });
      }
    }, opts);
    ui.list.addEventListener('click', async (e) => {
      const b = e.target.closest('button.member-remove');
      if (!b) return;
      const user = b.dataset.user;
      if (await this.#cb.confirm({ message: `Remove ${user} from this room?`, ok: 'Remove' })) {
        this.#cb.send({ type: 'remove_member', room: this.#room, user });
      }
    }, opts);
  }

  destroy() {
    this.#offs.forEach((off) => off());
    this.#listeners.abort();
    this.setOpen(false);
  }

  setOpen(open) {
    this.#ui.view.classList.toggle('show-members', open);
    this.#ui.toggle.setAttribute('aria-expanded', String(open));
    if (open) this.refresh();
  }

  // Names of the open room's first page of members, for `watch`.
  get pageNames() {
    return this.#page.map((u) => u.name);
  }

  show(roomId) {
    this.#room = roomId;
    this.#page = [];
    this.#more = false;
    this.#render();
    this.refresh();
  }

  // Asks for the member list again (shown a room, reconnected).
  refresh() {
    const room = this.#model.rooms.get(this.#room);
    if (room && !room.members) this.#cb.members(room.id, '', MEMBERS_PAGE);
  }

  #known(name) {
    const room = this.#model.rooms.get(this.#room);
    return (room?.members ?? this.#page.map((u) => u.name)).includes(name) || room?.members !== null;
  }

  #refreshSoon() {
    const now = Date.now();
    if (now - this.#askedAt < 5000) return;
    this.#askedAt = now;
    this.refresh();
  }

  #onMembers({ room, prefix, users, hasMore }) {
    if (room !== this.#room || prefix !== '') return;
    this.#page = users;
    this.#more = hasMore;
    this.#renderMembers();
    this.#cb.watchChanged();
  }

  #render() {
    const room = this.#model.rooms.get(this.#room);
    const ui = this.#ui;
    if (!room) return;
    const me = this.#model.me;
    const title = roomTitle(room, me);
    ui.title.textContent = room.kind === 'dm' ? title : `${room.kind === 'private' ? '🔒' : '#'} ${title}`;
    const kind = { open: 'Open room', private: 'Private room', dm: 'Direct message' }[room.kind] ?? room.kind;
    ui.meta.textContent = `${kind} · ${room.memberCount} member${room.memberCount === 1 ? '' : 's'}`;
    ui.notify.value = room.notify;
    ui.archivedNote.hidden = !room.archived;
    const creator = room.creator === me;
    const canManage = room.kind !== 'dm';
    ui.admin.hidden = false; // every member may download the history; the rest depends
    ui.addForm.hidden = room.kind !== 'private' || room.archived;
    ui.renameForm.hidden = !creator || !canManage;
    ui.archive.hidden = !canManage || (!creator && this.#model.admin !== true);
    ui.archive.textContent = room.archived ? 'Unarchive room' : 'Archive room';
    ui.leave.hidden = room.kind !== 'private';
    ui.exportLink.href = `/api/rooms/${room.id}/export?format=markdown`;
    const renameInput = ui.renameForm.querySelector('input');
    if (document.activeElement !== renameInput) renameInput.value = room.name ?? '';
    this.#renderMembers();
    this.#cb.watchChanged();
  }

  #renderMembers() {
    const room = this.#model.rooms.get(this.#room);
    if (!room) return;
    const me = this.#model.me;
    const names = room.members ?? this.#page.map((u) => u.name);
    const removable = room.kind === 'private' && room.creator === me;
    const online = names.filter((n) => n === me || this.#model.presence.get(n)).length;
    this.#ui.toggle.textContent = `Members (${names.length}${this.#more ? '+' : ''}, ${online} online)`;
    this.#ui.list.replaceChildren(
      ...names.map((name) => {
        const isOnline = name === me || this.#model.presence.get(name) === true;
        const li = el('li', isOnline ? 'member online' : 'member');
        li.dataset.user = name;
        li.append(el('span', 'member-dot', isOnline ? '●' : '○'), el('span', 'member-name', name));
        if (name === me) li.append(el('span', 'you', ' (you)'));
        li.querySelector('.member-dot').setAttribute('aria-label', isOnline ? 'online' : 'offline');
        if (removable && name !== me) {
          const b = el('button', 'member-remove', 'Remove');
          b.type = 'button';
          b.dataset.user = name;
          b.setAttribute('aria-label', `Remove ${name} from the room`);
          li.append(b);
        }
        return li;
      }),
    );
    const extra = room.memberCount - names.length;
    this.#ui.more.textContent = extra > 0 ? `and ${extra} more` : '';
  }
}
