// The quick reactions a message's React button offers: a row of emoji buttons shown in the
// message, one at a time, and "More…" for every emoji of the composer's panel. Picking one
// reacts and closes it; Escape or a click elsewhere closes it, and the focus goes back to the
// React button.

import { CATEGORIES } from './emoji.js';
import { QUICK_REACTIONS } from './reactions.js';

export class ReactPicker {
  #box = null;
  #opener = null;
  #onPick;
  #listeners = new AbortController();

  // onPick(id, emoji): the user picked `emoji` for message `id`.
  constructor(onPick) {
    this.#onPick = onPick;
    const opts = { signal: this.#listeners.signal };
    document.addEventListener('pointerdown', (e) => {
      if (this.#box && !this.#box.contains(e.target) && e.target !== this.#opener) this.close();
    }, opts);
  }

  get openFor() {
    return this.#box ? Number(this.#box.closest('.msg')?.dataset.id) : null;
  }

  // Opens below the message `li`'s text (or closes it when it is already open there).
  toggle(li, opener) {
    const same = this.#box && this.#box.closest('.msg') === li;
    this.close();
    if (same || !li) return;
    const id = Number(li.dataset.id);
    const box = document.createElement('div');
    box.className = 'react-picker';
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', 'Pick a reaction');
    const pick = (emoji, name = emoji) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = emoji;
      b.title = name;
      b.setAttribute('aria-label', `React with ${name}`);
      b.addEventListener('click', () => {
        this.close();
        this.#onPick(id, emoji);
      });
      return b;
    };
    const more = document.createElement('button');
    more.type = 'button';
    more.className = 'react-more';
    more.textContent = 'More…';
    more.addEventListener('click', () => {
      const all = CATEGORIES.flatMap(({ emoji }) => emoji.filter(([e]) => !QUICK_REACTIONS.includes(e)).map(([e, name]) => pick(e, name)));
      more.replaceWith(...all);
      all[0]?.focus();
    });
    box.append(...QUICK_REACTIONS.map((emoji) => pick(emoji)), more);
    box.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      this.close();
    });
    li.querySelector('.msg-bubble').append(box);
    this.#box = box;
    this.#opener = opener;
    box.querySelector('button').focus();
  }

  close() {
    if (!this.#box) return;
    const hadFocus = this.#box.contains(document.activeElement);
    this.#box.remove();
    this.#box = null;
    if (hadFocus && this.#opener?.isConnected) this.#opener.focus();
    this.#opener = null;
  }

  destroy() {
    this.close();
    this.#listeners.abort();
  }
}
