import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/chaos/load/clock.js';
import { dispatch, type SendOutcome } from '../../src/chaos/load/dispatch.js';
import { assertLoadPlan } from '../../src/chaos/load/run-load.js';
import { dueCount, intendedAt, scheduledCount } from '../../src/chaos/load/schedule.js';
import { percentile, summarizeLatency } from '../../src/chaos/load/stats.js';
import type { RequestSample } from '../../src/chaos/load/types.js';

/** A manual clock: time moves only through advance(); timers fire in due order. */
class FakeClock implements Clock {
  t = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): () => void {
    const id = ++this.ids;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return () => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
  }
  /** Moves time forward in steps, firing due timers at their time. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      this.timers.sort((a, b) => a.at - b.at);
      const first = this.timers[0];
      if (!first || first.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, first.at);
      first.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A sender whose requests complete only when the test says so. */
function manualSender() {
  const pending = new Map<number, (o: SendOutcome) => void>();
  const sentAt: number[] = [];
  return {
    pending,
    sentAt,
    send(clock: Clock) {
      return (seq: number): Promise<SendOutcome> => {
        sentAt.push(clock.now());
        return new Promise((resolve) => pending.set(seq, resolve));
      };
    },
    complete(seq: number, o: SendOutcome = { status: 200 }) {
      pending.get(seq)?.(o);
      pending.delete(seq);
    },
  };
}

let ids = 0;
const newId = () => `cid-${++ids}`;

describe('open-model schedule arithmetic', () => {
  it('schedules floor(duration * rate) requests at start + seq / rate', () => {
    expect(scheduledCount(10, 1000)).toBe(10);
    expect(scheduledCount(3, 1000)).toBe(3);
    expect(scheduledCount(50, 250)).toBe(12);
    expect(scheduledCount(0.5, 1000)).toBe(0);
    expect(intendedAt(1000, 4, 3)).toBe(1750);
    expect(dueCount(1000, 10, 10, 999)).toBe(0);
    expect(dueCount(1000, 10, 10, 1000)).toBe(1);
    expect(dueCount(1000, 10, 10, 1099.9)).toBe(1);
    expect(dueCount(1000, 10, 10, 1100)).toBe(2);
    expect(dueCount(1000, 10, 10, 9999)).toBe(10);
  });
});

describe('dispatch with a fake clock', () => {
  it('sends on schedule even while earlier requests are unanswered (open model)', async () => {
    const clock = new FakeClock();
    const s = manualSender();
    const done = dispatch({
      ratePerSec: 10,
      durationMs: 1000,
      maxInFlight: 100,
      clock,
      send: s.send(clock),
      newCorrelationId: newId,
    });
    const t0 = clock.now();
    await clock.advance(950);
    // all 10 sent though none answered
    expect(s.sentAt.map((t) => t - t0)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    for (let i = 0; i < 10; i++) s.complete(i);
    const samples = await done;
    expect(samples).toHaveLength(10);
    expect(new Set(samples.map((x) => x.correlationId)).size).toBe(10);
  });

  it('measures latency from the intended time when the sender was late (coordinated omission)', async () => {
    const clock = new FakeClock();
    const s = manualSender();
    const t0 = clock.now();
    const done = dispatch({
      ratePerSec: 10,
      durationMs: 500,
      maxInFlight: 100,
      clock,
      send: s.send(clock),
      newCorrelationId: newId,
    });
    // the event loop was blocked: no timer ran for 450 ms, then everything due fires at once
    clock.t = t0 + 450;
    await clock.advance(0);
    expect(s.sentAt).toHaveLength(5);
    await clock.advance(50);
    for (let i = 0; i < 5; i++) s.complete(i);
    const samples = await done;
    const seq1 = samples.find((x) => x.seq === 1)!;
    expect(seq1.intendedAt).toBe(t0 + 100);
    expect(seq1.startedAt).toBe(t0 + 450);
    expect(seq1.latencyMs).toBe(400); // completion at +500, intended +100
    expect(seq1.serviceTimeMs).toBe(50);
  });

  it('drops requests beyond maxInFlight instead of queueing them', async () => {
    const clock = new FakeClock();
    const s = manualSender();
    const seen: RequestSample[] = [];
    const done = dispatch({
      ratePerSec: 10,
      durationMs: 1000,
      maxInFlight: 3,
      clock,
      send: s.send(clock),
      newCorrelationId: newId,
      onSample: (x) => seen.push(x),
    });
    await clock.advance(450); // seq 0..4 due, only 0..2 in flight
    expect(s.sentAt).toHaveLength(3);
    expect(seen.map((x) => [x.seq, x.error])).toEqual([
      [3, 'dropped'],
      [4, 'dropped'],
    ]);
    s.complete(0, { status: 503, bodySnippet: 'x' });
    await flush();
    await clock.advance(500);
    for (const seq of [...s.pending.keys()]) s.complete(seq);
    const samples = await done;
    expect(samples.map((x) => x.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // seq 0's completion freed one slot: seq 5 was sent, 3, 4, 6..9 dropped
    expect(s.sentAt).toHaveLength(4);
    expect(samples.filter((x) => x.error === 'dropped').map((x) => x.seq)).toEqual([3, 4, 6, 7, 8, 9]);
    expect(samples[0]).toMatchObject({ status: 503, bodySnippet: 'x' });
  });

  it('stops the schedule on abort and resolves once in-flight requests finish', async () => {
    const clock = new FakeClock();
    const s = manualSender();
    const ac = new AbortController();
    const done = dispatch({
      ratePerSec: 10,
      durationMs: 10_000,
      maxInFlight: 100,
      clock,
      send: s.send(clock),
      newCorrelationId: newId,
      signal: ac.signal,
    });
    await clock.advance(250);
    ac.abort();
    await clock.advance(1000);
    expect(s.sentAt).toHaveLength(3);
    for (const seq of [...s.pending.keys()]) s.complete(seq, { status: 0, error: 'aborted' });
    const samples = await done;
    expect(samples.map((x) => x.error)).toEqual(['aborted', 'aborted', 'aborted']);
  });

  it('turns a rejecting sender into an error sample', async () => {
    const clock = new FakeClock();
    const samples = await dispatch({
      ratePerSec: 1,
      durationMs: 1000,
      maxInFlight: 1,
      clock,
      send: () => Promise.reject(new Error('boom')),
      newCorrelationId: newId,
    });
    expect(samples[0]).toMatchObject({ status: 0, error: 'Error: boom' });
  });
});

describe('plan validation and stats', () => {
  const plan = {
    target: 'http://127.0.0.1:1',
    requests: [{ method: 'GET' as const, path: '/' }],
    ratePerSec: 1,
    durationMs: 1,
    timeoutMs: 1,
  };
  it('names the bad field', () => {
    expect(() => assertLoadPlan({ ...plan, ratePerSec: 0 })).toThrow(/ratePerSec must be a positive number/);
    expect(() => assertLoadPlan({ ...plan, target: 'nope' })).toThrow(/target is not a URL/);
    expect(() => assertLoadPlan({ ...plan, requests: [{ method: 'GET', path: 'x' }] })).toThrow(
      /requests\[0\]\.path must start with "\/"/,
    );
    expect(() => assertLoadPlan({ ...plan, maxInFlight: 0 })).toThrow(/maxInFlight/);
    expect(() => assertLoadPlan(plan)).not.toThrow();
  });
  it('computes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
    expect(summarizeLatency([])).toEqual({ p50: 0, p95: 0, p99: 0, max: 0 });
  });
});
