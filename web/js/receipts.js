// Read receipts. Pure: markers in, states and labels out; the throttle takes injected time.
//
// A message of ours is "pending" until the server's `ack` gives it an id, "delivered" (○) from
// then on, and "seen" (●) once any OTHER user's read marker is at or above its id.

// At most 2 `seen` frames a second per tab: the server drops those over 5/s per user (all tabs).
export const SEEN_INTERVAL_MS = 500;

// Read markers: user -> highest message id that user has seen. Markers only move forward.
export class ReadMarkers {
  #markers = new Map();

  // `receipts` on connect: every marker. Replaces what we had (the server is the truth).
  reset(markers) {
    this.#markers = new Map(Object.entries(markers ?? {}).map(([user, id]) => [user, Number(id)]));
  }

  // A `seen` event. Returns true when the marker moved.
  update(user, id) {
    const current = this.#markers.get(user);
    if (current !== undefined && current >= id) return false;
    this.#markers.set(user, id);
    return true;
  }

  get(user) {
    return this.#markers.get(user) ?? 0;
  }

  // Who other than `me` has seen message `id`, sorted.
  seenBy(id, me) {
    const users = [];
    for (const [user, marker] of this.#markers) {
      if (user !== me && marker >= id) users.push(user);
    }
    return users.sort((a, b) => a.localeCompare(b));
  }
}

// The receipt state of one of our messages: `id` is null while it waits for its `ack`.
export function receiptState(id, seenBy) {
  if (id === null || id === undefined) return 'pending';
  return seenBy.length > 0 ? 'seen' : 'delivered';
}

const SYMBOLS = { pending: '◌', delivered: '○', seen: '●' };

// What to draw: the mark and its tooltip.
export function receiptView(state, seenBy = []) {
  switch (state) {
    case 'pending':
      return { symbol: SYMBOLS.pending, label: 'Sending…' };
    case 'delivered':
      return { symbol: SYMBOLS.delivered, label: 'Delivered' };
    default:
      return { symbol: SYMBOLS.seen, label: `Seen by ${seenBy.join(', ')}` };
  }
}

// Decides when to tell the server what we have read. report(id) for every message of someone
// else that became visible; it sends only the highest id, only when above what was already sent
// (or what the server says our marker is), and at most once per interval.
export class SeenThrottle {
  #send;
  #now;
  #setTimer;
  #intervalMs;
  #sent = 0; // highest id sent or known to the server
  #wanted = 0; // highest id reported
  #lastSendAt = -Infinity;
  #timer = null;

  constructor(
    send,
    { now = () => Date.now(), setTimer = (fn, ms) => setTimeout(fn, ms), intervalMs = SEEN_INTERVAL_MS } = {},
  ) {
    this.#send = send;
    this.#now = now;
    this.#setTimer = setTimer;
    this.#intervalMs = intervalMs;
  }

  // Our own marker as the server knows it (from `receipts` or a `seen` of ours from another tab).
  known(id) {
    if (id > this.#sent) this.#sent = id;
  }

  // After a reconnect: forget what was sent so it is sent again if still above the server's marker.
  resetSent(serverMarker = 0) {
    this.#sent = serverMarker;
    this.#lastSendAt = -Infinity;
    this.#flush();
  }

  report(id) {
    if (id > this.#wanted) this.#wanted = id;
    this.#flush();
  }

  #flush() {
    if (this.#wanted <= this.#sent || this.#timer !== null) return;
    const wait = this.#lastSendAt + this.#intervalMs - this.#now();
    if (wait > 0) {
      this.#timer = this.#setTimer(() => {
        this.#timer = null;
        this.#flush();
      }, wait);
      return;
    }
    this.#lastSendAt = this.#now();
    this.#sent = this.#wanted;
    // send() returns false when the socket is down; the id is then sent again later.
    if (this.#send(this.#wanted) === false) this.#sent = 0;
  }
}
