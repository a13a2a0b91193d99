// Search: the box in the top bar and the results panel. The query goes to the server as typed
// (the server reads the operators: docs/protocol.md, "search"); results come back newest first,
// a page at a time, each with a snippet whose matched words are drawn as <mark> — text nodes
// only, never HTML. Clicking a result opens its room at that message (open callback).

import { dayLabel, timeLabel } from './dates.js';
import { el } from './message_item.js';
import { roomTitle } from './model.js';

export const SEARCH_PAGE = 20;

// A snippet (plain text at even indexes, matched words at odd ones) as nodes.
export function snippetNodes(parts, doc = document) {
  return (Array.isArray(parts) ? parts : []).map((part, i) => {
    const text = String(part);
    if (i % 2 === 0) return doc.createTextNode(text);
    const mark = doc.createElement('mark');
    mark.textContent = text;
    return mark;
  });
}

// What to tell the user about an error answer to a search.
export function searchErrorText(event) {
  if (event.code === 'rate_limited') return 'Too many searches at once. Try again in a moment.';
  const message = event.message ?? event.code ?? 'the search failed';
  return message.charAt(0).toUpperCase() + message.slice(1) + (message.endsWith('.') ? '' : '.');
}

export class SearchPanel {
  #ui;
  #model;
  #cb;
  #query = null; // the query the results shown are for
  #waiting = null; // { query, before } of the request on its way
  #nextBefore = null; // where the next page starts (the server's next_before)
  #count = 0;
  #listeners = new AbortController();

  // ui: { form, input, panel, close, status, results, more, view }; callbacks: send(frame) ->
  // bool, open(room, id).
  constructor(ui, model, callbacks) {
    this.#ui = ui;
    this.#model = model;
    this.#cb = callbacks;
    const opts = { signal: this.#listeners.signal };
    ui.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.search(ui.input.value);
    }, opts);
    ui.input.addEventListener('keydown', (e) => e.key === 'Escape' && this.close(), opts);
    ui.close.addEventListener('click', () => this.close(), opts);
    ui.more.addEventListener('click', () => this.#request(this.#query, this.#nextBefore), opts);
    ui.results.addEventListener('click', (e) => {
      const result = e.target.closest('.search-result');
      if (result) this.#cb.open(Number(result.dataset.room), Number(result.dataset.id));
    }, opts);
    // `/` (outside a text field) or Ctrl+K / Cmd+K: to the search box.
    document.addEventListener('keydown', (e) => {
      const typing = e.target.closest?.('input, textarea, select, [contenteditable="true"]');
      if ((e.key === 'k' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey)) {
        e.preventDefault();
        ui.input.focus();
        ui.input.select();
      }
    }, opts);
    const off = model.on('search', ({ event }) => this.#onAnswer(event));
    this.#listeners.signal.addEventListener('abort', off);
  }

  destroy() {
    this.#listeners.abort();
  }

  get isOpen() {
    return this.#ui.view.classList.contains('show-search');
  }

  search(text) {
    const query = text.trim();
    this.#open();
    this.#ui.results.replaceChildren();
    this.#ui.more.hidden = true;
    this.#count = 0;
    this.#nextBefore = null;
    this.#query = query;
    if (query === '') {
      this.#setStatus('Type something to search for.');
      return;
    }
    this.#request(query, null);
  }

  close() {
    this.#ui.view.classList.remove('show-search');
    this.#waiting = null;
  }

  // An error that answers our search (errors about searches carry no ref): shown here, not as a
  // notice. Returns whether it was ours.
  owns(event) {
    if (this.#waiting === null || (event.ref !== null && event.ref !== undefined)) return false;
    this.#waiting = null;
    this.#setStatus(searchErrorText(event), true);
    return true;
  }

  #open() {
    this.#ui.view.classList.add('show-search');
  }

  #request(query, before) {
    const frame = { type: 'search', query, limit: SEARCH_PAGE, tz_offset: -new Date().getTimezoneOffset() };
    if (before !== null) frame.before = before;
    if (!this.#cb.send(frame)) {
      this.#setStatus('Not connected. Try again in a moment.', true);
      return;
    }
    this.#waiting = { query, before };
    this.#ui.more.hidden = true;
    this.#setStatus(before === null ? 'Searching…' : 'Loading more results…');
  }

  #onAnswer(event) {
    const waiting = this.#waiting;
    // An answer to a search given up since (a new query, the panel closed) is not shown.
    if (!waiting || event.query !== waiting.query || (event.before ?? null) !== waiting.before) return;
    this.#waiting = null;
    for (const result of event.results ?? []) {
      this.#ui.results.append(this.#item(result));
      this.#count += 1;
    }
    // A page can end early with fewer results (even none) where the server stopped looking:
    // More goes on from there.
    this.#nextBefore = event.has_more ? event.next_before : null;
    this.#ui.more.hidden = !event.has_more;
    const n = this.#count;
    if (n === 0) this.#setStatus(event.has_more ? 'No matches among the newest messages; More results looks further back.' : 'No messages match.');
    else this.#setStatus(`${n}${event.has_more ? '+' : ''} result${n === 1 ? '' : 's'}`);
  }

  #item(result) {
    const li = el('li');
    const button = el('button', 'search-result');
    button.type = 'button';
    button.dataset.room = String(result.room);
    button.dataset.id = String(result.id);
    const room = this.#model.rooms.get(result.room);
    const where = room ? (room.kind === 'dm' ? roomTitle(room, this.#model.me) : `# ${roomTitle(room, this.#model.me)}`) : `room ${result.room}`;
    const head = el('span', 'search-head');
    const time = el('time', 'search-time', `${dayLabel(result.ts)} ${timeLabel(result.ts)}`);
    time.dateTime = new Date(result.ts).toISOString();
    head.append(el('span', 'search-room', where), el('span', 'search-author', result.user), time);
    const snippet = el('span', 'search-snippet');
    snippet.append(...snippetNodes(result.snippet));
    button.append(head, snippet);
    li.append(button);
    return li;
  }

  #setStatus(text, error = false) {
    this.#ui.status.textContent = text;
    this.#ui.status.classList.toggle('error', error);
  }
}
