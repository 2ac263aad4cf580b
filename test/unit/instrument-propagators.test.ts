import * as api from '@opentelemetry/api';
import { propagation, ROOT_CONTEXT, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { CorrelationPropagator } from '../../src/instrument/propagation/correlation.ts';
import { BaggageCorrelation, CorrelationBaggage } from '../../src/instrument/propagation/propagators.ts';

const getter: TextMapGetter<Record<string, string>> = { get: (c, k) => c[k], keys: (c) => Object.keys(c) };
const setter: TextMapSetter<Record<string, string>> = {
  set: (c, k, v) => {
    c[k] = v;
  },
};

describe('propagator adapters', () => {
  it('puts the correlation id in baggage on extract', () => {
    const inner = new CorrelationPropagator({ headers: ['x-correlation-id'], fromSpan: () => undefined });
    const p = new BaggageCorrelation(api, inner);
    const ctx = p.extract(ROOT_CONTEXT, { 'x-correlation-id': 'bag-1' }, getter);
    expect(propagation.getBaggage(ctx)?.getEntry('correlation.id')?.value).toBe('bag-1');
  });

  it('the correlation-only baggage reads and changes like the API baggage', () => {
    const bag = new CorrelationBaggage(propagation, 'c-1');
    const reference = propagation.createBaggage({ 'correlation.id': { value: 'c-1' } });
    expect(bag.getAllEntries()).toEqual(reference.getAllEntries());
    expect(bag.getEntry('correlation.id')).toEqual({ value: 'c-1' });
    expect(bag.getEntry('other')).toBeUndefined();
    const more = bag.setEntry('tenant', { value: 't1' });
    expect(more.getAllEntries()).toEqual(reference.setEntry('tenant', { value: 't1' }).getAllEntries());
    expect(bag.getAllEntries()).toHaveLength(1);
    expect(bag.removeEntry('correlation.id').getAllEntries()).toEqual([]);
    expect(bag.removeEntry('other')).toBe(bag);
    expect(bag.removeEntries('x', 'correlation.id').getAllEntries()).toEqual([]);
    expect(bag.clear().getAllEntries()).toEqual([]);
  });

  it('an inbound baggage header keeps its entries next to the correlation id, and both are injected', () => {
    const inner = new CorrelationPropagator({ headers: ['x-correlation-id'], fromSpan: () => undefined });
    const p = new BaggageCorrelation(api, inner);
    const inbound = new W3CBaggagePropagator().extract(ROOT_CONTEXT, { baggage: 'tenant=t1' }, getter);
    const ctx = p.extract(inbound, { 'x-correlation-id': 'bag-2' }, getter);
    const out: Record<string, string> = {};
    new W3CBaggagePropagator().inject(ctx, out, setter);
    expect(out.baggage?.split(',').sort()).toEqual(['correlation.id=bag-2', 'tenant=t1']);
    const fresh = p.extract(ROOT_CONTEXT, { 'x-correlation-id': 'bag-3' }, getter);
    const out2: Record<string, string> = {};
    new W3CBaggagePropagator().inject(fresh, out2, setter);
    expect(out2.baggage).toBe('correlation.id=bag-3');
  });
});
