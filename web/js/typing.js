// Typing indicators, both directions. Pure: time and timers are injected, nothing touches the DOM
// or the socket directly.

export const SEND_REFRESH_MS = 3000; // send `typing true` at most this often while typing
export const SEND_IDLE_MS = 4000; // send `typing false` after this long without a key
export const SHOW_TTL_MS = 7000; // hide someone's indicator not refreshed for this long

// The sentence under the composer for the users currently typing (already without oneself).
export function typingSentence(names) {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

// Others' typing state, from `typing` events. Entries expire SHOW_TTL_MS after their last
// `active: true`, so a lost `active: false` cannot leave an indicator up forever.
export class TypingBoard {
  #ttl;
  #since = new Map(); // user -> time of the last `active: true`

  constructor({ ttl = SHOW_TTL_MS } = {}) {
    this.#ttl = ttl;
  }

  // Returns true when the set of names changed.
  update(user, active, now) {
    if (active) {
      const had = this.#since.has(user);
      this.#since.set(user, now);
      return !had;
    }
    return this.#since.delete(user);
  }

  // Drops stale entries; returns true when any was dropped.
  expire(now) {
    let changed = false;
    for (const [user, at] of this.#since) {
      if (now - at >= this.#ttl) {
        this.#since.delete(user);
        changed = true;
      }
    }
    return changed;
  }

  clear() {
    const had = this.#since.size > 0;
    this.#since.clear();
    return had;
  }

  // Sorted, so the sentence does not reshuffle as refreshes arrive.
  names(now) {
    return [...this.#since]
      .filter(([, at]) => now - at < this.#ttl)
      .map(([user]) => user)
      .sort((a, b) => a.localeCompare(b));
  }

  // Milliseconds until the next entry expires, or null when none is shown.
  nextExpiry(now) {
    let next = null;
    for (const at of this.#since.values()) {
      const left = Math.max(0, at + this.#ttl - now);
      if (next === null || left < next) next = left;
    }
    return next;
  }
}

// Our own typing state: input() on every edit of the composer, stop() when the message is sent.
// It calls send(true) at most every SEND_REFRESH_MS while keys keep coming, and send(false) once
// after SEND_IDLE_MS without input or on stop().
export class TypingSender {
  #send;
  #now;
  #setTimer;
  #clearTimer;
  #refreshMs;
  #idleMs;
  #active = false;
  #lastSent = -Infinity;
  #idleTimer = null;

  constructor(
    send,
    {
      now = () => Date.now(),
      setTimer = (fn, ms) => setTimeout(fn, ms),
      clearTimer = (id) => clearTimeout(id),
      refreshMs = SEND_REFRESH_MS,
      idleMs = SEND_IDLE_MS,
    } = {},
  ) {
    this.#send = send;
    this.#now = now;
    this.#setTimer = setTimer;
    this.#clearTimer = clearTimer;
    this.#refreshMs = refreshMs;
    this.#idleMs = idleMs;
  }

  get active() {
    return this.#active;
  }

  input() {
    const now = this.#now();
    if (!this.#active || now - this.#lastSent >= this.#refreshMs) {
      this.#active = true;
      this.#lastSent = now;
      this.#send(true);
    }
    if (this.#idleTimer !== null) this.#clearTimer(this.#idleTimer);
    this.#idleTimer = this.#setTimer(() => {
      this.#idleTimer = null;
      this.stop();
    }, this.#idleMs);
  }

  stop() {
    if (this.#idleTimer !== null) {
      this.#clearTimer(this.#idleTimer);
      this.#idleTimer = null;
    }
    if (this.#active) {
      this.#active = false;
      this.#send(false);
    }
  }

  // After a reconnect the server has forgotten us; the next key sends `true` again.
  reset() {
    if (this.#idleTimer !== null) this.#clearTimer(this.#idleTimer);
    this.#idleTimer = null;
    this.#active = false;
  }
}
