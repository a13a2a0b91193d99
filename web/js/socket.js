// The chat WebSocket (protocol v2): connect, reconnect with backoff, catch up with `sync`, notice
// a dead connection, and ask a query again when the server refused it for its rate. Our messages,
// edits and deletes wait in the outbox (outbox.js) until the server confirmed them. It knows the
// protocol's plumbing (seq tracking, acks, batches, retries) but not what rooms or messages look
// like on screen: every server event is handed on as an `event` DOM event.
//
// Events dispatched (payload in `detail`):
//   event      one server event object (arrays are unpacked, in order); not the rate_limited and
//              internal errors about our own sends, edits and deletes, nor a rate_limited answer to
//              a query (history, sync, members, seen_by, watch): those are retried here
//   status     { state: 'connecting' | 'online' | 'reconnecting', reconnect }
//   loggedout  the server revoked our session (close 4001) or the cookie is no longer valid
//
// Dead connections (liveness.js): after 25 s without any frame from the server the socket sends
// a cheap query the protocol has — `sync` from the newest seq (it also fills any gap) — and when
// no frame at all arrives within 10 s it gives the connection up and reconnects.

import { Backoff } from './backoff.js';
import { Liveness } from './liveness.js';
import { Outbox, rateLimitWait } from './outbox.js';

export { newClientId, socketUrl } from './client_ids.js';

export { PROBE_IDLE_MS, PROBE_TIMEOUT_MS } from './liveness.js';

export const CLOSE_LOGGED_OUT = 4001;
export const CLOSE_DEAD = 4900; // our own code for a connection given up as dead (never on the wire)
const QUERIES = new Set(['history', 'sync', 'members', 'seen_by', 'watch']); // the query rate

// CustomEvent is not global in Node 18, where the unit tests may run.
class SocketEvent extends Event {
  constructor(type, detail) {
    super(type);
    this.detail = detail;
  }
}

export class ChatSocket extends EventTarget {
  #url;
  #checkSession;
  #backoff;
  #WebSocket;
  #ws = null;
  #timer = null;
  #stopped = false;
  #helloSeen = false; // on the current connection
  #lastSeq = null; // every change up to this seq has been handed on; null before the first hello
  #syncing = false;
  #liveSeqDuringSync = 0;
  // The last history or sync request: the server answers them in order, and one it refused for
  // its rate (an error without ref) is asked again after retry_after_ms.
  #lastQuery = null;
  #queryTimer = null;

  #outbox;
  #liveness;

