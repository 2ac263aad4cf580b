import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { STORM_ATTEMPTS } from '../../examples/shop/orders/policy.ts';
import { serviceUrls } from '../support/services.js';
import { anOrder, type FakeProducts, startFakeProducts, type TimedAnswer, timedJson } from './shop-support.js';

// The variants without a proper policy, which chaos tests must be able to
// catch: the same failing products as in shop-resilience.test.ts, and
// nothing fails fast.
const { RABBITMQ_URL } = serviceUrls();
const GATEWAY_TIMEOUT_MS = 600;
/** More orders than it takes the default breaker (5 consecutive failures) to open. */
const ORDERS = 7;

async function placeOrders(shop: Shop, count: number): Promise<TimedAnswer[]> {
  const answers: TimedAnswer[] = [];
  for (let i = 0; i < count; i++) answers.push(await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() }));
  return answers;
}

describe('ORDERS_RESILIENCE=off (naive), products hanging', () => {
  let shop: Shop;
  let products: FakeProducts;
  beforeAll(async () => {
    products = await startFakeProducts('hang');
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-naive'),
      env: {
        orders: { ORDERS_RESILIENCE: 'off', ORDERS_TIMEOUT_MS: '300', PRODUCTS_URL: products.url },
        gateway: { GATEWAY_ORDERS_TIMEOUT_MS: String(GATEWAY_TIMEOUT_MS) },
      },
    });
  });
  afterAll(async () => {
    await shop?.stop();
    await products?.close();
  });

  it('hangs every order until the gateway gives up with 504; nothing fails fast', async () => {
    const answers = await placeOrders(shop, ORDERS);
    for (const a of answers) {
      expect(a.status).toBe(504);
      expect(a.body).toEqual({ error: 'gateway_timeout' });
      // orders' own ORDERS_TIMEOUT_MS (300) is ignored: only the gateway's timeout ends the wait.
      expect(a.ms).toBeGreaterThanOrEqual(GATEWAY_TIMEOUT_MS * 0.95);
    }
    // No breaker: every order went on to products.
    expect(products.requests).toBe(ORDERS);
  });
});

describe('ORDERS_RETRY_STORM=on, products failing', () => {
  let shop: Shop;
  let products: FakeProducts;
  beforeAll(async () => {
    products = await startFakeProducts('error');
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-storm'),
      env: { orders: { ORDERS_RETRY_STORM: 'on', PRODUCTS_URL: products.url } },
    });
  });
  afterAll(async () => {
    await shop?.stop();
    await products?.close();
  });

  it('retries each order STORM_ATTEMPTS times and never opens a breaker', async () => {
    const answers = await placeOrders(shop, 3);
    for (const a of answers) expect(a.body).toEqual({ error: 'products_unavailable', reason: 'upstream_error' });
    expect(products.requests).toBe(3 * STORM_ATTEMPTS);
  });
});

describe('resilient policy, products failing (control for the storm test)', () => {
  let shop: Shop;
  let products: FakeProducts;
  beforeAll(async () => {
    products = await startFakeProducts('error');
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-ctl'),
      env: { orders: { PRODUCTS_URL: products.url, ORDERS_RETRY_BASE_MS: '1' } },
    });
  });
  afterAll(async () => {
    await shop?.stop();
    await products?.close();
  });

  it('makes 3 attempts per order and stops calling products after 5 failures', async () => {
    const answers = await placeOrders(shop, 4);
    expect(answers.map((a) => a.body.reason)).toEqual([
      'upstream_error',
      'circuit_open',
      'circuit_open',
      'circuit_open',
    ]);
    expect(products.requests).toBe(5);
  });
});
