import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHAIN_ROOT } from '../../src/instrument/http-server/chain-context.ts';

// The chain context must answer exactly like the API's own context for any
// sequence of sets and deletes, including past the folding depth.
describe('chain context', () => {
  const keys = Array.from({ length: 6 }, (_, i) => createContextKey(`k${i}`));

  it('matches the API context for random set/delete sequences (100+ steps fold the chain)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 }), fc.integer()), { maxLength: 120 }),
        (ops) => {
          let ours = CHAIN_ROOT;
          let theirs = ROOT_CONTEXT;
          const snapshots: [typeof ours, typeof theirs][] = [];
          for (const [del, k, v] of ops) {
            ours = del ? ours.deleteValue(keys[k]!) : ours.setValue(keys[k]!, v);
            theirs = del ? theirs.deleteValue(keys[k]!) : theirs.setValue(keys[k]!, v);
            snapshots.push([ours, theirs]);
          }
          // Every intermediate context is immutable: each still answers as it did when made.
          for (const [o, t] of snapshots) for (const key of keys) expect(o.getValue(key)).toBe(t.getValue(key));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('setting a value leaves the parent unchanged', () => {
    const a = CHAIN_ROOT.setValue(keys[0]!, 'a');
    const b = a.setValue(keys[0]!, 'b');
    expect(a.getValue(keys[0]!)).toBe('a');
    expect(b.getValue(keys[0]!)).toBe('b');
    expect(CHAIN_ROOT.getValue(keys[0]!)).toBeUndefined();
    expect(b.deleteValue(keys[0]!).getValue(keys[0]!)).toBeUndefined();
  });
});
