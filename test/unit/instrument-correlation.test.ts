import { ROOT_CONTEXT, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { CORRELATION_ID_PATTERN, isValidCorrelationId } from '../../src/core/correlation-id.ts';
import {
  CorrelationPropagator,
  correlationFromContext,
  correlationFromHeaders,
  withCorrelation,
} from '../../src/instrument/propagation/correlation.ts';

const getter: TextMapGetter<Record<string, unknown>> = {
  get: (c, k) => c[k] as string | undefined,
  keys: (c) => Object.keys(c),
};
const setter: TextMapSetter<Record<string, unknown>> = {
  set: (c, k, v) => {
    c[k] = v;
  },
};
const propagator = new CorrelationPropagator({
  headers: ['x-correlation-id', 'x-request-id'],
  fromSpan: () => undefined,
});

describe('correlation id rule', () => {
  it.each([
    ['abc-123', true],
    ['A.b_c:d+e/f=g-h', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['', false],
    ['a b', false],
    ['a\r\nb', false],
    ['ünï', false],
    ['a;b', false],
  ])('%j valid=%s', (value, valid) => {
    expect(isValidCorrelationId(value)).toBe(valid);
  });
});

describe('CorrelationPropagator', () => {
  it('extracts the first valid header, x-request-id as fallback', () => {
    expect(correlationFromContext(propagator.extract(ROOT_CONTEXT, { 'x-correlation-id': 'c-1' }, getter))).toBe('c-1');
    expect(correlationFromContext(propagator.extract(ROOT_CONTEXT, { 'x-request-id': 'r-1' }, getter))).toBe('r-1');
    expect(
      correlationFromContext(
        propagator.extract(ROOT_CONTEXT, { 'x-correlation-id': 'bad id', 'x-request-id': 'r-2' }, getter),
      ),
    ).toBe('r-2');
  });

  it('takes the first valid element of a comma-joined repeated header; Buffers from message headers', () => {
    expect(correlationFromContext(propagator.extract(ROOT_CONTEXT, { 'x-correlation-id': 'a-1, a-1' }, getter))).toBe(
      'a-1',
    );
    expect(
      correlationFromContext(propagator.extract(ROOT_CONTEXT, { 'x-correlation-id': Buffer.from('buf-1') }, getter)),
    ).toBe('buf-1');
  });

  it('generates a valid id when missing or invalid', () => {
    const a = correlationFromContext(propagator.extract(ROOT_CONTEXT, {}, getter));
    const b = correlationFromContext(propagator.extract(ROOT_CONTEXT, { 'x-correlation-id': 'x\r\ny' }, getter));
    expect(a).toMatch(CORRELATION_ID_PATTERN);
    expect(b).toMatch(CORRELATION_ID_PATTERN);
    expect(a).not.toBe(b);
  });

  it('survives a throwing getter', () => {
    const bad: TextMapGetter<unknown> = {
      get: () => {
        throw new Error('boom');
      },
      keys: () => [],
    };
    expect(correlationFromContext(propagator.extract(ROOT_CONTEXT, {}, bad))).toMatch(CORRELATION_ID_PATTERN);
  });

  it('injects the context id into the primary header', () => {
    const carrier: Record<string, unknown> = {};
    propagator.inject(withCorrelation(ROOT_CONTEXT, 'inj-1'), carrier, setter);
    expect(carrier).toEqual({ 'x-correlation-id': 'inj-1' });
    const none: Record<string, unknown> = {};
    propagator.inject(ROOT_CONTEXT, none, setter);
    expect(none).toEqual({});
  });

  it('keeps a valid id the app already put on the outbound carrier, replaces an invalid one', () => {
    const own: Record<string, unknown> = { 'X-Correlation-Id': 'app-own' };
    propagator.inject(withCorrelation(ROOT_CONTEXT, 'ctx-id'), own, setter);
    expect(own).toEqual({ 'X-Correlation-Id': 'app-own' });
    const invalid: Record<string, unknown> = { 'x-correlation-id': 'bad value' };
    propagator.inject(withCorrelation(ROOT_CONTEXT, 'ctx-id'), invalid, setter);
    expect(invalid).toEqual({ 'x-correlation-id': 'ctx-id' });
  });

  it('reads an outbound request header in every shape the clients use', () => {
    const names = ['x-correlation-id', 'x-request-id'];
    expect(correlationFromHeaders({ 'X-Correlation-Id': 'o-1' }, names)).toBe('o-1');
    expect(correlationFromHeaders(['x-request-id', 'o-2'], names)).toBe('o-2');
    expect(correlationFromHeaders('host: a\r\nx-correlation-id: o-3\r\n', names)).toBe('o-3');
    expect(correlationFromHeaders(new Headers({ 'x-correlation-id': 'o-4' }), names)).toBe('o-4');
    expect(correlationFromHeaders({ 'x-correlation-id': 'bad value' }, names)).toBeUndefined();
    expect(correlationFromHeaders(undefined, names)).toBeUndefined();
  });
});
