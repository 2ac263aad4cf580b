import * as api from '@opentelemetry/api';
import { propagation, ROOT_CONTEXT, type TextMapGetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { CorrelationPropagator } from '../../src/instrument/correlation.ts';
import { BaggageCorrelation, LastTraceparent } from '../../src/instrument/propagators.ts';

const getter: TextMapGetter<Record<string, string>> = { get: (c, k) => c[k], keys: (c) => Object.keys(c) };
const A = '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-aaaaaaaaaaaaaaaa-01';
const B = '00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-bbbbbbbbbbbbbbbb-01';

describe('propagator adapters', () => {
  it('a repeated traceparent continues the last (appended) one', () => {
    const p = new LastTraceparent(new W3CTraceContextPropagator());
    const ctx = p.extract(ROOT_CONTEXT, { traceparent: `${A}, ${B}` }, getter);
    expect(trace.getSpanContext(ctx)?.spanId).toBe('bbbbbbbbbbbbbbbb');
    const single = p.extract(ROOT_CONTEXT, { traceparent: A }, getter);
    expect(trace.getSpanContext(single)?.spanId).toBe('aaaaaaaaaaaaaaaa');
  });

  it('puts the correlation id in baggage on extract', () => {
    const inner = new CorrelationPropagator({ headers: ['x-correlation-id'], fromSpan: () => undefined });
    const p = new BaggageCorrelation(api, inner);
    const ctx = p.extract(ROOT_CONTEXT, { 'x-correlation-id': 'bag-1' }, getter);
    expect(propagation.getBaggage(ctx)?.getEntry('correlation.id')?.value).toBe('bag-1');
  });
});
