import { describe, expect, it } from 'vitest';
import { spansOfRequests, traceIdsByCorrelation } from '../../src/evidence/correlate.js';
import { parseSpanLine } from '../../src/evidence/file-source.js';
import type { SpanRecord } from '../../src/evidence/types.js';

const span = (traceId: string, spanId: string, attributes: Record<string, unknown> = {}): SpanRecord => ({
  traceId,
  spanId,
  name: 'x',
  kind: 'server',
  service: 'orders',
  startTime: 1,
  endTime: 2,
  attributes,
  status: 'unset',
});

describe('joining spans to requests', () => {
  const spans = [
    span('t1', 'a', { 'correlation.id': 'c-1' }),
    span('t1', 'b'),
    span('t2', 'c', { 'correlation.id': 'other-run' }),
    span('t3', 'd'),
  ];
  it('maps correlation ids to traces and keeps only the run traces', () => {
    expect(traceIdsByCorrelation(spans)).toEqual(
      new Map([
        ['c-1', 't1'],
        ['other-run', 't2'],
      ]),
    );
    expect(spansOfRequests(spans, ['c-1', 'c-2']).map((s) => s.spanId)).toEqual(['a', 'b']);
    expect(spansOfRequests(spans, [])).toEqual([]);
  });
});

describe('the preload JSON-lines shape', () => {
  it('parses a line as the preload writes it (uppercase kind, status object, flat resource)', () => {
    const line = JSON.stringify({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: '',
      name: 'POST /api/orders',
      kind: 'SERVER',
      startTime: 1000.5,
      endTime: 1010.25,
      durationMs: 9.75,
      attributes: { 'correlation.id': 'c-1' },
      status: { code: 'ERROR', message: 'boom' },
      events: [],
      resource: { 'service.name': 'orders', 'host.name': 'x' },
      scope: '@opentelemetry/instrumentation-http',
    });
    expect(parseSpanLine(line)).toEqual({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'POST /api/orders',
      kind: 'server',
      service: 'orders',
      startTime: 1000.5,
      endTime: 1010.25,
      attributes: { 'correlation.id': 'c-1' },
      status: 'error',
    });
  });
});
