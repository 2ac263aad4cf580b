// Retry and circuit-breaker judged against synthetic evidence shaped like the
// example shop's three variants under a fault on orders -> products:
//   resilient  timeout 800ms, <= 3 attempts with backoff, breaker opens after 5 failures
//   naive      (ORDERS_RESILIENCE=off) no timeout, no retry, no breaker: 1 call per request, waits
//   storm      (ORDERS_RETRY_STORM=on) up to 50 immediate attempts, no breaker
import { describe, expect, it } from 'vitest';
import { circuitBreakerExpectation } from '../../src/chaos/expectations/circuit-breaker.js';
import { retryExpectation } from '../../src/chaos/expectations/retry.js';
import type { ExpectationDefinition, PhaseEvidence } from '../../src/chaos/expectations/types.js';
import type { SpanRecord } from '../../src/evidence/types.js';
import { clientSpan, evidence, samples, T0, times } from './chaos-fixtures.js';

function judge<P>(def: ExpectationDefinition<P>, params: unknown, ev: PhaseEvidence) {
  return def.judge(def.params.parse(params), ev);
}

/** `requests` traces, each with attempts at the given offsets (ms from the trace start) lasting `dur` ms. */
function traces(requests: number, offsets: number[], dur = 2): SpanRecord[] {
  return Array.from({ length: requests }, (_, r) =>
    offsets.map((o) => clientSpan(`trace-${r}`, T0 + r * 50 + o, dur)),
  ).flat();
}

describe('retry from client spans (traces present)', () => {
  const reqs = samples(T0, 20, 100);
  const params = { caller: 'orders', dependency: '127.0.0.1:9999', maxAttempts: 3, minBackoff: '25ms' };

  it('passes for bounded retries with backoff (3 attempts, 50ms then 100ms apart)', () => {
    const ev = evidence({ samples: reqs, spans: traces(100, [0, 52, 154]) });
    const v = judge(retryExpectation, params, ev);
    expect(v).toMatchObject({ passed: true, observed: 3, bound: '<= 3 attempts, backoff >= 25ms', unit: 'attempts' });
    expect(v.message).toBe(
      'at most 3 attempts per request, smallest backoff 50ms, within <= 3 attempts, backoff >= 25ms (100 traces, 100 retried, most attempts 3 (trace trace-0)).',
    );
  });

  it('fails a retry storm on the attempt count', () => {
    const storm = Array.from({ length: 50 }, (_, i) => i * 2.2);
    const v = judge(retryExpectation, params, evidence({ samples: reqs, spans: traces(100, storm) }));
    expect(v).toMatchObject({ passed: false, observed: 50, bound: '<= 3 attempts' });
    expect(v.message).toBe(
      'a request made 50 attempts, above the bound of 3 (100 traces, 100 retried, most attempts 50 (trace trace-0), from client spans).',
    );
  });

  it('fails immediate retries within the count on the backoff', () => {
    const v = judge(retryExpectation, params, evidence({ samples: reqs, spans: traces(100, [0, 2.5, 5]) }));
    expect(v).toMatchObject({ passed: false, observed: 0.5, bound: 'backoff >= 25ms', unit: 'ms' });
    expect(v.message).toBe(
      'retries came 0.5ms after the previous attempt, below the backoff bound of 25ms (100 traces, 100 retried, most attempts 3 (trace trace-0)).',
    );
  });

  it('ignores spans of other callers and dependencies', () => {
    const other = traces(
      5,
      Array.from({ length: 20 }, (_, i) => i * 3),
    ).map((s) => ({ ...s, service: 'gateway' }));
    const v = judge(retryExpectation, params, evidence({ samples: reqs, spans: [...traces(100, [0]), ...other] }));
    expect(v).toMatchObject({ passed: true, observed: 1 });
  });
});

