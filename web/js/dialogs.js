// Dialogs (<dialog> elements in index.html): create a room, start a DM, confirm a deletion or
// leaving. Picking people uses the `members` command of room 1 (`general`, open, so every user is
// in it) with the typed prefix.

import { el } from './message_item.js';

const PICK_LIMIT = 20;

export function parseNames(text) {
  return [...new Set(String(text).split(/[\s,]+/).map((s) => s.replace(/^@/, '')).filter(Boolean))];
}

// Asks yes or no; resolves to true when the user confirms.
export function confirmDialog(dialog, { message, ok = 'OK' }) {
  return new Promise((resolve) => {
    dialog.querySelector('.confirm-text').textContent = message;
    const okButton = dialog.querySelector('.confirm-ok');
    okButton.textContent = ok;
    const done = () => {
      dialog.removeEventListener('close', done);
      resolve(dialog.returnValue === 'ok');
    };
    dialog.returnValue = '';
    dialog.addEventListener('close', done);
    dialog.showModal();
    okButton.focus();
  });
}

// A people picker: a search box whose matches (from `members` of general) can be ticked.
class Picker {
  #root;
  #model;
  #ask;
  #picked = new Set();
  #prefix = null;
  #timer = null;

  constructor(root, model, ask, signal) {
    this.#root = root;
    this.#model = model;
    this.#ask = ask;
    const search = root.querySelector('.pick-search');
    search.addEventListener('input', () => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#search(search.value.trim()), 120);
    }, { signal });
    root.querySelector('.pick-results').addEventListener('change', (e) => {
      const box = e.target.closest('input[type="checkbox"]');
      if (!box) return;
      if (box.checked) this.#picked.add(box.value);
      else this.#picked.delete(box.value);
      this.#renderPicked();
    }, { signal });
    const off = model.on('members', (d) => d.room === 1 && d.prefix === this.#prefix && this.#results(d.users));
    signal.addEventListener('abort', () => {
      off();
      clearTimeout(this.#timer);
    });
  }

  get picked() {
    return [...this.#picked];
  }

  reset() {
    this.#picked.clear();
    this.#root.querySelector('.pick-search').value = '';
    // The last opening's ticked boxes must not show: they would look chosen but not count.
    this.#root.querySelector('.pick-results').replaceChildren();
    this.#renderPicked();
    this.#search('');
  }

  #search(prefix) {
    this.#prefix = prefix;
    this.#ask(1, prefix, PICK_LIMIT);
  }

  #results(users) {
    const list = this.#root.querySelector('.pick-results');
    const names = users.map((u) => u.name).filter((n) => n !== this.#model.me);
    list.replaceChildren(
      ...names.map((name) => {
        const li = el('li');
        const label = el('label');
        const box = el('input');
        box.type = 'checkbox';
        box.value = name;
        box.checked = this.#picked.has(name);
        label.append(box, document.createTextNode(` ${name}`));
        li.append(label);
        return li;
      }),
    );
    if (names.length === 0) list.append(el('li', 'hint', 'Nobody by that name.'));
  }

  #renderPicked() {
    const out = this.#root.querySelector('.pick-chosen');
    out.textContent = this.#picked.size ? `Chosen: ${this.picked.join(', ')}` : 'Nobody chosen yet.';
  }
}

// The "create room" and "start a DM" dialogs. send(frame) goes to the socket; a `created` event
// with our client_id closes the dialog and opens the room, an error with it is shown inside.
export class RoomDialogs {
  #ui;
  #model;
  #send;
  #open;
  #newId;
  #waiting = null; // { ref, dialog }
  #dmPicker;
  #roomPicker;
  #listeners = new AbortController();

  // ui: { createDialog, dmDialog }; send(frame) -> bool; open(roomId); newId() -> client_id;
  // members(room, prefix, limit)
  constructor(ui, model, { send, open, newId, members }) {
    this.#ui = ui;
    this.#model = model;
    this.#send = send;
    this.#open = open;
    this.#newId = newId;
    const signal = this.#listeners.signal; // a later login's dialogs add their own
    this.#dmPicker = new Picker(ui.dmDialog, model, members, signal);
    this.#roomPicker = new Picker(ui.createDialog, model, members, signal);
    ui.createDialog.querySelector('form').addEventListener('submit', (e) => this.#submitCreate(e), { signal });
    ui.dmDialog.querySelector('form').addEventListener('submit', (e) => this.#submitDm(e), { signal });
    for (const d of [ui.createDialog, ui.dmDialog]) {
      d.querySelector('.dialog-cancel').addEventListener('click', () => d.close(), { signal });
    }
    ui.createDialog.addEventListener('change', (e) => {
      if (e.target.name === 'kind') this.#syncKind();
    }, { signal });
    const offs = [];
    signal.addEventListener('abort', () => offs.forEach((off) => off()));
    offs.push(model.on('created', ({ room, ref }) => {
      if (this.#waiting?.ref !== ref) return;
      this.#waiting.dialog.close();
      this.#waiting = null;
      this.#open(room);
    }));
    offs.push(model.on('error', ({ event }) => {
      if (!this.#waiting || event.ref !== this.#waiting.ref) return;
      this.#error(this.#waiting.dialog, event.message ?? event.code);
      this.#waiting = null;
    }));
  }

  destroy() {
    this.#listeners.abort();
    for (const d of [this.#ui.createDialog, this.#ui.dmDialog]) if (d.open) d.close();
  }

  // True when the error event is about one of our dialogs (the app need not show it again).
  owns(ref) {
    return this.#waiting?.ref === ref;
  }

  openCreate() {
    const d = this.#ui.createDialog;
    d.querySelector('form').reset();
    this.#error(d, '');
    this.#roomPicker.reset();
    this.#syncKind();
    d.showModal();
    d.querySelector('[name="name"]').focus();
  }

  openDm() {
    const d = this.#ui.dmDialog;
    this.#error(d, '');
    this.#dmPicker.reset();
    d.showModal();
    d.querySelector('.pick-search').focus();
  }

  #syncKind() {
    const d = this.#ui.createDialog;
    const priv = d.querySelector('[name="kind"]:checked')?.value === 'private';
    d.querySelector('.private-only').hidden = !priv;
  }

  #error(dialog, text) {
    const p = dialog.querySelector('.dialog-error');
    p.textContent = text;
    p.hidden = text === '';
  }

  #submitCreate(e) {
    e.preventDefault();
    const d = this.#ui.createDialog;
    const name = d.querySelector('[name="name"]').value.trim();
    const kind = d.querySelector('[name="kind"]:checked')?.value ?? 'open';
    if (!name || name.length > 64) {
      this.#error(d, 'A room name is 1–64 characters.');
      return;
    }
    const frame = { type: 'create_room', kind, name, client_id: this.#newId() };
    if (kind === 'private' && this.#roomPicker.picked.length) frame.users = this.#roomPicker.picked;
    this.#request(d, frame);
  }

  #submitDm(e) {
    e.preventDefault();
    const d = this.#ui.dmDialog;
    const users = this.#dmPicker.picked;
    if (users.length > 7) {
      this.#error(d, 'A direct message has at most 8 people, you included.');
      return;
    }
    this.#request(d, { type: 'open_dm', users, client_id: this.#newId() });
  }

  #request(dialog, frame) {
    if (!this.#send(frame)) {
      this.#error(dialog, 'Not connected. Try again in a moment.');
      return;
    }
    this.#error(dialog, '');
    this.#waiting = { ref: frame.client_id, dialog };
  }
}
