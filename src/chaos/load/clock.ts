/** Time source of the dispatcher; tests pass a fake one. */
export interface Clock {
  /** Epoch milliseconds, fractional. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** Real clock: sub-millisecond epoch time from `performance`, timers from `setTimeout`. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};
