// Read receipts. Pure: markers in, states and labels out; the throttle takes injected time.
//
// A message of ours is "pending" until the server's `ack` gives it an id, "delivered" (○) from
// then on, and "seen" (●) once any OTHER member's read marker is at or above its id (the room's
// `others_read`). Who exactly has seen it is asked for on demand (`seen_by`).

// At most 2 `seen` frames a second per tab: the server drops those over 5/s per user (all tabs).
export const SEEN_INTERVAL_MS = 500;

// The receipt state of one of our messages: `id` is null while it waits for its `ack`;
// `othersRead` is the room's furthest read marker of anyone but us (protocol v2).
export function receiptState(id, othersRead) {
  if (id === null || id === undefined) return 'pending';
  return id <= (othersRead ?? 0) ? 'seen' : 'delivered';
}

// The own message ids whose mark changes when others_read moves from `from` to `to`: those in
// (from, to]. `ownIds` is sorted; only these are redrawn, not every message of ours.
export function receiptChanges(ownIds, from, to) {
  if (to <= from) return [];
  let lo = 0;
  let hi = ownIds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ownIds[mid] <= from) lo = mid + 1;
    else hi = mid;
  }
  const changed = [];
  for (let i = lo; i < ownIds.length && ownIds[i] <= to; i += 1) changed.push(ownIds[i]);
  return changed;
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
      return { symbol: SYMBOLS.seen, label: seenBy.length ? `Seen by ${seenBy.join(', ')}` : 'Seen' };
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

  // Our own marker as the server knows it (from `hello`, or a `read` after another tab's `seen`).
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
