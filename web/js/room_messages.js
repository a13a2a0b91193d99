// The messages of one room the client holds: a contiguous run of the room's history (no holes),
// ordered by id, plus our own messages still on their way. Pure: no DOM, no socket.
//
// The run is what history pages, live events and sync pages built. `latest` says whether it
// reaches the room's newest message (so a live message can be appended), `hasOlder` whether the
// server has older ones than its first. A message that would leave a hole (older than the run
// while older ones exist, or any message of a room whose latest page never came) is not kept:
// paging, which goes by the oldest id held, could never fill the hole.

function upperBound(ids, id) {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RoomMessages {
  ids = []; // ascending
  byId = new Map(); // id -> message object (ours: copies)
  pending = new Map(); // client_id -> { clientId, room, text, ts, failed, reason }
  latest = false;
  hasOlder = true;
  loadingOlder = false;
  loadingNewer = false; // an `after` page is on its way (the run does not reach the latest)

  get oldestId() {
    return this.ids.length ? this.ids[0] : null;
  }

  get newestId() {
    return this.ids.length ? this.ids[this.ids.length - 1] : null;
  }

  get(id) {
    return this.byId.get(id) ?? null;
  }

  indexOf(id) {
    const at = upperBound(this.ids, id) - 1;
    return at >= 0 && this.ids[at] === id ? at : -1;
  }

  // Inserts or updates a full message object; 'added' | 'updated' | 'stale' | 'ignored'.
  // `trusted` means it may extend the run whatever its id (it comes from a history page).
  upsert(msg, { trusted = false } = {}) {
    const existing = this.byId.get(msg.id);
    if (existing) {
      if (typeof msg.seq === 'number' && typeof existing.seq === 'number' && msg.seq < existing.seq) return 'stale';
      this.byId.set(msg.id, { ...msg });
      return 'updated';
    }
    if (!trusted) {
      if (!this.latest) return 'ignored';
      if (this.hasOlder && this.ids.length > 0 && msg.id < this.ids[0]) return 'ignored';
    }
    this.ids.splice(upperBound(this.ids, msg.id), 0, msg.id);
    this.byId.set(msg.id, { ...msg });
    return 'added';
  }

  // A `history` reply. Returns the messages added (in id order).
  addPage({ before, after, around, messages = [], has_more: hasMore, has_newer: hasNewer }) {
    if (around !== null && around !== undefined) return this.#addAround(messages, hasMore, hasNewer);
    if (after !== null && after !== undefined) return this.#addAfter(messages, hasMore);
    const latestPage = before === null || before === undefined;
    if (latestPage && this.ids.length > 0 && messages.length > 0) {
      // The latest page again (a reconnect, a room shown again): if it does not reach back to what
      // we hold, what we hold is cut off from the present — start over from this page.
      const reaches = !hasMore || messages[0].id <= (this.newestId ?? 0) || this.byId.has(messages[0].id);
      if (!reaches) this.clear();
    }
    const added = [];
    for (const msg of messages) if (this.upsert(msg, { trusted: true }) === 'added') added.push(this.byId.get(msg.id));
    if (latestPage) {
      this.latest = true;
      if (this.ids.length === messages.length) this.hasOlder = Boolean(hasMore);
    } else {
      this.hasOlder = Boolean(hasMore);
      this.loadingOlder = false;
    }
    return added;
  }

  // The messages around one (a search result opened in its room): a run of its own, which
  // reaches the latest only when nothing newer exists.
  #addAround(messages, hasMore, hasNewer) {
    const connected = messages.some((msg) => this.byId.has(msg.id));
    if (!connected) this.clear();
    const added = [];
    for (const msg of messages) if (this.upsert(msg, { trusted: true }) === 'added') added.push(this.byId.get(msg.id));
    if (!connected) {
      this.hasOlder = Boolean(hasMore);
      this.latest = !hasNewer;
    }
    return added;
  }

  // A page read forwards from the newest held: the run grows down until it reaches the latest.
  #addAfter(messages, hasMore) {
    const added = [];
    for (const msg of messages) if (this.upsert(msg, { trusted: true }) === 'added') added.push(this.byId.get(msg.id));
    if (!hasMore) this.latest = true;
    this.loadingNewer = false;
    return added;
  }

  // Changes a known message in place; returns it (or null when we do not hold it).
  patch(id, seq, fields) {
    const msg = this.byId.get(id);
    if (!msg) return null;
    if (typeof seq === 'number' && typeof msg.seq === 'number' && seq < msg.seq) return null;
    Object.assign(msg, fields, typeof seq === 'number' ? { seq } : {});
    return msg;
  }

  // Keeps the newest `keep` messages (a room left in the background need not hold its past).
  trim(keep) {
    if (this.ids.length <= keep) return 0;
    const gone = this.ids.splice(0, this.ids.length - keep);
    for (const id of gone) this.byId.delete(id);
    this.hasOlder = true;
    return gone.length;
  }

  clear() {
    this.ids = [];
    this.byId.clear();
    this.latest = false;
    this.hasOlder = true;
    this.loadingOlder = false;
    this.loadingNewer = false;
  }

  // The newest of our messages that can still be edited (Up in an empty composer).
  lastEditableBy(user) {
    for (let i = this.ids.length - 1; i >= 0; i -= 1) {
      const msg = this.byId.get(this.ids[i]);
      if (msg.user === user && !msg.deleted) return msg;
    }
    return null;
  }
}
