import { afterEach, describe, expect, it } from 'vitest';
import { customersServiceConfig, readCustomersSettings } from '../../examples/shop/orders/customers-policy.ts';

// orders' gRPC policy for customers, as read from the environment and written into
// the channel's service config (grpc-js applies the retryPolicy from there).
const SERVICE = 'shop.customers.v1.Customers';
const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

function config(env: Record<string, string>) {
  Object.assign(process.env, { CUSTOMERS_ADDR: '127.0.0.1:9', ...env });
  const settings = readCustomersSettings();
  return { settings, methodConfig: JSON.parse(customersServiceConfig(settings, SERVICE)).methodConfig[0] };
}

describe('orders → customers policy', () => {
  it('resilient: deadline, retries on UNAVAILABLE only with exponential backoff, a breaker', () => {
    const { settings, methodConfig } = config({});
    expect(settings.deadlineMs).toBe(400);
    expect(settings.breaker).toEqual({ threshold: 5, halfOpenAfterMs: 3000 });
    expect(methodConfig).toEqual({
      name: [{ service: SERVICE }],
      retryPolicy: {
        maxAttempts: 3,
        initialBackoff: '0.050s',
        maxBackoff: '0.400s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    });
  });

  it('storm: codes after which the server may have acted, no backoff growth, no breaker', () => {
    const { settings, methodConfig } = config({ ORDERS_CUSTOMERS_RETRY: 'storm' });
    expect(settings.breaker).toBeUndefined();
    expect(methodConfig.retryPolicy).toMatchObject({
      maxAttempts: 5,
      initialBackoff: '0.001s',
      backoffMultiplier: 1,
      retryableStatusCodes: ['UNAVAILABLE', 'UNKNOWN', 'INTERNAL', 'ABORTED', 'RESOURCE_EXHAUSTED'],
    });
  });

  it('no deadline, and naive (no deadline, no retry, no breaker)', () => {
    expect(config({ ORDERS_CUSTOMERS_DEADLINE: 'off' }).settings.deadlineMs).toBeUndefined();
    const naive = config({ ORDERS_RESILIENCE: 'off' });
    expect(naive.settings).toMatchObject({ deadlineMs: undefined, retry: undefined, breaker: undefined });
    expect(naive.methodConfig).toEqual({ name: [{ service: SERVICE }] });
  });

  it('refuses a CUSTOMERS_ADDR that is not host:port, naming the variable', () => {
    expect(() => config({ CUSTOMERS_ADDR: 'http://x' })).toThrow('CUSTOMERS_ADDR="http://x": expected host:port');
  });
});
