// Keeps the messages a user sent but the server has not acknowledged yet in localStorage, so a
// reload or a closed tab before the connection came back does not lose them. Keyed by user: a
// shared browser never sends one account's messages as another's. Storage that is full,
// disabled or corrupt only means nothing is kept; sending works the same.

const PREFIX = 'chatterbox.outbox.v1.';

export class OutboxStore {
  #storage;
  #key;
  #queuedAt = new Map(); // client_id -> when it was first queued (ms)

  constructor(storage, user) {
    this.#storage = storage;
    this.#key = PREFIX + user;
  }

  // The saved `send` frames, oldest first.
  load() {
    let saved;
    try {
      saved = JSON.parse(this.#storage?.getItem(this.#key) ?? '[]');
    } catch {
      return [];
    }
    if (!Array.isArray(saved)) return [];
    const frames = [];
    for (const entry of saved) {
      if (typeof entry?.client_id !== 'string' || typeof entry.text !== 'string') continue;
      this.#queuedAt.set(entry.client_id, Number(entry.at) || Date.now());
      frames.push({ type: 'send', client_id: entry.client_id, text: entry.text });
    }
    return frames;
  }

  queuedAt(clientId) {
    return this.#queuedAt.get(clientId) ?? Date.now();
  }

  save(frames) {
    const entries = frames.map((f) => {
      if (!this.#queuedAt.has(f.client_id)) this.#queuedAt.set(f.client_id, Date.now());
      return { client_id: f.client_id, text: f.text, at: this.#queuedAt.get(f.client_id) };
    });
    for (const id of [...this.#queuedAt.keys()]) {
      if (!frames.some((f) => f.client_id === id)) this.#queuedAt.delete(id);
    }
    try {
      if (entries.length === 0) this.#storage?.removeItem(this.#key);
      else this.#storage?.setItem(this.#key, JSON.stringify(entries));
    } catch {
      // full or disabled: the messages are still in memory and still sent
    }
  }

  clear() {
    this.#queuedAt.clear();
    try {
      this.#storage?.removeItem(this.#key);
    } catch {
      // nothing to do
    }
  }
}
