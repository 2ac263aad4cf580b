import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../src/chaos/load/index.js';
import type { LoadPlan } from '../../src/chaos/load/types.js';
import { ROOT } from '../support/services.js';
import { type FakeCustomers, startFakeCustomers } from './shop-grpc-support.ts';

// The load generator speaking gRPC unary calls to a real grpc-js server: open
// model (one call per scheduled slot, latency from the intended time), and the
// outcomes mapped as the expectations judge them: OK -> 200, DEADLINE_EXCEEDED
// -> a client timeout, UNAVAILABLE -> a failed call.
let fake: FakeCustomers;
beforeAll(async () => {
  fake = await startFakeCustomers('ok');
});
afterAll(async () => {
  await fake?.close();
});

const plan = (overrides: Partial<LoadPlan> = {}): LoadPlan => ({
  target: `grpc://${fake.address}`,
  proto: path.join(ROOT, 'examples/shop/proto/customers.proto'),
  requests: [{ method: 'POST', path: '/shop.customers.v1.Customers/GetCustomer', body: { id: 'c-1' } }],
  ratePerSec: 40,
  durationMs: 1000,
  timeoutMs: 300,
  ...overrides,
});

describe('runLoad with a grpc:// target', () => {
  it('sends one call per scheduled slot with its own correlation ID; OK is 200', async () => {
    fake.mode = 'ok';
    const before = fake.calls;
    const progress: number[] = [];
    const samples = await runLoad(plan(), { onSample: (s) => progress.push(s.seq) });
    expect(samples).toHaveLength(40);
    expect(fake.calls - before).toBe(40);
    expect(progress).toHaveLength(40);
    expect(new Set(samples.map((s) => s.status))).toEqual(new Set([200]));
    expect(new Set(samples.map((s) => s.correlationId)).size).toBe(40);
    expect(samples[0]?.bodySnippet).toContain('"id":"c-1"');
    expect(samples[0]?.path).toBe('/shop.customers.v1.Customers/GetCustomer');
    // Open model: slot n is intended n × 25 ms after the first.
    expect(samples[39]!.intendedAt - samples[0]!.intendedAt).toBe(39 * 25);
  });

  it('counts DEADLINE_EXCEEDED as a client timeout and UNAVAILABLE as a failed call', async () => {
    fake.mode = 'hang';
    const hung = await runLoad(plan({ ratePerSec: 10, durationMs: 500 }));
    expect(hung.map((s) => [s.status, s.error])).toEqual(Array(5).fill([0, 'timeout']));
    for (const s of hung) expect(s.serviceTimeMs).toBeGreaterThanOrEqual(290);
    fake.mode = 'unavailable';
    const refused = await runLoad(plan({ ratePerSec: 10, durationMs: 500 }));
    expect(refused.map((s) => [s.status, s.error])).toEqual(Array(5).fill([0, 'UNAVAILABLE']));
  });

  it('refuses a path that is no method of the .proto, naming it', async () => {
    await expect(
      runLoad(plan({ requests: [{ method: 'POST', path: '/shop.customers.v1.Customers/Nope' }] })),
    ).rejects.toThrow('requests[0].path /shop.customers.v1.Customers/Nope is no unary method of');
  });
});

describe('the tap in front of a gRPC server', () => {
  it('counts every call attempt: grpc-js retries open new HTTP/2 streams', async () => {
    const { startTap } = await import('../../src/chaos/tap/index.js');
    const { createCustomersClient } = await import('../../examples/shop/orders/customers-client.ts');
    const { pino } = await import('pino');
    const tap = await startTap(fake.address);
    try {
      fake.mode = 'unavailable';
      const get = createCustomersClient(
        {
          address: tap.listen,
          deadlineMs: 5000,
          retry: {
            maxAttempts: 3,
            initialBackoffMs: 10,
            maxBackoffMs: 20,
            backoffMultiplier: 2,
            retryableStatusCodes: ['UNAVAILABLE'],
          },
          breaker: undefined,
          cancelOnClientGone: false,
        },
        pino({ level: 'silent' }),
      );
      const before = fake.calls;
      await expect(get('c-1', { correlationId: 'tap-test', signal: new AbortController().signal })).rejects.toThrow(
        'customers unavailable (upstream_error)',
      );
      expect(fake.calls - before).toBe(3);
      expect(tap.requests?.()).toHaveLength(3);
      expect(tap.connections()).toHaveLength(1);
    } finally {
      await tap.close();
    }
  });
});
