import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { serviceUrls } from '../support/services.js';
import { anOrder, type FakeProducts, startFakeProducts, type TimedAnswer, timedJson } from './shop-support.js';

// orders' cockatiel policy against a failing products: bounded by its timeout
// budget, then failing fast once the breaker opened, and recovering after the
// half-open delay. Small policy values keep the test short; every timing
// assertion is relative to these configured values.
const { RABBITMQ_URL } = serviceUrls();

const TIMEOUT_MS = 300;
const ATTEMPTS = 3;
const BASE_MS = 50;
const MAX_MS = 200;
const THRESHOLD = 5;
const HALF_OPEN_MS = 1500;
const POLICY = {
  ORDERS_TIMEOUT_MS: String(TIMEOUT_MS),
  ORDERS_RETRY_ATTEMPTS: String(ATTEMPTS),
  ORDERS_RETRY_BASE_MS: String(BASE_MS),
  ORDERS_RETRY_MAX_MS: String(MAX_MS),
  ORDERS_BREAKER_THRESHOLD: String(THRESHOLD),
  ORDERS_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
};
/** Longest time one order may take with every attempt timing out: attempts × timeout + the largest backoffs. */
const BUDGET_MS =
  ATTEMPTS * TIMEOUT_MS +
  Array.from({ length: ATTEMPTS - 1 }, (_, i) => Math.min(MAX_MS, BASE_MS * 2 ** i)).reduce((a, b) => a + b, 0);
/** Requests until the breaker has seen THRESHOLD failed attempts. */
const REQUESTS_TO_OPEN = Math.ceil(THRESHOLD / ATTEMPTS);

async function placeOrders(shop: Shop, count: number): Promise<TimedAnswer[]> {
  const answers: TimedAnswer[] = [];
  for (let i = 0; i < count; i++) answers.push(await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() }));
  return answers;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Places orders until one is accepted (the breaker let a trial call through and it worked). */
async function untilAccepted(shop: Shop, withinMs: number): Promise<TimedAnswer> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answer = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    if (answer.status === 201 || Date.now() > deadline) return answer;
    expect(answer.body).toEqual({ error: 'products_unavailable', reason: 'circuit_open' });
    await sleep(100);
  }
}

describe('orders → products, resilient (default policy), products stopped', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-res'),
      env: { orders: POLICY },
    });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('answers 503 within its budget, fails fast once the breaker is open, recovers after half-open', async () => {
    expect((await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() })).status).toBe(201);
    await shop.stopService('products');
    const answers = await placeOrders(shop, REQUESTS_TO_OPEN + 5);
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(a.ms).toBeLessThan(BUDGET_MS);
    }
    const reasons = answers.map((a) => a.body.reason);
    expect(reasons[0]).toBe('upstream_error');
    expect(reasons.slice(REQUESTS_TO_OPEN)).toEqual(Array(5).fill('circuit_open'));
    // The first answer waited for its retries' backoff; the fast ones wait for nothing.
    const fast = answers.slice(REQUESTS_TO_OPEN).map((a) => a.ms);
    expect(median(fast)).toBeLessThan(answers[0]!.ms);

    await shop.startService('products');
    const recovered = await untilAccepted(shop, HALF_OPEN_MS + 5000);
    expect(recovered.status).toBe(201);
  });
});

describe('orders → products, resilient (default policy), products hanging', () => {
  let shop: Shop;
  let products: FakeProducts;
  beforeAll(async () => {
    products = await startFakeProducts('hang');
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-res-hang'),
      env: { orders: { ...POLICY, PRODUCTS_URL: products.url } },
    });
  });
  afterAll(async () => {
    await shop?.stop();
    await products?.close();
  });

  it('times out each attempt within the budget, then fails fast without calling products', async () => {
    const answers = await placeOrders(shop, REQUESTS_TO_OPEN + 5);
    for (const a of answers) expect(a.status).toBe(503);

    // First order: every attempt ran into its timeout; the whole answer stays within the budget.
    expect(answers[0]!.body).toEqual({ error: 'products_unavailable', reason: 'timeout' });
    expect(answers[0]!.ms).toBeGreaterThanOrEqual(ATTEMPTS * TIMEOUT_MS);
    expect(answers[0]!.ms).toBeLessThan(BUDGET_MS + TIMEOUT_MS);

    // After THRESHOLD failed attempts the breaker is open: the rest fail fast and
    // products sees no more calls. Typical: a few ms against a budget of ~1 s; the
    // bounds below leave room for a loaded machine.
    const open = answers.slice(REQUESTS_TO_OPEN);
    for (const a of open) expect(a.body).toEqual({ error: 'products_unavailable', reason: 'circuit_open' });
    const fast = open.map((a) => a.ms);
    expect(median(fast)).toBeLessThan(TIMEOUT_MS); // faster than a single attempt could time out
    expect(Math.max(...fast)).toBeLessThan(BUDGET_MS / 2);
    expect(products.requests).toBe(THRESHOLD);

    // Products answers again: after the half-open delay a trial call goes through and closes the breaker.
    products.mode = 'ok';
    const recovered = await untilAccepted(shop, HALF_OPEN_MS + 5000);
    expect(recovered.status).toBe(201);
    expect(products.requests).toBe(THRESHOLD + 1);
  });
});
