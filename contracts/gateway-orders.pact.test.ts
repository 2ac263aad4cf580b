import { httpContract, Matchers } from 'msa-verify/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockPort, type StartedService, startService } from './support/service.ts';

// gateway → orders. The consumer is the real gateway, pointed at the Pact mock:
// it must forward method, body and the correlation headers (traceparent and
// x-correlation-id), and orders must echo x-correlation-id.
const port = await mockPort();
const contract = httpContract({
  consumer: 'gateway',
  provider: 'orders',
  port,
  correlation: { header: 'x-correlation-id', traceparent: true, echo: true },
});
let gateway: StartedService;

beforeAll(async () => {
  const upstream = `http://127.0.0.1:${port}`;
  gateway = await startService('gateway', { ORDERS_URL: upstream, PRODUCTS_URL: upstream });
});
afterAll(async () => {
  await gateway?.stop();
});

const order = { customerId: 'c-1', items: [{ productId: 'p-1', quantity: 2 }] };

describe('gateway → orders', () => {
  it('creates an order', async () => {
    await contract.interaction(
      {
        description: 'create an order for p-1',
        states: [{ name: 'products exist', params: { ids: ['p-1'] } }],
        request: { method: 'POST', path: '/api/orders', headers: { 'content-type': 'application/json' }, body: order },
        response: {
          status: 201,
          body: {
            id: Matchers.uuid('5b4b1c0e-0000-4000-8000-00000000000a'),
            status: 'created',
            customerId: 'c-1',
            items: Matchers.eachLike({
              productId: 'p-1',
              quantity: Matchers.integer(2),
              unitPriceCents: Matchers.integer(4990),
            }),
            totalCents: Matchers.integer(9980),
            currency: Matchers.string('EUR'),
            createdAt: Matchers.iso8601DateTimeWithMillis('2026-11-29T10:00:00.000Z'),
          },
        },
      },
      async ({ correlationHeaders }) => {
        const res = await fetch(`${gateway.url}/api/orders`, {
          method: 'POST',
          headers: { ...correlationHeaders, 'content-type': 'application/json' },
          body: JSON.stringify(order),
        });
        expect(res.status).toBe(201);
      },
    );
  });

  it('passes on a 400 for an invalid body', async () => {
    const bad = { customerId: 'c-1', items: [{ productId: 'p-1', quantity: 0 }] };
    await contract.interaction(
      {
        description: 'create an order with quantity 0',
        request: { method: 'POST', path: '/api/orders', headers: { 'content-type': 'application/json' }, body: bad },
        response: {
          status: 400,
          body: {
            error: 'invalid_body',
            fields: Matchers.eachLike({ path: 'items.0.quantity', message: Matchers.string('must be at least 1') }),
          },
        },
      },
      async ({ correlationHeaders }) => {
        const res = await fetch(`${gateway.url}/api/orders`, {
          method: 'POST',
          headers: { ...correlationHeaders, 'content-type': 'application/json' },
          body: JSON.stringify(bad),
        });
        expect(res.status).toBe(400);
      },
    );
  });

  it('passes on a 422 for an unknown product', async () => {
    const unknown = { customerId: 'c-1', items: [{ productId: 'p-9', quantity: 1 }] };
    await contract.interaction(
      {
        description: 'create an order for unknown product p-9',
        states: [{ name: 'product does not exist', params: { id: 'p-9' } }],
        request: {
          method: 'POST',
          path: '/api/orders',
          headers: { 'content-type': 'application/json' },
          body: unknown,
        },
        response: { status: 422, body: { error: 'unknown_product', productIds: ['p-9'] } },
      },
      async ({ correlationHeaders }) => {
        const res = await fetch(`${gateway.url}/api/orders`, {
          method: 'POST',
          headers: { ...correlationHeaders, 'content-type': 'application/json' },
          body: JSON.stringify(unknown),
        });
        expect(res.status).toBe(422);
      },
    );
  });
});
