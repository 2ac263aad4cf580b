import type { ChaosRunResult, ContractsRunResult } from '../../src/core/results.js';
import type { TraceCheckResult, TraceSpanRow } from '../../src/core/trace-results.js';

/** A small chaos result with one passing and one failing expectation, for reporter tests. */
export function sampleChaosResult(scenario = 'products-slow', t0 = Date.now() - 30_000): ChaosRunResult {
  return {
    kind: 'chaos',
    runId: 'run-test-1',
    scenario,
    file: `chaos/${scenario}.yaml`,
    startedAt: t0,
    endedAt: t0 + 30_000,
    passed: false,
    rolledBack: true,
    phases: [
      {
        name: 'steady',
        kind: 'steady',
        startedAt: t0,
        endedAt: t0 + 10_000,
        requests: 200,
        errors: 0,
        latencyMs: { p50: 5, p95: 9, p99: 12, max: 20 },
        verdicts: [
          {
            type: 'latency',
            name: 'latency p99',
            phase: 'steady',
            passed: true,
            observed: 12,
            bound: '<= 200ms',
            unit: 'ms',
            message: 'p99 12ms is within 200ms',
          },
        ],
      },
      {
        name: 'fault',
        kind: 'fault',
        startedAt: t0 + 10_000,
        endedAt: t0 + 20_000,
        requests: 200,
        errors: 150,
        latencyMs: { p50: 800, p95: 2400, p99: 2600, max: 3000 },
        verdicts: [
          {
            type: 'timeout',
            name: 'timeout <= 1s',
            phase: 'fault',
            passed: false,
            observed: 3000,
            bound: '<= 1s',
            unit: 'ms',
            message: 'a request waited 3000ms, longer than the 1s budget',
          },
        ],
        // What a delivered check counted (normally on the eventually pseudo-phase).
        deliveries: [
          {
            name: 'every order processed',
            consumer: 'notifications',
            transport: 'kafka',
            phase: 'all',
            published: 40,
            processed: 38,
            lost: 2,
            duplicated: 1,
            late: 0,
            examples: { lost: ['o-7', 'o-9'], duplicated: ['o-3'], late: [] },
            delayMs: { p50: 40, max: 4200 },
          },
        ],
      },
    ],
    faults: [
      { proxy: 'products', toxic: 'run-test-1-latency', type: 'latency', startedAt: t0 + 10_000, endedAt: t0 + 20_000 },
    ],
    timeline: [
      { t: 100, latencyMs: 5, status: 201, phase: 'steady' },
      { t: 10_500, latencyMs: 3000, status: 0, phase: 'fault' },
    ],
    consumerLag: [
      {
        name: 'every order processed',
        consumer: 'notifications',
        topic: 'shop.orders',
        group: 'notifications',
        points: [
          { at: t0 + 1000, end: 10, committed: 10, lag: 0 },
          { at: t0 + 21_000, end: 60, committed: 24, lag: 36 },
          { at: t0 + 25_000, end: 60, committed: 60, lag: 0 },
        ],
        failedReads: { count: 1, first: 'Connection timeout' },
      },
    ],
  };
}

/** A contracts result with one broken interaction, for reporter tests. */
export function sampleContractsResult(t0 = Date.now() - 5000): ContractsRunResult {
  return {
    kind: 'contracts',
    runId: 'run-test-2',
    startedAt: t0,
    endedAt: t0 + 5000,
    passed: false,
    pairs: [
      {
        consumer: 'gateway',
        provider: 'orders',
        kind: 'http',
        passed: false,
        durationMs: 1200,
        interactions: [
          {
            description: 'a request to create an order',
            providerStates: ['product p-1 exists'],
            passed: true,
            mismatches: [],
          },
          {
            description: 'a request for an order <with> "quotes" & ampersands',
            providerStates: [],
            passed: false,
            mismatches: [
              { path: 'body.totalCents', expected: 'a number', actual: 'missing', message: 'field missing' },
            ],
          },
        ],
      },
    ],
  };
}

/** A trace check result whose message hop broke, for reporter tests. */
export function sampleTraceResult(t0 = Date.now() - 3000): TraceCheckResult {
  const span = (
    spanId: string,
    parentSpanId: string | null,
    depth: number,
    service: string,
    kind: TraceSpanRow['kind'],
    start: number,
    ms: number,
  ): TraceSpanRow => ({
    spanId,
    parentSpanId,
    depth,
    service,
    name: kind === 'server' ? 'POST /api/orders' : 'POST',
    kind,
    startTime: t0 + start,
    durationMs: ms,
    status: 'unset',
    correlationId: 'msav-0123456789abcdef',
  });
  return {
    kind: 'trace',
    runId: 'run-test-3',
    check: 'order-created',
    file: 'traces/order-created.yaml',
    startedAt: t0,
    endedAt: t0 + 2000,
    passed: false,
    correlationId: 'msav-0123456789abcdef',
    traceId: 'a'.repeat(32),
    traceUrl: `http://127.0.0.1:16686/trace/${'a'.repeat(32)}`,
    source: 'jaeger:http://127.0.0.1:16686',
    verdicts: [
      {
        rule: 'one-trace',
        name: 'one trace',
        passed: true,
        observed: 1,
        bound: '1 trace',
        unit: 'traces',
        message: 'one trace',
      },
      {
        rule: 'hop',
        name: 'orders → RabbitMQ → delivery',
        passed: false,
        observed: null,
        bound: '<= 5s',
        unit: 'ms',
        message: 'orders → RabbitMQ → delivery: no producer span of orders in the trace',
      },
    ],
    spans: [
      span('0000000000000001', null, 0, 'gateway', 'server', 0, 40),
      span('0000000000000002', '0000000000000001', 1, 'gateway', 'client', 2, 35),
      span('0000000000000003', '0000000000000002', 2, 'orders', 'server', 5, 30),
    ],
    neverReported: ['delivery'],
    lastSpanToVerdictMs: 8000,
  };
}
