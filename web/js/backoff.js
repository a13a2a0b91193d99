// Reconnect delays: exponential backoff with jitter. Pure: no timers, no I/O.
//
// Attempt n (0-based) has a ceiling of min(max, base * 2^n): 0.5 s, 1 s, 2 s, ... 15 s. The delay
// is drawn uniformly from the upper half of that ceiling ("equal jitter"), so tabs that lost the
// same server at the same moment do not all come back in the same millisecond, yet no delay is
// ever shorter than half the planned one.

export const BASE_DELAY_MS = 500;
export const MAX_DELAY_MS = 15000;

export function backoffCeiling(attempt, { base = BASE_DELAY_MS, max = MAX_DELAY_MS } = {}) {
  const n = Math.max(0, Math.floor(attempt));
  // 2^n overflows to Infinity long after it passed max; min() handles that.
  return Math.min(max, base * 2 ** n);
}

export function backoffDelay(attempt, { base = BASE_DELAY_MS, max = MAX_DELAY_MS, random = Math.random } = {}) {
  const ceiling = backoffCeiling(attempt, { base, max });
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

// A counter over backoffDelay: next() gives the delay before the next attempt, reset() after a
// connection succeeded.
export class Backoff {
  #options;
  #attempt = 0;

  constructor(options = {}) {
    this.#options = options;
  }

  get attempt() {
    return this.#attempt;
  }

  next() {
    const delay = backoffDelay(this.#attempt, this.#options);
    this.#attempt += 1;
    return delay;
  }

  reset() {
    this.#attempt = 0;
  }
}
