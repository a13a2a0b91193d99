// The composer: what is typed, per room (a draft stays with its room), editing one's own
// message, replying to a message, typing indicators both ways, and @-autocomplete of the room's
// members (asked from the server with `members` and a prefix).

import { completeMention, mentionQuery } from './mentions.js';
import { cleanMessageText } from './message_text.js';
import { quoteText } from './replies.js';
import { TypingSender, typingSentence } from './typing.js';

export const MAX_TEXT = 4000; // code points, as the server counts
const SUGGEST_LIMIT = 8;
const SUGGEST_DELAY_MS = 120;

function codePoints(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export class Composer {
  #ui;
  #model;
  #cb;
  #room = null;
  #drafts = new Map(); // room -> text
  #editingId = null;
  #draftBeforeEdit = '';
  #replyTo = null; // { id, user, text } of the message the next one answers
  #typing;
  #typingTimer = null;
  #query = null; // { start, prefix } being completed
  #suggestTimer = null;
  #choices = [];
  #active = -1;
  #listeners = new AbortController();

  // ui: { form, input, send, typing, editBanner, replyBanner, suggest }; callbacks:
  // send(room, text, replyTo),
  // edit(id, text), typing(room, active), members(room, prefix, limit), notice(text),
  // markEditing(id, on), lastEditable(room).
  constructor(ui, model, callbacks) {
    this.#ui = ui;
    this.#model = model;
    this.#cb = callbacks;
    this.#typing = new TypingSender((active) => this.#room !== null && this.#cb.typing(this.#room, active));
    const opts = { signal: this.#listeners.signal };
    ui.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    }, opts);
    ui.input.addEventListener('keydown', (e) => this.#onKeyDown(e), opts);
    ui.input.addEventListener('input', () => this.#onInput(), opts);
    ui.replyBanner.querySelector('.reply-cancel').addEventListener('click', () => {
      this.cancelReply();
      ui.input.focus();
    }, opts);
    ui.input.addEventListener('blur', () => setTimeout(() => this.#closeSuggest(), 150), opts);
    ui.suggest.addEventListener('mousedown', (e) => e.preventDefault(), opts); // keep the focus
    ui.suggest.addEventListener('click', (e) => {
      const li = e.target.closest('[role="option"]');
      if (li) this.#choose(Number(li.dataset.index));
    }, opts);
    const offs = [
      model.on('typing', (d) => d.room === this.#room && this.#renderTyping()),
      model.on('members', (d) => this.#onMembers(d)),
      model.on('room', (d) => d.room === this.#room && this.#renderState()),
    ];
    this.#listeners.signal.addEventListener('abort', () => offs.forEach((off) => off()));
  }

  destroy() {
    this.#listeners.abort();
    clearTimeout(this.#typingTimer);
    clearTimeout(this.#suggestTimer);
    this.#typing.reset();
    if (this.#editingId !== null) this.cancelEdit();
    this.cancelReply();
    this.#ui.input.value = '';
  }

  get editingId() {
    return this.#editingId;
  }

  // Moves to another room: the draft of the old one is kept, the new one's comes back.
  switchRoom(roomId) {
    if (this.#editingId !== null) this.cancelEdit();
    this.cancelReply();
    if (this.#room !== null) this.#drafts.set(this.#room, this.#ui.input.value);
    this.#typing.stop();
    this.#closeSuggest();
    this.#room = roomId;
    this.#ui.input.value = this.#drafts.get(roomId) ?? '';
    this.#renderTyping();
    this.#renderState();
  }

  // After a reconnect the server forgot our typing state.
  resetTyping() {
    this.#typing.reset();
  }

  #renderState() {
    const room = this.#model.rooms.get(this.#room);
    const archived = Boolean(room?.archived);
    this.#ui.input.disabled = archived;
    this.#ui.send.disabled = archived;
    this.#ui.input.placeholder = archived ? 'This room is archived.' : 'Write a message…';
  }

  #renderTyping() {
    const room = this.#model.rooms.get(this.#room);
    const now = Date.now();
    room?.typing.expire(now);
    this.#ui.typing.textContent = room ? typingSentence(room.typing.names(now)) : '';
    clearTimeout(this.#typingTimer);
    const next = room?.typing.nextExpiry(now) ?? null;
    if (next !== null) this.#typingTimer = setTimeout(() => this.#renderTyping(), next + 10);
  }

  submit() {
    const text = cleanMessageText(this.#ui.input.value);
    if (this.#editingId !== null) {
      this.#saveEdit(text);
      return;
    }
    if (!text || this.#room === null) return;
    if (codePoints(text) > MAX_TEXT) {
      this.#cb.notice(`Messages can be at most ${MAX_TEXT} characters long.`);
      return;
    }
    this.#cb.send(this.#room, text, this.#replyTo?.id ?? null);
    this.cancelReply();
    this.#ui.input.value = '';
    this.#drafts.delete(this.#room);
    this.#typing.stop();
    this.#closeSuggest();
  }

  // The next message answers message `id` (of the room shown) until sent or cancelled.
  startReply(id) {
    const msg = this.#model.rooms.get(this.#room)?.messages.get(id);
    if (!msg || msg.deleted) return;
    if (this.#editingId !== null) this.cancelEdit();
    this.#replyTo = { id, user: msg.user, text: quoteText(msg.text) };
    const banner = this.#ui.replyBanner;
    banner.querySelector('.reply-banner-text').textContent = `Replying to ${msg.user}: ${this.#replyTo.text}`;
    banner.hidden = false;
    this.#ui.input.focus();
  }

  get replyingTo() {
    return this.#replyTo?.id ?? null;
  }

  cancelReply() {
    this.#replyTo = null;
    this.#ui.replyBanner.hidden = true;
  }

  startEdit(id) {
    const msg = this.#model.rooms.get(this.#room)?.messages.get(id);
    if (!msg || msg.user !== this.#model.me || msg.deleted) return;
    if (this.#editingId === null) this.#draftBeforeEdit = this.#ui.input.value;
    else this.#cb.markEditing(this.#editingId, false);
    this.#editingId = id;
    this.#cb.markEditing(id, true);
    this.#ui.input.value = msg.text;
    this.#ui.editBanner.hidden = false;
    this.#ui.form.classList.add('editing');
    this.#ui.send.textContent = 'Save';
    this.#ui.input.focus();
    this.#ui.input.setSelectionRange(msg.text.length, msg.text.length);
  }

  cancelEdit() {
    if (this.#editingId !== null) this.#cb.markEditing(this.#editingId, false);
    this.#editingId = null;
    this.#ui.input.value = this.#draftBeforeEdit;
    this.#draftBeforeEdit = '';
    this.#ui.editBanner.hidden = true;
    this.#ui.form.classList.remove('editing');
    this.#ui.send.textContent = 'Send';
  }

  #saveEdit(text) {
    const id = this.#editingId;
    const msg = this.#model.rooms.get(this.#room)?.messages.get(id);
    if (!text) {
      this.#cb.notice('A message cannot be empty. Use Delete to remove it.');
      return;
    }
    if (codePoints(text) > MAX_TEXT) {
      this.#cb.notice(`Messages can be at most ${MAX_TEXT} characters long.`);
      return;
    }
    if (msg && msg.text !== text) this.#cb.edit(id, text);
    this.cancelEdit();
  }

  #onKeyDown(e) {
    if (this.#choices.length && !this.#ui.suggest.hidden) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.#choices.length;
        this.#highlight((this.#active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Tab') && this.#active >= 0) {
        e.preventDefault();
        this.#choose(this.#active);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.#closeSuggest();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'ArrowUp' && this.#ui.input.value === '' && this.#editingId === null) {
      const last = this.#model.rooms.get(this.#room)?.messages.lastEditableBy(this.#model.me);
      if (last) {
        e.preventDefault();
        this.startEdit(last.id);
      }
    } else if (e.key === 'Escape' && this.#editingId !== null) {
      e.preventDefault();
      this.cancelEdit();
    } else if (e.key === 'Escape' && this.#replyTo !== null) {
      e.preventDefault();
      this.cancelReply();
    }
  }

  #onInput() {
    if (this.#editingId === null) {
      if (this.#ui.input.value.trim()) this.#typing.input();
      else this.#typing.stop();
    }
    const input = this.#ui.input;
    const query = input.selectionStart === input.selectionEnd ? mentionQuery(input.value, input.selectionStart) : null;
    this.#query = query;
    clearTimeout(this.#suggestTimer);
    if (!query) {
      this.#closeSuggest();
      return;
    }
    this.#suggestTimer = setTimeout(() => this.#cb.members(this.#room, query.prefix, SUGGEST_LIMIT), SUGGEST_DELAY_MS);
  }

  #onMembers({ room, prefix, users }) {
    if (room !== this.#room || !this.#query || prefix.toLowerCase() !== this.#query.prefix.toLowerCase()) return;
    this.#choices = users.map((u) => u.name).filter((name) => name !== this.#model.me);
    const list = this.#ui.suggest;
    list.replaceChildren(
      ...this.#choices.map((name, i) => {
        const li = document.createElement('li');
        li.id = `suggest-${i}`;
        li.setAttribute('role', 'option');
        li.dataset.index = String(i);
        li.textContent = name;
        return li;
      }),
    );
    list.hidden = this.#choices.length === 0;
    this.#ui.input.setAttribute('aria-expanded', String(!list.hidden));
    this.#highlight(this.#choices.length ? 0 : -1);
  }

  #highlight(i) {
    this.#active = i;
    for (const li of this.#ui.suggest.children) li.setAttribute('aria-selected', String(Number(li.dataset.index) === i));
    if (i >= 0) this.#ui.input.setAttribute('aria-activedescendant', `suggest-${i}`);
    else this.#ui.input.removeAttribute('aria-activedescendant');
  }

  #choose(i) {
    const name = this.#choices[i];
    const input = this.#ui.input;
    if (!name || !this.#query) return;
    const { text, caret } = completeMention(input.value, this.#query.start, input.selectionStart, name);
    input.value = text;
    input.setSelectionRange(caret, caret);
    this.#closeSuggest();
    input.focus();
  }

  #closeSuggest() {
    this.#query = null;
    this.#choices = [];
    this.#active = -1;
    this.#ui.suggest.hidden = true;
    this.#ui.suggest.replaceChildren();
    this.#ui.input.setAttribute('aria-expanded', 'false');
    this.#ui.input.removeAttribute('aria-activedescendant');
  }
}
