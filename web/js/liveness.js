// Notices a dead connection. A laptop that slept or changed networks may keep a WebSocket that
// will never deliver or close. After `idleMs` without any frame from the server, onProbe() asks
// the server for something cheap; when no frame at all arrives within `timeoutMs` of a probe,
// onDead() gives the connection up. Time and timers are injected (tests/web/socket.test.mjs).

export const PROBE_IDLE_MS = 25_000;
export const PROBE_TIMEOUT_MS = 10_000;
const CHECK_EVERY_MS = 2_500;

export class Liveness {
  #now;
  #setInterval;
  #clearInterval;
  #onProbe;
  #onDead;
  #lastFrameAt = 0;
  #probeSentAt = null;
  #timer = null;

  constructor({ now, setIntervalImpl, clearIntervalImpl, onProbe, onDead }) {
    this.#now = now;
    this.#setInterval = setIntervalImpl;
    this.#clearInterval = clearIntervalImpl;
    this.#onProbe = onProbe;
    this.#onDead = onDead;
  }

  get probing() {
    return this.#probeSentAt !== null;
  }

  // A connection is up (its hello arrived).
  start() {
    this.stop();
    this.#lastFrameAt = this.#now();
    this.#timer = this.#setInterval(() => this.#check(), CHECK_EVERY_MS);
  }

  stop() {
    if (this.#timer !== null) this.#clearInterval(this.#timer);
    this.#timer = null;
    this.#probeSentAt = null;
  }

  // Any frame from the server is a sign of life.
  frame() {
    this.#lastFrameAt = this.#now();
    this.#probeSentAt = null;
  }

  // Probes now unless a probe is already waiting (the page became visible, the network is back).
  probe() {
    if (this.#timer === null || this.#probeSentAt !== null) return;
    this.#probeSentAt = this.#now();
    this.#onProbe();
  }

  #check() {
    const now = this.#now();
    if (this.#probeSentAt !== null) {
      if (now - this.#probeSentAt >= PROBE_TIMEOUT_MS) {
        this.stop();
        this.#onDead();
      }
    } else if (now - this.#lastFrameAt >= PROBE_IDLE_MS) this.probe();
  }
}
