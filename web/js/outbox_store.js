// Keeps the messages a user sent but the server has not acknowledged yet in localStorage, so a
// reload or a closed tab before the connection came back does not lose them. Keyed by user: a
// shared browser never sends one account's messages as another's.
//
// Several tabs of one user share the entry, so it is never written whole from one tab's memory
// (that would drop what another tab queued meanwhile): put() and remove() each read the stored
// entries, change the one message they concern (by client_id) and write the result back, all in
// one synchronous step. A message two tabs both send is harmless: the server stores a client_id
// once and answers a repeat with the original ack.
//
// Storage that is full, disabled or corrupt only means nothing is kept; sending works the same.

const PREFIX = 'chatterbox.outbox.v2.';

export function outboxKey(user) {
  return PREFIX + user;
}

function validFrame(entry) {
  return (
    typeof entry?.client_id === 'string' &&
    typeof entry.text === 'string' &&
    Number.isInteger(entry.room) &&
    entry.room > 0
  );
}

export class OutboxStore {
  #storage;
  #key;

  constructor(storage, user) {
    this.#storage = storage;
    this.#key = outboxKey(user);
  }

  #read() {
    let saved;
    try {
      saved = JSON.parse(this.#storage?.getItem(this.#key) ?? '[]');
    } catch {
      return [];
    }
    return Array.isArray(saved) ? saved.filter(validFrame) : [];
  }

  #write(entries) {
    try {
      if (entries.length === 0) this.#storage?.removeItem(this.#key);
      else this.#storage?.setItem(this.#key, JSON.stringify(entries));
    } catch {
      // full or disabled: the messages are still in memory and still sent
    }
  }

  // The saved `send` frames of every tab, oldest first.
  load() {
    return this.#read().map(({ client_id, room, text }) => ({ type: 'send', room, client_id, text }));
  }

  // When a message was first queued (ms), for showing it in its place; now when unknown.
  queuedAt(clientId) {
    return Number(this.#read().find((e) => e.client_id === clientId)?.at) || Date.now();
  }

  put(frame, at = Date.now()) {
    const entries = this.#read();
    if (entries.some((e) => e.client_id === frame.client_id)) return;
    entries.push({ client_id: frame.client_id, room: frame.room, text: frame.text, at });
    this.#write(entries);
  }

  remove(clientId) {
    const entries = this.#read();
    const kept = entries.filter((e) => e.client_id !== clientId);
    if (kept.length !== entries.length) this.#write(kept);
  }

  clear() {
    try {
      this.#storage?.removeItem(this.#key);
    } catch {
      // nothing to do
    }
  }
}