  // checkSession(): resolves to 'ok' | 'logged_out' | 'down'; asked when a connection fails
  // before the server said hello, because a refused upgrade looks the same as a dead server.
  // outboxStore: where the outbox keeps unacked messages across page loads (see outbox.js).
  constructor(
    url,
    {
      checkSession = async () => 'ok',
      backoff = new Backoff(),
      WebSocketImpl = globalThis.WebSocket,
      outboxStore = null,
      now = () => Date.now(),
      setIntervalImpl = (fn, ms) => setInterval(fn, ms),
      clearIntervalImpl = (id) => clearInterval(id),
    } = {},
  ) {
    super();
    this.#url = url;
    this.#checkSession = checkSession;
    this.#backoff = backoff;
    this.#WebSocket = WebSocketImpl;
    this.#outbox = new Outbox({ store: outboxStore, isReady: () => this.ready, write: (frame) => this.#raw(frame) });
    this.#liveness = new Liveness({
      now,
      setIntervalImpl,
      clearIntervalImpl,
      onProbe: () => this.#syncing || this.#startSync(),
      onDead: () => this.#giveUp(),
    });
    this.onBrowserOnline = () => {
      this.reconnectNow();
      this.probe();
    };
  }

  // Unacked messages, oldest first (those restored from a previous page load included).
  get queued() {
    return this.#outbox.queued;
  }

  get ready() {
    return this.#helloSeen && this.#ws !== null && this.#ws.readyState === 1;
  }

  get pendingCount() {
    return this.#outbox.size;
  }

  start() {
    this.#stopped = false;
    globalThis.addEventListener?.('online', this.onBrowserOnline);
    this.#emit('status', { state: 'connecting' });
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    globalThis.removeEventListener?.('online', this.onBrowserOnline);
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#liveness.stop();
    this.#stopRetries();
    if (this.#ws) {
      this.#ws.onclose = null;
      this.#ws.close(1000);
      this.#ws = null;
    }
  }

  // Skip the rest of the backoff wait (the browser says the network is back).
  reconnectNow() {
    if (this.#stopped || this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#connect();
  }

  // Asks the server for a sign of life now unless one is already awaited (the page became
  // visible again, the browser says the network is back): a dead connection is found in
  // PROBE_TIMEOUT_MS instead of after the next idle period.
  probe() {
    if (this.ready) this.#liveness.probe();
  }

  // Sends a client frame. `send` frames are kept until acked and `edit`/`delete` until echoed, and
  // go out again after a reconnect or a rate limit (a resent client_id stores nothing twice);
  // anything else (typing, seen, queries, room commands) is dropped while offline. Returns whether
  // it went now.
  send(frame) {
    this.#outbox.keep(frame);
    if (!this.ready) return false;
    if (frame.type === 'send' && this.#outbox.holding) return false; // queued
    this.#raw(frame);
    return true;
  }


  // Forget an unacked message (the server refused it for good, or the user removed it).
  drop(clientId) {
    this.#outbox.drop(clientId);
  }

  #emit(type, detail) {
    this.dispatchEvent(new SocketEvent(type, detail));
  }

  #connect() {
    this.#helloSeen = false;
    let ws;
    try {
      ws = new this.#WebSocket(this.#url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.onmessage = (e) => this.#onFrame(e.data);
    ws.onclose = (e) => this.#onClose(e);
    // onerror is always followed by onclose, which does the work.
  }

  // The connection is silent: drop it without waiting for a close that may never come.
  #giveUp() {
    const ws = this.#ws;
    if (!ws) return;
    ws.onclose = null;
    ws.onmessage = null;
    try {
      ws.close(4000, 'no answer');
    } catch {
      // already closing
    }
    this.#backoff.reset(); // the server was fine a moment ago: try again soon
    this.#onClose({ code: CLOSE_DEAD });
  }

  async #onClose(e) {
    this.#ws = null;
    this.#liveness.stop();
    this.#stopRetries();
    const hadHello = this.#helloSeen;
    this.#helloSeen = false;
    this.#syncing = false;
    if (this.#stopped) return;
    if (e.code === CLOSE_LOGGED_OUT) {
      this.#loggedOut();
      return;
    }
    this.#emit('status', { state: 'reconnecting' });
    if (!hadHello) {
      const session = await this.#checkSession();
      if (this.#stopped) return;
      if (session === 'logged_out') {
        this.#loggedOut();
        return;
      }
    }
    this.#scheduleReconnect();
  }

  #loggedOut() {
    this.stop();
    this.#emit('loggedout', {});
  }

  #scheduleReconnect() {
    if (this.#stopped) return;
    const delay = this.#backoff.next();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopped) this.#connect();
    }, delay);
  }

  #onFrame(data) {
    this.#liveness.frame();
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      return; // not ours to fix; the server only sends JSON
    }
    const events = Array.isArray(parsed) ? parsed : [parsed];
    for (const event of events) {
      if (event && typeof event === 'object') this.#onEvent(event);
    }
  }

  #raw(frame) {
    if (QUERIES.has(frame.type)) this.#lastQuery = frame;
    this.#ws.send(JSON.stringify(frame));
  }

  #startSync() {
    this.#syncing = true;
    this.#liveSeqDuringSync = 0;
    this.#raw({ type: 'sync', since: this.#lastSeq });
  }

  #onEvent(event) {
    switch (event.type) {
      case 'hello':
        this.#onHello(event);
        break;
      case 'ack':
        this.#outbox.acked(event.client_id);
        break;
      case 'edited':
      case 'deleted':
        this.#outbox.confirmed(event.id);
        this.#noteSeq(event.seq);
        break;
      case 'message':
        this.#noteSeq(event.seq);
        break;
      case 'room':
        this.#noteSeq(event.room?.seq);
        break;
      case 'error':
        if (this.#onError(event)) return; // a retry is under way: nothing for the app to show
        break;
      case 'sync':
        this.#emit('event', event);
        this.#onSync(event);
        return;
      default:
        break;
    }
    this.#emit('event', event);
  }

  #onHello(hello) {
    this.#helloSeen = true;
    this.#backoff.reset();
    this.#liveness.start();
    const reconnect = this.#lastSeq !== null;
    if (!reconnect) this.#lastSeq = hello.seq;
    // Resend first: the server answers a known client_id with its original ack, so these become
    // ids before the sync below can show the same messages a second time.
    this.#outbox.resendAll();
    if (reconnect) this.#startSync();
    this.#emit('status', { state: 'online', reconnect });
  }

  // Returns true when the error is a retry taken care of here or by the outbox.
  #onError(event) {
    if (event.code === 'rate_limited' && event.ref === null && this.#lastQuery !== null) {
      const query = this.#lastQuery;
      clearTimeout(this.#queryTimer);
      this.#queryTimer = setTimeout(() => {
        this.#queryTimer = null;
        if (this.ready) this.#raw(query);
      }, rateLimitWait(event));
      return true;
    }
    return this.#outbox.retry(event);
  }

  // The connection is gone: a new one resends the whole outbox, and the app asks again for what
  // it still needs.
  #stopRetries() {
    clearTimeout(this.#queryTimer);
    this.#queryTimer = null;
    this.#lastQuery = null;
    this.#outbox.stopDrain();
  }

  #onSync(reply) {
    if (!this.#syncing) return;
    if (reply.has_more) {
      this.#raw({ type: 'sync', since: reply.seq });
      return;
    }
    this.#syncing = false;
    this.#lastSeq = Math.max(reply.seq, this.#liveSeqDuringSync, this.#lastSeq ?? 0);
  }

  // While a sync runs, live events may be ahead of it; #lastSeq may only move to a seq below
  // which nothing is missing, which is known once the sync is done.
  #noteSeq(seq) {
    if (typeof seq !== 'number') return;
    if (this.#syncing) {
      this.#liveSeqDuringSync = Math.max(this.#liveSeqDuringSync, seq);
    } else if (this.#lastSeq !== null) {
      this.#lastSeq = Math.max(this.#lastSeq, seq);
    }
  }
}
