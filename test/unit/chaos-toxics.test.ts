import { describe, expect, it } from 'vitest';
import { FAULT_TYPES, FaultSchema, toToxiproxyToxic } from '../../src/chaos/scenario/toxics.js';

// One sample per fault type, as a scenario writes it (defaults left out where
// the type has them), and the body Toxiproxy must receive for it.
const samples: Record<string, { fault: Record<string, unknown>; body: unknown }> = {
  latency: {
    fault: { proxy: 'products', type: 'latency', latency: '1s', jitter: '50ms' },
    body: { type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1000, jitter: 50 } },
  },
  bandwidth: {
    fault: { proxy: 'products', type: 'bandwidth', rate: '64', stream: 'upstream' },
    body: { type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: 64 } },
  },
  slow_close: {
    fault: { proxy: 'products', type: 'slow_close', delay: '2s', toxicity: 0.5 },
    body: { type: 'slow_close', stream: 'downstream', toxicity: 0.5, attributes: { delay: 2000 } },
  },
  timeout: {
    fault: { proxy: 'products', type: 'timeout', timeout: '0ms' },
    body: { type: 'timeout', stream: 'downstream', toxicity: 1, attributes: { timeout: 0 } },
  },
  reset_peer: {
    fault: { proxy: 'products', type: 'reset_peer' },
    body: { type: 'reset_peer', stream: 'downstream', toxicity: 1, attributes: { timeout: 0 } },
  },
  slicer: {
    fault: { proxy: 'products', type: 'slicer', averageSize: 64, delay: '2ms' },
    body: {
      type: 'slicer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { average_size: 64, size_variation: 0, delay: 2000 },
    },
  },
  limit_data: {
    fault: { proxy: 'products', type: 'limit_data', bytes: 1024 },
    body: { type: 'limit_data', stream: 'downstream', toxicity: 1, attributes: { bytes: 1024 } },
  },
  down: { fault: { proxy: 'products', type: 'down' }, body: null },
};

describe('chaos toxics table', () => {
  it('has a sample for every fault type, in the order messages list them', () => {
    expect(FAULT_TYPES).toEqual(Object.keys(samples));
  });

  it.each(Object.entries(samples))('maps a %s fault to its Toxiproxy body', (_type, { fault, body }) => {
    expect(toToxiproxyToxic(FaultSchema.parse(fault))).toEqual(body);
  });

  it('rejects fields of another toxic type and names unknown types', () => {
    expect(FaultSchema.safeParse({ proxy: 'products', type: 'bandwidth', rate: 1, latency: '1s' }).success).toBe(false);
    const unknown = FaultSchema.safeParse({ proxy: 'products', type: 'lag' });
    expect(unknown.error?.issues[0]?.message).toBe(
      'unknown fault type "lag": expected one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, down',
    );
  });
});
