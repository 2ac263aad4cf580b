import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { CUSTOMERS_STORM_ATTEMPTS } from '../../examples/shop/orders/customers-policy.ts';
import { readSpans } from '../support/instrument-process.ts';
import { serviceUrls } from '../support/services.js';
import { type FakeCustomers, startFakeCustomers } from './shop-grpc-support.ts';
import { anOrder, type TimedAnswer, timedJson } from './shop-support.js';

// orders → customers over gRPC (@grpc/grpc-js): the real customers service on
// the order path, correlation ID and trace context in metadata, and orders'
// gRPC policy (deadline, retryPolicy from the service config, breaker) and its
// variants against a real gRPC server that fails on purpose (shop-grpc-support.ts).
const { RABBITMQ_URL } = serviceUrls();

function order(customerId: string): { customerId: string; items: unknown[] } {
  return { customerId, items: [{ productId: 'p-1', quantity: 1 }] };
}

async function placeOrders(shop: Shop, count: number): Promise<TimedAnswer[]> {
  const answers: TimedAnswer[] = [];
  for (let i = 0; i < count; i++) answers.push(await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() }));
  return answers;
}

describe('the shop with customers (gRPC) on the order path, under the preload', () => {
  let shop: Shop;
  const dir = mkdtempSync(path.join(tmpdir(), 'msav-shop-grpc-'));
  const spansOf = (service: string) => readSpans(path.join(dir, `${service}.jsonl`));
  beforeAll(async () => {
    const traces = (service: string) => ({ MSA_VERIFY_TRACES_FILE: path.join(dir, `${service}.jsonl`) });
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-grpc'),
      preload: true,
      env: { orders: traces('orders'), customers: { ...traces('customers'), LOG_LEVEL: 'debug' } },
    });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('accepts a known customer, refuses unknown and blocked ones with 422', async () => {
    expect((await timedJson(`${shop.urls.gateway}/api/orders`, { body: order('c-1') })).status).toBe(201);
    const unknown = await timedJson(`${shop.urls.gateway}/api/orders`, { body: order('nobody') });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual({ error: 'unknown_customer', customerId: 'nobody' });
    const blocked = await timedJson(`${shop.urls.gateway}/api/orders`, { body: order('c-4') });
    expect(blocked.status).toBe(422);
    expect(blocked.body).toEqual({ error: 'customer_blocked', customerId: 'c-4' });
  });

  it('carries the correlation ID and the trace context from orders to customers in gRPC metadata', async () => {
    const correlationId = `grpc-${Date.now()}`;
    const placed = await timedJson(`${shop.urls.gateway}/api/orders`, {
      body: order('c-2'),
      headers: { 'x-correlation-id': correlationId },
    });
    expect(placed.status).toBe(201);
    // customers logs what arrived in the metadata.
    const logged = shop
      .logTail('customers')
      .split('\n')
      .map((l) => JSON.parse(l) as { msg?: string; correlationId?: string; traceparent?: string })
      .find((l) => l.msg === 'GetCustomer' && l.correlationId === correlationId);
    expect(logged, shop.logTail('customers')).toBeDefined();
    expect(logged?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);

    // The spans: orders' client span and customers' server span are one trace, with the correlation ID.
    // Both files are written by the services' exporters in batches: wait for both spans.
    let server: ReturnType<typeof spansOf>[number] | undefined;
    let client: ReturnType<typeof spansOf>[number] | undefined;
    for (let i = 0; i < 100 && client === undefined; i++) {
      await sleep(100);
      server = spansOf('customers').find(
        (s) =>
          s.kind === 'SERVER' &&
          s.name === 'grpc.shop.customers.v1.Customers/GetCustomer' &&
          s.attributes['correlation.id'] === correlationId,
      );
      client = server && spansOf('orders').find((s) => s.kind === 'CLIENT' && s.spanId === server?.parentSpanId);
    }
    expect(server, JSON.stringify(spansOf('customers').slice(-3))).toBeDefined();
    expect(client?.name).toBe('grpc.shop.customers.v1.Customers/GetCustomer');
    expect(client?.traceId).toBe(server?.traceId);
    expect(logged?.traceparent).toContain(server!.traceId);
  });

  it('fails fast with 503 customers_unavailable once customers is down and the breaker opened; recovers', async () => {
    await shop.stopService('customers');
    const answers = await placeOrders(shop, 7);
    for (const a of answers) expect(a.status).toBe(503);
    expect(answers[0]!.body).toEqual({ error: 'customers_unavailable', reason: 'upstream_error' });
    // Default breaker: 5 consecutive failed calls.
    expect(answers.slice(5).map((a) => a.body.reason)).toEqual(['circuit_open', 'circuit_open']);
    await shop.startService('customers');
    const deadline = Date.now() + 15_000;
    let last: TimedAnswer;
    do {
      await sleep(200);
      last = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    } while (last.status !== 201 && Date.now() < deadline);
    expect(last.status).toBe(201);
  });
});

describe('orders → customers policy against a failing customers', () => {
  let fake: FakeCustomers;
  const shops: Shop[] = [];
  const shopWith = async (orders: Record<string, string>, gateway: Record<string, string> = {}): Promise<Shop> => {
    const shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-grpc-policy'),
      env: { orders: { CUSTOMERS_ADDR: fake.address, ORDERS_BREAKER_THRESHOLD: '100', ...orders }, gateway },
    });
    shops.push(shop);
    return shop;
  };
  beforeAll(async () => {
    fake = await startFakeCustomers('ok');
  });
  afterAll(async () => {
    for (const shop of shops) await shop.stop();
    await fake?.close();
  });

  it('resilient: retries UNAVAILABLE up to the attempts of its retryPolicy, never UNKNOWN', async () => {
    const shop = await shopWith({ ORDERS_CUSTOMERS_RETRY_ATTEMPTS: '3' });
    fake.mode = 'unavailable';
    let before = fake.calls;
    const unavailable = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    expect(unavailable.body).toEqual({ error: 'customers_unavailable', reason: 'upstream_error' });
    expect(fake.calls - before).toBe(3);
    fake.mode = 'unknown';
    before = fake.calls;
    const unknown = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    expect(unknown.status).toBe(503);
    expect(fake.calls - before).toBe(1);
    await shop.stop();
  });

  it('ORDERS_CUSTOMERS_RETRY=storm: retries UNKNOWN (the server may have acted) up to the gRPC maximum', async () => {
    const shop = await shopWith({ ORDERS_CUSTOMERS_RETRY: 'storm' });
    fake.mode = 'unknown';
    const before = fake.calls;
    const answer = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    expect(answer.status).toBe(503);
    expect(fake.calls - before).toBe(CUSTOMERS_STORM_ATTEMPTS);
    await shop.stop();
  });

  it('resilient: a hanging customers ends in the deadline (503 timeout) before the gateway gives up', async () => {
    const shop = await shopWith({ ORDERS_CUSTOMERS_DEADLINE_MS: '300' }, { GATEWAY_ORDERS_TIMEOUT_MS: '5000' });
    fake.mode = 'hang';
    const answer = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: 'customers_unavailable', reason: 'timeout' });
    await shop.stop();
  });

  it('ORDERS_CUSTOMERS_DEADLINE=off: a hanging customers holds the order until the gateway answers 504', async () => {
    const shop = await shopWith({ ORDERS_CUSTOMERS_DEADLINE: 'off' }, { GATEWAY_ORDERS_TIMEOUT_MS: '1000' });
    fake.mode = 'hang';
    const answer = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    expect(answer.status).toBe(504);
    expect(answer.body).toEqual({ error: 'gateway_timeout' });
    await shop.stop();
  });
});
