import { httpContract, Matchers } from 'msa-verify/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockPort, type StartedService, startService } from './support/service.ts';

// gateway → products, through the real gateway (which must forward traceparent and x-correlation-id).
const port = await mockPort();
const contract = httpContract({ consumer: 'gateway', provider: 'products', port, correlation: true });
let gateway: StartedService;

beforeAll(async () => {
  const upstream = `http://127.0.0.1:${port}`;
  gateway = await startService('gateway', { ORDERS_URL: upstream, PRODUCTS_URL: upstream });
});
afterAll(async () => {
  await gateway?.stop();
});

describe('gateway → products', () => {
  it('gets a product', async () => {
    await contract.interaction(
      {
        description: 'get product p-1',
        states: [{ name: 'product exists', params: { id: 'p-1' } }],
        request: { method: 'GET', path: '/api/products/p-1' },
        response: {
          status: 200,
          body: {
            id: 'p-1',
            name: Matchers.string('Keyboard'),
            priceCents: Matchers.integer(4990),
            currency: Matchers.string('EUR'),
          },
        },
      },
      async ({ correlationHeaders }) => {
        const res = await fetch(`${gateway.url}/api/products/p-1`, { headers: correlationHeaders });
        expect(res.status).toBe(200);
      },
    );
  });

  it('gets 404 for an unknown product', async () => {
    await contract.interaction(
      {
        description: 'get unknown product p-9',
        states: [{ name: 'product does not exist', params: { id: 'p-9' } }],
        request: { method: 'GET', path: '/api/products/p-9' },
        response: { status: 404, body: { error: 'not_found', id: 'p-9' } },
      },
      async ({ correlationHeaders }) => {
        const res = await fetch(`${gateway.url}/api/products/p-9`, { headers: correlationHeaders });
        expect(res.status).toBe(404);
      },
    );
  });
});
