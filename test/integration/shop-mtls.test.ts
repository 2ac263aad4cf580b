import https from 'node:https';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { clientTlsFiles, readTlsFiles } from '../../examples/shop/pki.ts';
import { customersClientConstructor, loadCustomersDefinition } from '../../examples/shop/shared/customers-proto.ts';
import { serviceUrls } from '../support/services.js';
import { anOrder } from './shop-support.js';

// SHOP_SECURITY=mtls: every hop of the shop over TLS with client certificates
// from the test CA (scripts/pki.sh), the gRPC hop to customers and the Python
// inventory included. Real servers, real certificates.
const { RABBITMQ_URL } = serviceUrls();

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One request over https with the given client material (none: no client certificate). */
function request(
  url: string,
  tls: { ca: Buffer; cert?: Buffer; key?: Buffer },
  init: { method?: string; body?: unknown } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = https.request(
      url,
      {
        ...tls,
        agent: false,
        method: init.method ?? (body ? 'POST' : 'GET'),
        headers: body ? { 'content-type': 'application/json' } : {},
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** GetCustomer on `address` over a channel with `credentials`: the customer's name, or the gRPC status code. */
async function getCustomer(address: string, credentials: grpc.ChannelCredentials): Promise<string | number> {
  const Client = customersClientConstructor(loadCustomersDefinition());
  const client = new Client(address, credentials) as unknown as grpc.Client & {
    GetCustomer(r: { id: string }, o: grpc.CallOptions, cb: grpc.requestCallback<{ name: string }>): void;
  };
  try {
    return await new Promise((resolve) =>
      client.GetCustomer({ id: 'c-1' }, { deadline: Date.now() + 5000 }, (error, customer) =>
        resolve(error ? error.code : customer!.name),
      ),
    );
  } finally {
    client.close();
  }
}

const trusted = readTlsFiles(clientTlsFiles('client'));
const rogue = readTlsFiles(clientTlsFiles('rogue-client'));

describe('the shop with SHOP_SECURITY=mtls', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-mtls'),
      security: 'mtls',
      inventory: true,
    });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('serves every service over https', () => {
    for (const url of Object.values(shop.urls)) expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('takes an order through gateway -> orders -> customers, products, inventory -> products over mTLS', async () => {
    const answer = await request(`${shop.urls.gateway}/api/orders`, trusted, { body: anOrder('p-1', 2) });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ status: 'created', totalCents: 2 * 4990 });
    const orders = shop.logTail('orders');
    expect(orders).toContain('"security":"mtls"');
    expect(orders).toContain('"customersTls":true');
    expect(orders).toContain(`"inventoryUrl":"${shop.urls.inventory}"`);
    const inventory = shop.logTail('inventory');
    expect(inventory).toContain(`GET ${shop.urls.products}/api/products?ids=p-1`);
    expect(inventory).toContain('"msg":"stock reserved"');
  });

  it('customers (gRPC) answers a TLS channel with a client certificate and refuses a plain or untrusted one', async () => {
    const address = shop.grpc.customers;
    expect(await getCustomer(address, grpc.credentials.createSsl(trusted.ca, trusted.key, trusted.cert))).toBe(
      'Ada Lovelace',
    );
    expect(await getCustomer(address, grpc.credentials.createInsecure())).toBe(grpc.status.UNAVAILABLE);
    expect(await getCustomer(address, grpc.credentials.createSsl(trusted.ca, rogue.key, rogue.cert))).toBe(
      grpc.status.UNAVAILABLE,
    );
  });

  it('inventory (Python) serves https only to clients with a certificate from the CA', async () => {
    const url = `${shop.urls.inventory}/api/stock/p-3`;
    expect(await request(url, trusted)).toMatchObject({ status: 200, body: { productId: 'p-3' } });
    await expect(request(url, { ca: trusted.ca })).rejects.toThrow(
      /certificate required|socket hang up|ECONNRESET|alert/i,
    );
    const plain = await fetch(url.replace('https:', 'http:'), { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status,
      (e: Error) => e.message,
    );
    expect(plain).not.toBe(200);
  });

  it('refuses a client without a certificate', async () => {
    await expect(request(`${shop.urls.gateway}/health`, { ca: trusted.ca })).rejects.toThrow(
      /certificate required|socket hang up|ECONNRESET|alert/i,
    );
  });

  it('refuses a client certificate from another CA', async () => {
    await expect(request(`${shop.urls.orders}/health`, { ...rogue, ca: trusted.ca })).rejects.toThrow(
      /unknown ca|socket hang up|ECONNRESET|alert/i,
    );
  });

  it('is not reachable over plain http', async () => {
    const plain = shop.urls.products.replace('https:', 'http:');
    const outcome = await fetch(`${plain}/health`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status,
      (e: Error) => e.message,
    );
    expect(outcome).not.toBe(200);
  });
});

describe('the broken variant: products, customers and inventory served in clear in mtls mode', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-mtls-plain'),
      security: 'mtls',
      inventory: true,
      plainServices: ['products', 'customers', 'inventory'],
    });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('still works end to end, with orders calling products, customers and inventory in clear', async () => {
    expect(shop.urls.products).toMatch(/^http:\/\//);
    expect(shop.urls.inventory).toMatch(/^http:\/\//);
    expect(shop.urls.orders).toMatch(/^https:\/\//);
    const answer = await request(`${shop.urls.gateway}/api/orders`, trusted, { body: anOrder('p-2', 1) });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const orders = shop.logTail('orders');
    expect(orders).toContain(`"productsUrl":"${shop.urls.products}"`);
    expect(orders).toContain(`"inventoryUrl":"${shop.urls.inventory}"`);
    expect(orders).toContain('"customersTls":false');
    expect(await getCustomer(shop.grpc.customers, grpc.credentials.createInsecure())).toBe('Ada Lovelace');
  });
});