describe('retry from proxy connection counts (traces absent)', () => {
  const reqs = samples(T0, 20, 100);
  const params = { proxy: 'products', maxAttempts: 3 };

  it('passes when connections per request stay within the attempts', () => {
    const v = judge(
      retryExpectation,
      params,
      evidence({ samples: reqs, connections: { products: times(T0, 20, 240) } }),
    );
    expect(v).toMatchObject({ passed: true, observed: 2.4 });
    expect(v.message).toBe(
      '240 connections through proxy products for 100 requests = 2.40 attempts per request, within the bound of 3.',
    );
  });

  it('fails a retry storm: tens of connections per request', () => {
    const v = judge(
      retryExpectation,
      params,
      evidence({ samples: reqs, connections: { products: times(T0, 1, 5000) } }),
    );
    expect(v).toMatchObject({ passed: false, observed: 50 });
    expect(v.message).toBe(
      '5000 connections through proxy products for 100 requests = 50.00 attempts per request, above the bound of 3.',
    );
  });

  it('prefers the tap call counts (HTTP requests over keep-alive) to connection counts', () => {
    const ev = evidence({
      samples: reqs,
      calls: { products: times(T0, 2, 2000) },
      connections: { products: times(T0, 100, 10) },
    });
    const v = judge(retryExpectation, params, ev);
    expect(v).toMatchObject({ passed: false, observed: 20 });
    expect(v.message).toBe(
      '2000 HTTP requests through proxy products for 100 requests = 20.00 attempts per request, above the bound of 3.',
    );
  });

  it('fails when neither spans nor connection counts exist (it cannot judge)', () => {
    const v = judge(retryExpectation, { ...params, proxy: 'nope', caller: 'orders' }, evidence({ samples: reqs }));
    expect(v).toMatchObject({ passed: false, observed: null });
    expect(v.message).toBe(
      'no client spans (caller orders) in the phase and no connection counts for proxy "nope" in phase fault, so "<= 3 attempts" could not be judged.',
    );
  });
});

