import { MatchersV3 as M } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { extractRules, matchValue } from '../../src/contracts/grpc/matching.ts';

// Pact's matching rules as the gRPC contracts apply them (src/contracts/grpc/matching.ts).
describe('extractRules', () => {
  it('turns Pact matchers into the example and rules keyed by JSON path', () => {
    const { example, rules } = extractRules({
      id: 'c-1',
      name: M.string('Ada'),
      tier: M.regex('^(standard|gold)$', 'gold'),
      orders: M.eachLike({ total: M.integer(10) }),
    });
    expect(example).toEqual({ id: 'c-1', name: 'Ada', tier: 'gold', orders: [{ total: 10 }] });
    expect(rules['$.name']?.matchers[0]).toEqual({ match: 'type' });
    expect(rules['$.tier']?.matchers[0]).toEqual({ match: 'regex', regex: '^(standard|gold)$' });
    expect(rules['$.orders']?.matchers[0]).toMatchObject({ match: 'type', min: 1 });
    expect(rules['$.orders[*].total']?.matchers[0]).toEqual({ match: 'integer' });
  });
});

describe('matchValue', () => {
  const spec = extractRules({
    id: 'c-1',
    name: M.string('Ada'),
    tier: M.regex('^(standard|gold)$', 'gold'),
    active: M.boolean(true),
    orders: M.eachLike({ total: M.integer(10) }),
  });
  const good = {
    id: 'c-1',
    name: 'Grace',
    tier: 'standard',
    active: false,
    orders: [{ total: 1 }, { total: 2 }],
    extra: 1,
  };

  it('passes a value that satisfies every rule (extra keys allowed)', () => {
    expect(matchValue(spec.example, good, spec.rules, 'body')).toEqual([]);
  });

  it('names each broken field', () => {
    const bad = { id: 'c-2', tier: 'platinum', active: 'yes', orders: [{ total: 1.5 }] };
    const paths = matchValue(spec.example, bad, spec.rules, 'body').map((m) => m.path);
    expect(paths).toEqual(['body.id', 'body.name', 'body.tier', 'body.active', 'body.orders[0].total']);
    const messages = matchValue(spec.example, bad, spec.rules, 'body').map((m) => m.message);
    expect(messages).toContain('body.name is missing (expected "Ada")');
    expect(messages).toContain('body.id: expected "c-1", got "c-2"');
    expect(messages).toContain('body.tier: expected a value matching /^(standard|gold)$/, got "platinum"');
  });

  it('fails an eachLike array below its minimum', () => {
    const out = matchValue(spec.example, { ...good, orders: [] }, spec.rules, 'body');
    expect(out.map((m) => m.message)).toEqual(['body.orders: expected at least 1 element(s), got 0']);
  });
});
