import { httpContract, Matchers } from 'msa-verify/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockPort, privateMessaging, rabbitmqUrl, type StartedService, startService } from './support/service.ts';

// orders → inventory (the Python service). The consumer is the real orders
// service (its inventory client, with its resilience policy) pointed at the
// Pact mock for inventory, and at a real products for the prices. It reserves
// by PUT /api/reservations/{orderId} (a fresh UUID per order) and forwards
// x-correlation-id; inventory must echo it.
const port = await mockPort();
const contract = httpContract({
  consumer: 'orders',
  provider: 'inventory',
  port,
  correlation: { header: 'x-correlation-id', traceparent: false, echo: true },
});
let products: StartedService;
let orders: StartedService;

beforeAll(async () => {
  products = await startService('products', {});
  orders = await startService('orders', {
    PRODUCTS_URL: products.url,
    INVENTORY_URL: `http://127.0.0.1:${port}`,
    RABBITMQ_URL: rabbitmqUrl,
    SHOP_EXCHANGE: privateMessaging('msav-contracts-inventory').exchange,
    ORDERS_RETRY_ATTEMPTS: '1',
  });
});
afterAll(async () => {
  await orders?.stop();
  await products?.stop();
});

const reservationPath = Matchers.regex(
  '^/api/reservations/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  '/api/reservations/5b4b1c0e-0000-4000-8000-00000000000a',
);
const order = (productId: string, quantity: number) =>
  fetch(`${orders.url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'c-1', items: [{ productId, quantity }] }),
  });

describe('orders → inventory', () => {
  it('reserves the stock of an order', async () => {
    await contract.interaction(
      {
        description: 'reserve 2 of p-1',
        states: [{ name: 'stock is available', params: { productId: 'p-1', quantity: 2 } }],
        request: {
          method: 'PUT',
          path: reservationPath,
          headers: { 'content-type': 'application/json' },
          body: { items: [{ productId: 'p-1', quantity: 2 }] },
        },
        response: {
          status: 201,
          body: {
            id: Matchers.uuid('5b4b1c0e-0000-4000-8000-00000000000a'),
            items: Matchers.eachLike({ productId: 'p-1', quantity: Matchers.integer(2) }),
          },
        },
      },
      async () => {
        const res = await order('p-1', 2);
        expect(res.status).toBe(201);
      },
    );
  });

  it('refuses a product that is out of stock', async () => {
    await contract.interaction(
      {
        description: 'reserve p-4 while it is out of stock',
        states: [{ name: 'product is out of stock', params: { productId: 'p-4' } }],
        request: {
          method: 'PUT',
          path: reservationPath,
          headers: { 'content-type': 'application/json' },
          body: { items: [{ productId: 'p-4', quantity: 1 }] },
        },
        response: { status: 409, body: { error: 'out_of_stock', productIds: ['p-4'] } },
      },
      async () => {
        const res = await order('p-4', 1);
        expect(res.status).toBe(409);
        expect(await res.json()).toEqual({ error: 'out_of_stock', productIds: ['p-4'] });
      },
    );
  });
});
