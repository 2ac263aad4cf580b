import { httpContract, Matchers } from 'msa-verify/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockPort, privateMessaging, rabbitmqUrl, type StartedService, startService } from './support/service.ts';

// orders → products. The consumer is the real orders service (its products
// client, with its resilience policy), pointed at the Pact mock. It forwards
// x-correlation-id; traceparent comes only with the instrument preload, so it
// is not required here.
const port = await mockPort();
const contract = httpContract({
  consumer: 'orders',
  provider: 'products',
  port,
  correlation: { header: 'x-correlation-id', traceparent: false },
});
let orders: StartedService;

beforeAll(async () => {
  orders = await startService('orders', {
    PRODUCTS_URL: `http://127.0.0.1:${port}`,
    RABBITMQ_URL: rabbitmqUrl,
    SHOP_EXCHANGE: privateMessaging('msav-contracts').exchange,
    ORDERS_RETRY_ATTEMPTS: '1',
  });
});
afterAll(async () => {
  await orders?.stop();
});

const post = (body: unknown, headers: Record<string, string>) =>
  fetch(`${orders.url}/api/orders`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('orders → products', () => {
  it('quotes known products', async () => {
    await contract.interaction(
      {
        description: 'quote products p-1',
        states: [{ name: 'products exist', params: { ids: ['p-1'] } }],
        request: { method: 'GET', path: '/api/products', query: { ids: 'p-1' } },
        response: {
          status: 200,
          body: {
            items: Matchers.eachLike({
              id: 'p-1',
              name: Matchers.string('Keyboard'),
              priceCents: Matchers.integer(4990),
              currency: Matchers.string('EUR'),
            }),
          },
        },
      },
      async ({ correlationHeaders }) => {
        const res = await post({ customerId: 'c-1', items: [{ productId: 'p-1', quantity: 2 }] }, correlationHeaders);
        expect(res.status).toBe(201);
      },
    );
  });

  it('omits unknown products', async () => {
    await contract.interaction(
      {
        description: 'quote unknown product p-9',
        states: [{ name: 'product does not exist', params: { id: 'p-9' } }],
        request: { method: 'GET', path: '/api/products', query: { ids: 'p-9' } },
        response: { status: 200, body: { items: [] } },
      },
      async ({ correlationHeaders }) => {
        const res = await post({ customerId: 'c-1', items: [{ productId: 'p-9', quantity: 1 }] }, correlationHeaders);
        expect(res.status).toBe(422);
      },
    );
  });
});
