import { describe, expect, it } from 'vitest';
import { coreNeedsNoTrustStore } from '../../src/contracts/verify/core-trust-store.js';
import { inTurns, mergeShardResults, shardLayout } from '../../src/contracts/verify/shards.js';
import type { ContractPairResult } from '../../src/core/results.js';

describe('shard layout', () => {
  it('does not shard with shards: 1, or when there is nothing to cut', () => {
    expect(shardLayout(1, 5000, 8)).toBeUndefined();
    expect(shardLayout('auto', 1, 8)).toBeUndefined();
    // auto on 60 interactions: one worker, one chunk: the plain verifier
    expect(shardLayout('auto', 60, 8)).toBeUndefined();
  });

  it('auto: a worker per 250 interactions up to the cores, two chunks at once per worker, chunks of at most 125', () => {
    expect(shardLayout('auto', 200, 2)).toEqual({ workers: 1, chunkSize: 100 });
    expect(shardLayout('auto', 1000, 2)).toEqual({ workers: 2, chunkSize: 125 });
    expect(shardLayout('auto', 5000, 4)).toEqual({ workers: 4, chunkSize: 125 });
    // one core: still cut into chunks, verified one after the other
    expect(shardLayout('auto', 1000, 1)).toEqual({ workers: 1, chunkSize: 125 });
  });

  it('a number of workers is taken as given, never more than the interactions', () => {
    expect(shardLayout(3, 12, 2)).toEqual({ workers: 3, chunkSize: 2 });
    expect(shardLayout(8, 3, 2)).toEqual({ workers: 3, chunkSize: 1 });
  });
});

describe('chunks in turns', () => {
  it('runs two at a time and keeps the chunks order', async () => {
    let running = 0;
    let most = 0;
    const out = await inTurns(['a', 'b', 'c', 'd', 'e'], async (chunk) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, chunk === 'a' ? 20 : 1));
      running -= 1;
      return chunk.toUpperCase();
    });
    expect(out).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(most).toBe(2);
  });
});

describe('merging shard results', () => {
  const pair = (consumer: string, descriptions: string[], failed: string[] = []): ContractPairResult => ({
    consumer,
    provider: 'p',
    kind: 'http',
    passed: failed.length === 0,
    durationMs: 100,
    interactions: descriptions.map((description) => ({
      description,
      providerStates: [],
      passed: !failed.includes(description),
      mismatches: failed.includes(description) ? [{ path: 'status', message: 'expected 200' }] : [],
    })),
  });

  it('one pair per consumer, interactions in chunk order, failed when any chunk failed', () => {
    const merged = mergeShardResults([[pair('a', ['1', '2'])], [pair('a', ['3', '4'], ['4'])], [pair('b', ['5'])]], 2);
    expect(merged.map((p) => [p.consumer, p.passed, p.interactions.map((i) => i.description), p.durationMs])).toEqual([
      ['a', false, ['1', '2', '3', '4'], 100],
      ['b', true, ['5'], 50],
    ]);
  });
});

describe('trust store of the core', () => {
  it('is empty only when the core talks to nothing but the local proxy', () => {
    const local = { broker: false, pactSources: ['/pacts/a.json'], url: 'http://127.0.0.1:3000' };
    expect(coreNeedsNoTrustStore(local, {})).toBe(true);
    expect(coreNeedsNoTrustStore({ ...local, broker: true }, {})).toBe(false);
    expect(coreNeedsNoTrustStore({ ...local, pactSources: ['https://broker/pacts/1'] }, {})).toBe(false);
    expect(coreNeedsNoTrustStore({ ...local, url: 'https://provider:8443' }, {})).toBe(false);
    expect(coreNeedsNoTrustStore({ ...local, stateChangeUrl: 'https://provider/_states' }, {})).toBe(false);
    expect(coreNeedsNoTrustStore(local, { MSA_VERIFY_CORE_SYSTEM_CERTS: '1' })).toBe(false);
    expect(coreNeedsNoTrustStore(local, { NODE_USE_SYSTEM_CA: '1' })).toBe(false);
    expect(coreNeedsNoTrustStore(local, { NODE_OPTIONS: '--use-system-ca' })).toBe(false);
  });
});
