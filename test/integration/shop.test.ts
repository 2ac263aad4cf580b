import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { waitFor } from '../support/net.js';
import { serviceUrls } from '../support/services.js';
import { type FakeProducts, startFakeProducts, timedJson } from './shop-support.js';

// The example shop end to end on the real RabbitMQ: the happy path through the
// gateway, bad inputs, and the gateway's own answers (404, 502, 504).
const { RABBITMQ_URL } = serviceUrls();

describe('shop: an order through the gateway', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop({ rabbitmqUrl: RABBITMQ_URL, messaging: uniqueMessaging('shop-test') });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('is created with prices from products and reaches delivery through RabbitMQ', async () => {
    const correlationId = `corr-${Date.now()}`;
    const created = await timedJson(`${shop.urls.gateway}/api/orders`, {
      body: {
        customerId: 'c-1',
        items: [
          { productId: 'p-1', quantity: 2 },
          { productId: 'p-3', quantity: 1 },
        ],
      },
      headers: { 'x-correlation-id': correlationId },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-correlation-id')).toBe(correlationId);
    expect(created.body).toMatchObject({
      status: 'created',
      customerId: 'c-1',
      items: [
        { productId: 'p-1', quantity: 2, unitPriceCents: 4990 },
        { productId: 'p-3', quantity: 1, unitPriceCents: 18990 },
      ],
      totalCents: 2 * 4990 + 18990,
      currency: 'EUR',
    });
    const orderId = created.body.id as string;
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);

    const fetched = await timedJson(`${shop.urls.gateway}/api/orders/${orderId}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);

    let delivery: Record<string, unknown> | undefined;
    await waitFor(async () => {
      const answer = await timedJson(`${shop.urls.delivery}/api/deliveries/${orderId}`);
      delivery = answer.body;
      return answer.status === 200;
    }, 10_000);
    expect(delivery).toMatchObject({ orderId, status: 'scheduled', correlationId });
    expect(Date.parse(delivery?.scheduledFor as string)).toBeGreaterThan(Date.parse(created.body.createdAt as string));
    const list = await timedJson(`${shop.urls.delivery}/api/deliveries`);
    expect((list.body.items as { orderId: string }[]).map((d) => d.orderId)).toContain(orderId);
  });

  it('serves products through the gateway', async () => {
    const one = await timedJson(`${shop.urls.gateway}/api/products/p-1`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ id: 'p-1', name: 'Keyboard', priceCents: 4990, currency: 'EUR' });
    const some = await timedJson(`${shop.urls.gateway}/api/products?ids=p-2,p-9,p-4`);
    expect((some.body.items as { id: string }[]).map((p) => p.id)).toEqual(['p-2', 'p-4']);
    const missing = await timedJson(`${shop.urls.gateway}/api/products/p-9`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found', id: 'p-9' });
  });

  it('answers bad order bodies with 400 naming the field, unknown products with 422', async () => {
    const url = `${shop.urls.gateway}/api/orders`;
    const quantity = await timedJson(url, { body: { customerId: 'c-1', items: [{ productId: 'p-1', quantity: 0 }] } });
    expect(quantity.status).toBe(400);
    expect(quantity.body.error).toBe('invalid_body');
    expect(quantity.body.fields).toEqual([expect.objectContaining({ path: 'items.0.quantity' })]);

    const fractional = await timedJson(url, {
      body: { customerId: 'c-1', items: [{ productId: 'p-1', quantity: 1.5 }] },
    });
    expect(fractional.body.fields).toEqual([{ path: 'items.0.quantity', message: 'must be an integer' }]);

    const several = await timedJson(url, { body: { items: [] } });
    expect(several.status).toBe(400);
    expect((several.body.fields as { path: string }[]).map((f) => f.path).sort()).toEqual(['customerId', 'items']);

    for (const rawBody of ['{"customerId":', 'not json', '', 'null', '[1,2]', '"text"']) {
      const answer = await timedJson(url, { rawBody });
      expect(answer.status, `body ${JSON.stringify(rawBody)}`).toBe(400);
      expect(answer.body.error).toBe('invalid_body');
    }
    const malformed = await timedJson(url, { rawBody: '{"customerId":' });
    expect(malformed.body.fields).toEqual([{ path: '', message: expect.stringMatching(/malformed JSON/) }]);

    const unknown = await timedJson(url, {
      body: {
        customerId: 'c-1',
        items: [
          { productId: 'p-9', quantity: 1 },
          { productId: 'p-1', quantity: 1 },
          { productId: 'x', quantity: 1 },
        ],
      },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual({ error: 'unknown_product', productIds: ['p-9', 'x'] });

    expect((await timedJson(`${url}/no-such-order`)).status).toBe(404);
    expect((await timedJson(`${shop.urls.gateway}/api/nothing-here`)).status).toBe(404);
    expect((await timedJson(`${shop.urls.products}/api/products/%E0%A4%A`)).status).toBe(400);

    // Nothing crashed: every service still answers.
    for (const base of Object.values(shop.urls))
      expect((await timedJson(`${base}/health`)).body).toEqual({ status: 'ok' });
  });

  it('gateway: 502 when the upstream is unreachable', async () => {
    await shop.stopService('products');
    try {
      const answer = await timedJson(`${shop.urls.gateway}/api/products/p-1`);
      expect(answer.status).toBe(502);
      expect(answer.body).toEqual({ error: 'bad_gateway' });
    } finally {
      await shop.startService('products');
    }
    expect((await timedJson(`${shop.urls.gateway}/api/products/p-1`)).status).toBe(200);
  });
});

describe('shop: gateway per-route timeout', () => {
  let shop: Shop;
  let hanging: FakeProducts;
  beforeAll(async () => {
    hanging = await startFakeProducts('hang');
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-gw'),
      env: { gateway: { PRODUCTS_URL: hanging.url, GATEWAY_PRODUCTS_TIMEOUT_MS: '300' } },
    });
  });
  afterAll(async () => {
    await shop?.stop();
    await hanging?.close();
  });

  it('answers 504 once the products route timeout passed', async () => {
    const answer = await timedJson(`${shop.urls.gateway}/api/products/p-1`);
    expect(answer.status).toBe(504);
    expect(answer.body).toEqual({ error: 'gateway_timeout' });
    expect(answer.ms).toBeGreaterThanOrEqual(290);
    expect(hanging.requests).toBe(1);
  });
});
