// kafkajs 2.2.4 (the last release) schedules its pending-request check with
// `setTimeout(fn, throttledUntil - Date.now())`, and `throttledUntil` is -1 when
// the broker never throttled: a delay of minus the epoch, which Node has always
// run as 1 ms but since Node 23 also reports as a TimeoutNegativeWarning on the
// CLI's stderr. Our own kafkajs clients (consumer lag, message contracts) get the
// same schedule with the delay clamped to Node's 1 ms, so nothing about when the
// check runs changes. The app's kafkajs under the preload is left alone.
import { createRequire } from 'node:module';

interface RequestQueueLike {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for re-checking pending requests when nothing is throttled. */
const CHECK_PENDING_INTERVAL_MS = 10;
const PATCHED = Symbol.for('msa-verify.kafkajs.schedule');

/**
 * Clamps kafkajs's pending-request timer (see above); idempotent. Does nothing
 * when the kafkajs installed is not laid out as 2.2.x is.
 */
export function quietKafkajsTimers(): void {
  let proto: (RequestQueueLike & { [PATCHED]?: true }) | undefined;
  try {
    const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {
      prototype?: RequestQueueLike;
    };
    proto = RequestQueue.prototype;
  } catch {
    return;
  }
  if (proto === undefined || proto[PATCHED] || typeof proto.scheduleCheckPendingRequests !== 'function') return;
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueLike) {
    if (this.throttleCheckTimeoutId) return;
    const untilThrottleEnds = this.throttledUntil - Date.now();
    const delay = untilThrottleEnds > 0 ? untilThrottleEnds : this.pending.length > 0 ? CHECK_PENDING_INTERVAL_MS : 1;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
  proto[PATCHED] = true;
}
