import { ROOT_CONTEXT, type TextMapGetter } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correlationMatchers, resolveCorrelation } from '../../src/contracts/correlation.ts';
import { CORRELATION_ID_PATTERN, isValidCorrelationId } from '../../src/core/correlation-id.ts';
import { CorrelationPropagator, correlationFromContext } from '../../src/instrument/propagation/correlation.ts';

// The preload and the contract matcher must agree on every ID: an ID the
// preload passes on unchanged has to match the regex a correlation contract
// writes into the pact, and an ID the preload replaces must not match it.

const getter: TextMapGetter<Record<string, unknown>> = {
  get: (c, k) => c[k] as string | undefined,
  keys: (c) => Object.keys(c),
};
const propagator = new CorrelationPropagator({ headers: ['x-correlation-id'], fromSpan: () => undefined });

/** True when the preload keeps `id` as the inbound request's correlation ID (else it generates one). */
function preloadKeeps(id: string): boolean {
  return correlationFromContext(propagator.extract(ROOT_CONTEXT, { 'x-correlation-id': id }, getter)) === id;
}

/** The regex a correlation contract puts in the pact for the correlation header. */
function pactRegex(): RegExp {
  const correlation = resolveCorrelation(true)!;
  const matcher = correlationMatchers(correlation)[correlation.header] as unknown as {
    'pact:matcher:type': string;
    regex: string;
    value: string;
  };
  expect(matcher['pact:matcher:type']).toBe('regex');
  // Pact's Rust core does not add anchors: the pattern must carry its own.
  expect(matcher.regex.startsWith('^') && matcher.regex.endsWith('$')).toBe(true);
  return new RegExp(matcher.regex);
}

const accepted = fc.stringMatching(CORRELATION_ID_PATTERN);
const anything = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 140 }),
  fc.string({ unit: 'grapheme', maxLength: 140 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('a', '0', '.', '_', ':', '+', '/', '=', '-'), minLength: 120, maxLength: 140 }),
  // One accepted ID with one arbitrary character put in: close to the border.
  fc
    .tuple(accepted, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.nat())
    .map(([id, c, at]) => id.slice(0, at % (id.length + 1)) + c + id.slice(at % (id.length + 1))),
  fc.constantFrom('', ' ', 'order:42', 'a'.repeat(128), 'a'.repeat(129), 'a\r\nb', 'ä', 'a,b', ' a', 'a\n'),
);

describe('correlation ID rule', () => {
  const regex = pactRegex();

  it('every ID the preload accepts passes the contract matcher', () => {
    fc.assert(
      fc.property(accepted, (id) => {
        expect(preloadKeeps(id)).toBe(true);
        expect(regex.test(id)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('the preload and the contract matcher agree on arbitrary strings', () => {
    fc.assert(
      fc.property(anything, (id) => {
        const kept = preloadKeeps(id);
        expect(regex.test(id)).toBe(kept);
        expect(isValidCorrelationId(id)).toBe(kept);
      }),
      { numRuns: 2000 },
    );
  });

  it('covers the borders explicitly', () => {
    for (const id of ['order:42', 'a+b/c=', 'a'.repeat(128)])
      expect([id, preloadKeeps(id), regex.test(id)]).toEqual([id, true, true]);
    for (const id of ['', 'a'.repeat(129), 'a b', 'a\r\nb', 'ä', '\u0000']) {
      expect([id, preloadKeeps(id), regex.test(id)]).toEqual([id, false, false]);
    }
  });

  it('the example value written into pacts is accepted by the preload', () => {
    const correlation = resolveCorrelation(true)!;
    const { value } = correlationMatchers(correlation)[correlation.header] as unknown as { value: string };
    expect(preloadKeeps(value)).toBe(true);
  });
});
