import { describe, expect, it } from 'vitest';
import { errorRateExpectation } from '../../src/chaos/expectations/error-rate.js';
import { fallbackExpectation, partialMatch } from '../../src/chaos/expectations/fallback.js';
import { latencyExpectation } from '../../src/chaos/expectations/latency.js';
import { recoversWithinExpectation } from '../../src/chaos/expectations/recovers-within.js';
import { expectationRegistry, expectationTypes } from '../../src/chaos/expectations/registry.js';
import { timeoutExpectation } from '../../src/chaos/expectations/timeout.js';
import type { ExpectationDefinition, PhaseEvidence } from '../../src/chaos/expectations/types.js';
import { clientSpan, evidence, samples, T0 } from './chaos-fixtures.js';

function judge<P>(def: ExpectationDefinition<P>, params: unknown, ev: PhaseEvidence) {
  return def.judge(def.params.parse(params), ev);
}

describe('registry', () => {
  it('holds the eight expectation types, keyed by type', () => {
    expect(expectationTypes).toEqual([
      'circuit-breaker',
      'error-rate',
      'fallback',
      'latency',
      'recovers-within',
      'rejected',
      'retry',
      'timeout',
    ]);
    for (const [key, def] of expectationRegistry) expect(def.type).toBe(key);
  });
  it('has strict params: unknown keys and bad durations are refused with the path', () => {
    const latency = expectationRegistry.get('latency')!;
    const unknown = latency.params.safeParse({ p99: '800ms', p999: '1s' });
    expect(unknown.success).toBe(false);
    expect(JSON.stringify(unknown.error?.issues)).toMatch(/p999/);
    const bad = latency.params.safeParse({ p99: '800' });
    expect(bad.error?.issues[0]?.path).toEqual(['p99']);
    expect(latency.params.safeParse({}).error?.issues[0]?.message).toMatch(/at least one of p50, p95, p99, max/);
    expect(expectationRegistry.get('error-rate')!.params.safeParse({ max: 2 }).success).toBe(false);
    expect(expectationRegistry.get('retry')!.params.safeParse({ maxAttempts: 0 }).success).toBe(false);
    expect(expectationRegistry.get('fallback')!.params.safeParse({ minRatio: 0.5 }).success).toBe(false);
  });
});

describe('latency', () => {
  const steady = evidence({
    kind: 'steady',
    samples: samples(T0, 20, 200, (i) => ({ latency: i % 100 >= 97 ? 400 : 20 })),
  });
  it('passes when every given percentile is within its bound', () => {
    const v = judge(latencyExpectation, { p50: '50ms', p99: '500ms' }, steady);
    expect(v).toMatchObject({ passed: true, observed: 400, bound: 'p99 <= 500ms', unit: 'ms', phase: 'steady' });
    expect(v.message).toBe(
      'latency within bounds: p50 20ms, p99 400ms against p50 <= 50ms, p99 <= 500ms (200 requests).',
    );
  });
  it('fails on the first bound exceeded and names observed vs bound', () => {
    const v = judge(latencyExpectation, { p50: '50ms', p99: '100ms', name: 'fast orders' }, steady);
    expect(v).toMatchObject({ passed: false, observed: 400, bound: 'p99 <= 100ms', name: 'fast orders' });
    expect(v.message).toBe('p99 latency 400ms exceeds the bound of 100ms (p50 20ms, p99 400ms; 200 requests).');
  });
  it('filters by request and fails when nothing was measured', () => {
    const v = judge(latencyExpectation, { p99: '1s', request: 'GET /api/products' }, steady);
    expect(v).toMatchObject({ passed: false, observed: null });
    expect(v.message).toBe('no requests were sent in phase steady, so "p99 <= 1s" could not be judged.');
  });
});

describe('error-rate', () => {
  const ev = evidence({
    samples: samples(T0, 10, 100, (i) => (i < 3 ? { status: 503 } : i === 3 ? { status: 0, error: 'timeout' } : {})),
  });
  it('passes under the bound', () => {
    const v = judge(errorRateExpectation, { max: '5%' }, ev);
    expect(v).toMatchObject({ passed: true, observed: 0.04, bound: '<= 5%' });
    expect(v.message).toBe('error rate 4% (4 of 100 requests; 503 x3, timeout x1) is within the bound of 5%.');
  });
  it('fails above the bound with a breakdown', () => {
    const v = judge(errorRateExpectation, { max: 0.01 }, ev);
    expect(v.passed).toBe(false);
    expect(v.message).toBe('error rate 4% (4 of 100 requests; 503 x3, timeout x1) exceeds the bound of 1%.');
  });
});

