// Our messages, edits and deletes until the server confirmed them: a `send` until its ack, an
// `edit` or `delete` until its `edited`/`deleted` echo. A new connection sends them all again (a
// resent client_id stores nothing twice). After `rate_limited` or `internal` about one of them
// the outbox waits as long as the server asks, then drains one message at a time, each sent when
// the previous one is acked, so the retries neither flood the server nor change their order.
// The socket (socket.js) owns the connection; the outbox only decides what goes and when.

const RETRY_INTERNAL_MS = 2000; // after `error internal`: the server could not store; try again
const MIN_RETRY_MS = 50;

// How long a `rate_limited` error asks us to wait; a retry_after_ms of 0 or nonsense would turn
// the retry into a flood.
export function rateLimitWait(error) {
  return Math.max(Number(error.retry_after_ms) || 0, MIN_RETRY_MS);
}

export class Outbox {
  #store;
  #isReady;
  #write;
  #messages = new Map(); // client_id -> `send` frame, until its ack
  #changes = new Map(); // message id -> edit/delete frame, until its `edited`/`deleted`
  #draining = false;
  #inFlight = null; // client_id of the message the drain is waiting on
  #holdTimer = null; // a retry waiting for the server's retry_after_ms
  #holdUntil = 0;

  // store: { load() -> frames, put(frame), remove(clientId) } keeps unacked messages across page
  // loads (and tabs: see outbox_store.js), or null. isReady(): whether a frame can go out now;
  // write(frame): puts it on the wire.
  constructor({ store = null, isReady, write }) {
    this.#store = store;
    this.#isReady = isReady;
    this.#write = write;
    for (const frame of store?.load() ?? []) this.#messages.set(frame.client_id, frame);
  }

  // Unacked messages, oldest first (those restored from a previous page load included).
  get queued() {
    return [...this.#messages.values()];
  }

  get size() {
    return this.#messages.size;
  }

  // A new message must not overtake the ones waiting for a retry.
  get holding() {
    return this.#draining || this.#holdTimer !== null;
  }

  // Keeps a `send`, `edit` or `delete` frame until it is confirmed; other frames are not ours.
  keep(frame) {
    if (frame.type === 'send') {
      this.#messages.set(frame.client_id, frame);
      this.#store?.put(frame);
    } else if (frame.type === 'edit' || frame.type === 'delete') this.#changes.set(frame.id, frame);
  }

  // Forget an unacked message (the server refused it for good, or the user removed it).
  drop(clientId) {
    this.#messages.delete(clientId);
    this.#store?.remove(clientId);
  }

  acked(clientId) {
    if (this.#messages.delete(clientId)) this.#store?.remove(clientId);
    if (this.#draining && clientId === this.#inFlight) {
      this.#inFlight = null;
      this.#drainNext();
    }
  }

  // The server echoed an edit or delete of this message.
  confirmed(id) {
    this.#changes.delete(id);
  }

  // A new connection: everything still unconfirmed goes again.
  resendAll() {
    for (const frame of this.#messages.values()) this.#write(frame);
    for (const frame of this.#changes.values()) this.#write(frame);
  }

  // Returns true when the error is about one of ours and a retry is under way.
  retry(error) {
    const { ref, code } = error;
    const isSend = typeof ref === 'string' && this.#messages.has(ref);
    const isChange = typeof ref === 'number' && this.#changes.has(ref);
    if (!isSend && !isChange) return false;
    if (code !== 'rate_limited' && code !== 'internal') {
      if (isChange) this.#changes.delete(ref); // forbidden, not_found...: retrying cannot help
      return false;
    }
    const wait = code === 'internal' ? RETRY_INTERNAL_MS : rateLimitWait(error);
    this.#draining = true;
    this.#hold(wait);
    return true;
  }

  // The connection is gone: a new one resends the whole outbox anyway.
  stopDrain() {
    if (this.#holdTimer !== null) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
    this.#draining = false;
    this.#inFlight = null;
  }

  // Waits `ms` (or longer if a wait is already running), then resends: unconfirmed edits and
  // deletes, and the first unacked message.
  #hold(ms) {
    const until = Date.now() + ms;
    if (this.#holdTimer !== null) {
      if (this.#holdUntil >= until) return;
      clearTimeout(this.#holdTimer);
    }
    this.#holdUntil = until;
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = null;
      if (!this.#isReady()) return; // the next hello resends everything
      for (const frame of this.#changes.values()) this.#write(frame);
      this.#drainNext();
    }, ms);
  }

  // One message in flight while draining; the drain ends when the outbox is empty.
  #drainNext() {
    if (this.#holdTimer !== null || !this.#isReady()) return;
    const next = this.#messages.values().next();
    if (next.done) {
      this.#draining = false;
      return;
    }
    this.#inFlight = next.value.client_id;
    this.#write(next.value);
  }
}
