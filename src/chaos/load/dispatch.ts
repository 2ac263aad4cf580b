// Open-model dispatcher: fires request `seq` at its scheduled time whether or not
// earlier ones answered, measures latency from the intended time (so a stalled
// system cannot hide its queueing: coordinated-omission correction), and drops
// (records, does not queue) requests beyond the in-flight bound.
//
//   tick -> fire every due seq -> timer to the next due time -> ... -> all sent
//   each fire: inFlight < max ? send(seq) : dropped sample

import type { Clock } from './clock.js';
import { dueCount, intendedAt, scheduledCount } from './schedule.js';
import type { RequestSample } from './types.js';

/** What a sender reports for one request; it must resolve, never reject. */
export interface SendOutcome {
  status: number;
  error?: string;
  bodySnippet?: string;
}

/** Options of {@link dispatch}. */
export interface DispatchOptions {
  ratePerSec: number;
  durationMs: number;
  /** Requests in flight beyond this are recorded as `dropped`. */
  maxInFlight: number;
  clock: Clock;
  /** Sends request `seq` carrying `correlationId`. */
  send: (seq: number, correlationId: string) => Promise<SendOutcome>;
  newCorrelationId: () => string;
  signal?: AbortSignal;
  onSample?: (s: RequestSample) => void;
  /** Method and path of request `seq`, copied into its sample. */
  label?: (seq: number) => { method: string; path: string };
}

/** Runs the schedule to its end (or abort) and resolves with every sample, ordered by `seq`. */
export function dispatch(options: DispatchOptions): Promise<RequestSample[]> {
  const { ratePerSec, clock, maxInFlight, signal } = options;
  const total = scheduledCount(ratePerSec, options.durationMs);
  const start = clock.now();
  const samples: RequestSample[] = [];
  let next = 0;
  let inFlight = 0;
  let scheduleDone = false;
  let cancelTimer: (() => void) | undefined;

  return new Promise((resolve) => {
    const record = (s: RequestSample): void => {
      if (options.label) Object.assign(s, options.label(s.seq));
      samples.push(s);
      options.onSample?.(s);
    };
    const maybeFinish = (): void => {
      if (!scheduleDone || inFlight > 0) return;
      signal?.removeEventListener('abort', onAbort);
      samples.sort((a, b) => a.seq - b.seq);
      resolve(samples);
    };
    const fire = (seq: number): void => {
      const due = intendedAt(start, ratePerSec, seq);
      const correlationId = options.newCorrelationId();
      const startedAt = clock.now();
      if (inFlight >= maxInFlight) {
        record({
          seq,
          intendedAt: due,
          startedAt,
          latencyMs: startedAt - due,
          serviceTimeMs: 0,
          status: 0,
          error: 'dropped',
          correlationId,
        });
        return;
      }
      inFlight++;
      options.send(seq, correlationId).then(
        (outcome) => complete(seq, due, startedAt, correlationId, outcome),
        (error: unknown) => complete(seq, due, startedAt, correlationId, { status: 0, error: String(error) }),
      );
    };
    const complete = (seq: number, due: number, startedAt: number, correlationId: string, o: SendOutcome): void => {
      const end = clock.now();
      const sample: RequestSample = {
        seq,
        intendedAt: due,
        startedAt,
        latencyMs: end - due,
        serviceTimeMs: end - startedAt,
        status: o.status,
        correlationId,
      };
      if (o.error !== undefined) sample.error = o.error;
      if (o.bodySnippet !== undefined) sample.bodySnippet = o.bodySnippet;
      record(sample);
      inFlight--;
      maybeFinish();
    };
    const tick = (): void => {
      cancelTimer = undefined;
      if (scheduleDone) return;
      const due = dueCount(start, ratePerSec, total, clock.now());
      while (next < due && !scheduleDone) fire(next++);
      if (next >= total) {
        scheduleDone = true;
        maybeFinish();
        return;
      }
      if (!scheduleDone) cancelTimer = clock.setTimer(tick, intendedAt(start, ratePerSec, next) - clock.now());
    };
    function onAbort(): void {
      cancelTimer?.();
      scheduleDone = true;
      maybeFinish();
    }
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}
