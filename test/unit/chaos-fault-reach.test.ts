import { describe, expect, it } from 'vitest';
import { addFaultReachVerdicts, faultReachVerdict, reachCounts } from '../../src/chaos/runner/fault-reach.js';
import type { DrivenFault } from '../../src/chaos/runner/phase-faults.js';
import { FailBudget } from '../../src/chaos/tap/fail-budget.js';
import type { TapConnection } from '../../src/chaos/tap/types.js';
import type { PhaseResult } from '../../src/core/results.js';

// The fault window is 1000..2000; a pooled connection was opened at 100.
const conn = (openedAt: number, requests: number[], end?: [TapConnection['end'], number]): TapConnection => ({
  openedAt,
  requests,
  end: end?.[0],
  closedAt: end?.[1],
});
const fault = (type: string, extra: Partial<DrivenFault> = {}): DrivenFault => ({
  proxy: 'products',
  toxic: `msav-x-${type}`,
  type,
  phase: 'broken',
  toxicity: 1,
  startedAt: 1000,
  endedAt: 2000,
  ...extra,
});
const pooled = [conn(100, [500, 1100, 1200, 1300, 1400]), conn(150, [1500])];

describe('fault reach: evidence that a fault acted on the callers', () => {
  it('counts what crossed the tap in the window only', () => {
    const log = [...pooled, conn(1200, [1210], ['closed', 1300]), conn(1700, [], ['reset', 1700]), conn(2500, [2600])];
    expect(reachCounts(log, 1000, 2000)).toEqual({
      opened: 2,
      failed: 1,
      ended: 1,
      requests: 6,
      pooled: 2,
      touched: 4,
    });
  });

  it('fails fail-first that no new connection used, naming pooled connections and the option', () => {
    const v = faultReachVerdict(fault('fail-first', { budget: 4 }), reachCounts(pooled, 1000, 2000));
    expect(v).toMatchObject({ type: 'fault-reach', phase: 'broken', passed: false, observed: 0 });
    expect(v.message).toBe(
      'fail-first: 0 of 4 connections used; the caller reuses pooled connections (5 request(s) crossed proxy "products" on 2 connection(s) opened before the fault): set cutConnections: true on the phase.',
    );
  });

  it('fails fail-first when nothing reached the proxy at all', () => {
    const v = faultReachVerdict(fault('fail-first', { budget: 2 }), reachCounts([], 1000, 2000));
    expect(v.passed).toBe(false);
    expect(v.message).toBe(
      'fail-first: 0 of 2 connections used; no connection and no request reached proxy "products" while it was on.',
    );
  });

  it('passes fail-first that reset connections, and says the rest was disarmed', () => {
    const log = [conn(1100, [], ['reset', 1100]), conn(1150, [1160])];
    const v = faultReachVerdict(fault('fail-first', { budget: 3, cutConnections: 2 }), reachCounts(log, 1000, 2000));
    expect(v).toMatchObject({ passed: true, observed: 1 });
    expect(v.message).toBe(
      "fail-first: 1 of 3 connections reset; the other 2 were disarmed at the phase's end; 2 open connection(s) were cut at its start.",
    );
  });

  it('fails reset_peer that spared the pooled connections (toxicity < 1)', () => {
    const v = faultReachVerdict(fault('reset_peer', { toxicity: 0.3 }), reachCounts(pooled, 1000, 2000));
    expect(v.passed).toBe(false);
    expect(v.message).toBe(
      'reset_peer: 0 connections reset while the fault was on; 5 request(s) crossed proxy "products" on 2 pooled connection(s) the toxic did not reach (toxicity 0.3: each connection is faulted or spared as a whole, so pooled ones may all be spared): set cutConnections: true on the fault.',
    );
  });

  it('passes reset_peer when connections ended in its window; connections the run cut do not count', () => {
    const cutOnly = [conn(100, [500], ['cut', 1000])];
    expect(faultReachVerdict(fault('reset_peer'), reachCounts(cutOnly, 1000, 2000)).passed).toBe(false);
    const reset = [...cutOnly, conn(1001, [1002], ['error', 1003])];
    const v = faultReachVerdict(fault('reset_peer'), reachCounts(reset, 1000, 2000));
    expect(v).toMatchObject({ passed: true, observed: 1 });
    expect(v.message).toBe('reset_peer: 1 connection(s) reset or closed while the fault was on, 1 of them new.');
  });

  it('fails a data toxic that no traffic crossed, passes one that traffic crossed', () => {
    const idle = [conn(100, [500])];
    const none = faultReachVerdict(fault('latency'), reachCounts(idle, 1000, 2000));
    expect(none).toMatchObject({ passed: false, observed: 0 });
    expect(none.message).toBe(
      'latency: no request and no connection crossed proxy "products" while the fault was on, so it acted on nothing.',
    );
    const some = faultReachVerdict(fault('latency'), reachCounts(pooled, 1000, 2000));
    expect(some.message).toBe(
      'latency: 5 request(s) on 2 connection(s) crossed proxy "products" while the fault was on.',
    );
  });

  it("adds one verdict per fault to the fault's phase; down and proxies without a log get none", () => {
    const phase = (name: string): PhaseResult => ({
      name,
      kind: 'fault',
      startedAt: 0,
      endedAt: 3000,
      requests: 0,
      errors: 0,
      latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
      verdicts: [],
    });
    const out = addFaultReachVerdicts(
      [phase('steady'), phase('broken')],
      [fault('latency'), fault('down'), fault('latency', { proxy: 'untapped' })],
      new Map([['products', pooled]]),
    );
    expect(out.map((p) => p.verdicts.map((v) => v.name))).toEqual([[], ['latency on products reached the callers']]);
  });
});

describe('fail-first budget', () => {
  it('unused fail-first budget does not leak: disarm drops what the phase did not use', () => {
    const budget = new FailBudget();
    budget.arm(4);
    expect(budget.take()).toBe(true);
    expect(budget.disarm()).toBe(3);
    expect(budget.pending).toBe(0);
    // A later phase's connections are relayed, not reset.
    expect(budget.take()).toBe(false);
    budget.arm(1);
    expect([budget.take(), budget.take()]).toEqual([true, false]);
  });
});