describe('timeout', () => {
  it('passes when the caller gives up within its budget (client and server spans)', () => {
    const ev = evidence({
      samples: samples(T0, 10, 50, (i) => (i % 10 === 0 ? { status: 503, latency: 850 } : { latency: 15 })),
      spans: [{ ...clientSpan('t1', T0, 840), kind: 'server', service: 'orders' }],
    });
    const v = judge(timeoutExpectation, { max: '1s', service: 'orders' }, ev);
    expect(v).toMatchObject({ passed: true, observed: 850 });
    expect(v.message).toBe(
      'slowest response 850ms at the client, slowest orders server span 840ms: within the timeout budget of 1s (50 requests).',
    );
  });
  it('fails for a naive caller that waits for the slow dependency (gateway 504 after 3s, orders span 5s)', () => {
    const ev = evidence({
      samples: samples(T0, 10, 50, () => ({ status: 504, latency: 3002 })),
      spans: [{ ...clientSpan('t1', T0, 5000), kind: 'server', service: 'orders' }],
    });
    const v = judge(timeoutExpectation, { max: '1s', service: 'orders' }, ev);
    expect(v).toMatchObject({ passed: false, observed: 5000, bound: '<= 1s' });
    expect(v.message).toBe(
      'slowest response 3.002s at the client, slowest orders server span 5s: above the timeout budget of 1s (50 requests).',
    );
  });
  it('counts client-side timeouts as waiting their full client timeout', () => {
    const ev = evidence({
      samples: samples(T0, 10, 10, (i) => (i === 0 ? { status: 0, error: 'timeout', latency: 5000 } : {})),
    });
    const v = judge(timeoutExpectation, { max: '2s' }, ev);
    expect(v.passed).toBe(false);
    expect(v.message).toBe(
      'slowest response 5s at the client (1 client timeouts): above the timeout budget of 2s (10 requests).',
    );
  });
});

describe('fallback', () => {
  const degraded = { error: 'products_unavailable', reason: 'circuit_open' };
  it('passes when the non-2xx responses are the documented degraded response', () => {
    const ev = evidence({ samples: samples(T0, 10, 100, (i) => (i < 10 ? {} : { status: 503, body: degraded })) });
    const v = judge(fallbackExpectation, { status: 503, body: { error: 'products_unavailable' } }, ev);
    expect(v).toMatchObject({ passed: true, observed: 1 });
    expect(v.message).toBe(
      '90 of 90 degraded responses (100%) were the documented 503 {"error":"products_unavailable"}, bound 95%.',
    );
  });
  it('fails when the caller answers gateway timeouts instead', () => {
    const ev = evidence({
      samples: samples(T0, 10, 100, (i) =>
        i < 20 ? { status: 503, body: degraded } : { status: 504, body: { error: 'gateway_timeout' } },
      ),
    });
    const v = judge(fallbackExpectation, { status: 503, body: { error: 'products_unavailable' } }, ev);
    expect(v).toMatchObject({ passed: false, observed: 0.2 });
    expect(v.message).toBe(
      'only 20 of 100 degraded responses (20%) were the documented 503 {"error":"products_unavailable"}, below 95%; others: 504 x80.',
    );
  });
  it('fails when no fallback was ever needed, unless told otherwise', () => {
    const ev = evidence({ samples: samples(T0, 10, 10) });
    const v = judge(fallbackExpectation, { status: 503 }, ev);
    expect(v.passed).toBe(false);
    expect(v.message).toMatch(/all 10 requests succeeded, so the fallback 503 was never served/);
    expect(judge(fallbackExpectation, { status: 503, requireDegraded: false }, ev).passed).toBe(true);
  });
  it('matches bodies partially and deeply', () => {
    expect(partialMatch({ a: { b: 1 } }, { a: { b: 1, c: 2 }, d: 3 })).toBe(true);
    expect(partialMatch({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(partialMatch({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(partialMatch({ a: 1 }, { a: '1' })).toBe(false);
  });
});

describe('recovers-within', () => {
  // recovery phase starting when the fault ended: errors for `badMs`, then healthy
  const recovery = (badMs: number, lengthMs = 20_000) =>
    evidence({
      kind: 'recovery',
      lengthMs,
      faultEndedAt: T0,
      samples: samples(T0, 20, (lengthMs / 1000) * 20, (_i, t) => (t - T0 < badMs ? { status: 503, latency: 5 } : {})),
    });
  it('passes when steady state returns within the bound', () => {
    const v = judge(recoversWithinExpectation, { within: '5s', p99: '200ms' }, recovery(3200));
    expect(v).toMatchObject({ passed: true, observed: 4000, bound: '<= 5s' });
    expect(v.message).toBe(
      'back to steady state (error rate <= 1% and p99 <= 200ms) 4s after the fault ended, within 5s.',
    );
  });
  it('fails when recovery takes longer than the bound', () => {
    const v = judge(recoversWithinExpectation, { within: '5s' }, recovery(8500));
    expect(v).toMatchObject({ passed: false, observed: 9000 });
    expect(v.message).toBe(
      'took 9s after the fault ended to get back to error rate <= 1%, above the bound of 5s (last breach: error rate 50% > 1%).',
    );
  });
  it('fails when the system never recovers within the phase, also on latency alone', () => {
    const slow = evidence({
      kind: 'recovery',
      lengthMs: 10_000,
      samples: samples(T0, 20, 200, () => ({ latency: 900 })),
    });
    const v = judge(recoversWithinExpectation, { within: '5s', p99: '300ms' }, slow);
    expect(v.passed).toBe(false);
    expect(v.message).toBe(
      'did not recover before the phase ended (10s after the fault): last second still had p99 900ms > 300ms; bound 5s.',
    );
  });
});