describe('circuit-breaker while the fault lasts', () => {
  // 20 s fault phase at 20 req/s; the breaker must be open 5 s after the fault started
  const params = { proxy: 'products', openWithin: '5s' };
  const resilientSamples = samples(T0, 20, 400, (_i, t) =>
    t - T0 < 2000
      ? { status: 503, latency: 850, body: { error: 'products_unavailable', reason: 'timeout' } }
      : { status: 503, latency: 3, body: { error: 'products_unavailable', reason: 'circuit_open' } },
  );
  // 3 attempts per request for 2 s, then one half-open probe every 3 s
  const resilientConnections = [...times(T0, 50 / 3, 120), ...times(T0 + 5000, 3000, 5)];

  it('passes for a caller whose breaker opens: calls drop to a trickle and answers are fast', () => {
    const ev = evidence({
      samples: resilientSamples,
      connections: { products: resilientConnections },
      faultStartedAt: T0,
    });
    const v = judge(circuitBreakerExpectation, params, ev);
    expect(v).toMatchObject({
      passed: true,
      observed: 0.017,
      bound: '<= 0.2 calls/request after 5s',
      unit: 'calls/request',
    });
    expect(v.message).toBe(
      'breaker open: 5 calls (connections through proxy products) for 300 requests = 0.02 calls per request (bound 0.2) and p95 latency 3ms (bound 250ms) in the 15s after the breaker should have opened.',
    );
  });

  it('fails a naive caller without a breaker: one call per request and slow answers', () => {
    const ev = evidence({
      samples: samples(T0, 20, 400, () => ({ status: 504, latency: 3001 })),
      connections: { products: times(T0, 50, 400) },
      faultStartedAt: T0,
    });
    const v = judge(circuitBreakerExpectation, params, ev);
    expect(v).toMatchObject({ passed: false, observed: 1 });
    expect(v.message).toBe(
      'the caller kept calling the dependency: 300 calls (connections through proxy products) for 300 requests = 1.00 calls per request in the 15s after the breaker should have opened, above the bound of 0.2.',
    );
  });

  it('fails a retry storm: many calls per request', () => {
    const ev = evidence({
      samples: samples(T0, 20, 400, () => ({ status: 503, latency: 60 })),
      connections: { products: times(T0, 1, 20_000) },
      faultStartedAt: T0,
    });
    const v = judge(circuitBreakerExpectation, params, ev);
    expect(v.passed).toBe(false);
    expect(v.observed).toBeCloseTo(50, 0);
    expect(v.message).toMatch(/^the caller kept calling the dependency: 15000 calls .* = 50\.00 calls per request/);
  });

  it('fails a caller that stops calling but still answers slowly', () => {
    const ev = evidence({
      samples: samples(T0, 20, 400, () => ({ status: 503, latency: 1200 })),
      connections: { products: resilientConnections },
      faultStartedAt: T0,
    });
    const v = judge(circuitBreakerExpectation, params, ev);
    expect(v).toMatchObject({ passed: false, observed: 1200, bound: 'p95 <= 250ms while open', unit: 'ms' });
    expect(v.message).toBe(
      'responses did not fail fast: p95 latency 1.2s in the 15s after the breaker should have opened, above 250ms (calls per request 0.02, within 0.2).',
    );
  });

  it('judges from client spans when traces are present', () => {
    const spans = [
      ...traces(40, [0, 60, 180], 800), // the first 2 s: 3 attempts each
      ...times(T0 + 5000, 3000, 5).map((t, i) => clientSpan(`probe-${i}`, t, 800)),
    ];
    const ok = judge(
      circuitBreakerExpectation,
      { caller: 'orders', dependency: '9999' },
      evidence({ samples: resilientSamples, spans, faultStartedAt: T0 }),
    );
    expect(ok.passed).toBe(true);
    expect(ok.message).toMatch(/5 calls \(client spans\) for 300 requests/);
    const naiveSpans = times(T0, 50, 400).map((t, i) => clientSpan(`n-${i}`, t, 3000));
    const bad = judge(
      circuitBreakerExpectation,
      { caller: 'orders' },
      evidence({ samples: resilientSamples, spans: naiveSpans, faultStartedAt: T0 }),
    );
    expect(bad.passed).toBe(false);
    expect(bad.message).toMatch(/300 calls \(client spans\) for 300 requests = 1\.00 calls per request/);
  });

  it('fails when the fault is too short to see the breaker open', () => {
    const ev = evidence({
      lengthMs: 3000,
      samples: samples(T0, 20, 60),
      connections: { products: [] },
      faultStartedAt: T0,
    });
    const v = judge(circuitBreakerExpectation, params, ev);
    expect(v.passed).toBe(false);
    expect(v.message).toMatch(
      /no requests were sent between 5s after the fault started and its end \(fault too short\?\)/,
    );
  });
});

describe('circuit-breaker in recovery (half-open, then closed)', () => {
  const params = { proxy: 'products', closesWithin: '5s' };
  it('passes when answers succeed again once the half-open probe got through', () => {
    const ev = evidence({
      kind: 'recovery',
      faultEndedAt: T0,
      samples: samples(T0, 20, 400, (_i, t) => (t - T0 < 3000 ? { status: 503, latency: 2 } : {})),
    });
    const v = judge(circuitBreakerExpectation, params, ev);
    expect(v).toMatchObject({ passed: true, observed: 0, bound: 'closed within 5s' });
    expect(v.message).toBe('breaker closed: 0% errors in 300 requests from 5s after the fault ended.');
  });
  it('fails when the breaker stays open after the dependency healed', () => {
    const ev = evidence({
      kind: 'recovery',
      faultEndedAt: T0,
      samples: samples(T0, 20, 400, () => ({ status: 503, latency: 2 })),
    });
    const v = judge(circuitBreakerExpectation, params, ev);
    expect(v).toMatchObject({ passed: false, observed: 1 });
    expect(v.message).toBe(
      'breaker did not close within 5s: 100% errors (503 x300) in 300 requests after that, above 1%.',
    );
  });
});
