// Synthetic evidence for the expectation tests: samples, spans and connection
// times built by arithmetic (no clocks, no sleeps). T0 is the phase start.

import type { PhaseEvidence } from '../../src/chaos/expectations/types.js';
import type { RequestSample } from '../../src/chaos/load/types.js';
import type { SpanRecord } from '../../src/evidence/types.js';

export const T0 = 1_764_400_000_000;

export interface SampleShape {
  status?: number;
  latency?: number;
  error?: string;
  body?: unknown;
  path?: string;
  method?: string;
}

/** `count` requests at `rate`/s from `at`; `shape(i, t)` decides each outcome. */
export function samples(
  at: number,
  rate: number,
  count: number,
  shape: (i: number, t: number) => SampleShape = () => ({}),
  firstSeq = 0,
): RequestSample[] {
  return Array.from({ length: count }, (_, i) => {
    const t = at + (i * 1000) / rate;
    const s = shape(i, t);
    const latency = s.latency ?? 20;
    const out: RequestSample = {
      seq: firstSeq + i,
      intendedAt: t,
      startedAt: t,
      latencyMs: latency,
      serviceTimeMs: latency,
      status: s.status ?? 201,
      correlationId: `c-${firstSeq + i}`,
      method: s.method ?? 'POST',
      path: s.path ?? '/api/orders',
    };
    if (s.error !== undefined) out.error = s.error;
    if (s.body !== undefined) out.bodySnippet = typeof s.body === 'string' ? s.body : JSON.stringify(s.body);
    return out;
  });
}

let spanIds = 0;
/** A client span of `caller` to products (127.0.0.1:9999 by default). */
export function clientSpan(
  traceId: string,
  start: number,
  duration: number,
  extra: Partial<SpanRecord> = {},
): SpanRecord {
  return {
    traceId,
    spanId: (++spanIds).toString(16).padStart(16, '0'),
    parentSpanId: 'ffffffffffffffff',
    name: 'GET',
    kind: 'client',
    service: 'orders',
    startTime: start,
    endTime: start + duration,
    attributes: {
      'server.address': '127.0.0.1',
      'server.port': 9999,
      'url.full': 'http://127.0.0.1:9999/api/products?ids=p-1',
    },
    status: 'unset',
    ...extra,
  };
}

/** Evenly spaced times: `count` from `at` every `every` ms. */
export function times(at: number, every: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => at + i * every);
}

export function evidence(
  partial: Partial<PhaseEvidence> & { kind?: PhaseEvidence['phase']['kind']; lengthMs?: number },
): PhaseEvidence {
  const length = partial.lengthMs ?? 20_000;
  const e: PhaseEvidence = {
    phase: partial.phase ?? {
      name: partial.kind ?? 'fault',
      kind: partial.kind ?? 'fault',
      startedAt: T0,
      endedAt: T0 + length,
    },
    samples: partial.samples ?? [],
    spans: partial.spans ?? [],
    connections: partial.connections ?? {},
  };
  if (partial.faultStartedAt !== undefined) e.faultStartedAt = partial.faultStartedAt;
  if (partial.faultEndedAt !== undefined) e.faultEndedAt = partial.faultEndedAt;
  if (partial.calls !== undefined) e.calls = partial.calls;
  return e;
}
