// The Python inventory service as a real process (the shop's venv, uvicorn on a
// free port), against a real HTTP server standing in for products that records
// what inventory sends it: reservations (idempotent by order id), stock limits,
// unknown products, bad bodies, products away, the correlation ID (echoed,
// validated, forwarded; not forwarded in the variant), bad configuration (exit 2),
// and the provider-state endpoint only when enabled.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedService, startService } from '../../contracts/support/service.ts';
import { PYTHON_VENV, ROOT } from '../../examples/shop/service-process.ts';

/** Products stand-in: lists p-1 .. p-5 and records the correlation header of each request. */
let products: http.Server;
let productsUrl: string;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  products = http.createServer((req, res) => {
    seen.push(req.headers['x-correlation-id'] as string | undefined);
    const ids = (new URL(req.url ?? '/', 'http://x').searchParams.get('ids') ?? '').split(',');
    const items = ids
      .filter((id) => /^p-[1-5]$/.test(id))
      .map((id) => ({ id, name: id, priceCents: 1, currency: 'EUR' }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
  });
  await new Promise<void>((resolve) => products.listen(0, '127.0.0.1', resolve));
  productsUrl = `http://127.0.0.1:${(products.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => products.close(resolve));
});

const reserve = (base: string, orderId: string, items: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/reservations/${orderId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ items }),
  });

describe('inventory (Python, FastAPI)', () => {
  let inventory: StartedService;
  beforeAll(async () => {
    inventory = await startService('inventory', { PRODUCTS_URL: productsUrl, INVENTORY_STOCK: '5' });
  });
  afterAll(async () => {
    await inventory?.stop();
  });

  it('reserves once per order id: a repeated PUT answers 200 with the same body and takes no more stock', async () => {
    const first = await reserve(inventory.url, 'o-1', [{ productId: 'p-1', quantity: 2 }]);
    expect(first.status).toBe(201);
    const body = await first.json();
    expect(body).toEqual({ id: 'o-1', items: [{ productId: 'p-1', quantity: 2 }] });
    const again = await reserve(inventory.url, 'o-1', [{ productId: 'p-1', quantity: 2 }]);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
    expect(await (await fetch(`${inventory.url}/api/stock/p-1`)).json()).toEqual({ productId: 'p-1', available: 3 });
  });

  it('refuses more than the stock (409), products the catalogue lacks (422), and bad bodies (400)', async () => {
    const short = await reserve(inventory.url, 'o-2', [{ productId: 'p-2', quantity: 6 }]);
    expect([short.status, await short.json()]).toEqual([409, { error: 'out_of_stock', productIds: ['p-2'] }]);
    const unknown = await reserve(inventory.url, 'o-3', [{ productId: 'p-9', quantity: 1 }]);
    expect([unknown.status, await unknown.json()]).toEqual([422, { error: 'unknown_product', productIds: ['p-9'] }]);
    const bad = await reserve(inventory.url, 'o-4', [{ productId: 'p-1', quantity: 0 }]);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_body', fields: [{ path: 'items.0.quantity' }] });
    expect((await fetch(`${inventory.url}/api/stock/p-9`)).status).toBe(404);
  });

  it('echoes and forwards a valid x-correlation-id, and replaces an invalid one with a UUID', async () => {
    seen.length = 0;
    const res = await reserve(inventory.url, 'o-5', [{ productId: 'p-3', quantity: 1 }], {
      'x-correlation-id': 'corr-inventory-1',
    });
    expect(res.headers.get('x-correlation-id')).toBe('corr-inventory-1');
    expect(seen).toEqual(['corr-inventory-1']);
    const hostile = await reserve(inventory.url, 'o-6', [{ productId: 'p-3', quantity: 1 }], {
      'x-correlation-id': 'two words',
    });
    const replaced = hostile.headers.get('x-correlation-id');
    expect(replaced).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(seen[1]).toBe(replaced);
  });

  it('serves no provider-state endpoint unless INVENTORY_PROVIDER_STATES=on', async () => {
    const res = await fetch(`${inventory.url}/_pact/provider-states`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'product is out of stock', params: { productId: 'p-1' } }),
    });
    expect(res.status).toBe(404);
  });
});

describe('inventory variants and failures', () => {
  it('INVENTORY_FORWARD_CORRELATION=off: echoes the ID but does not send it to products', async () => {
    await using inventory = await startService('inventory', {
      PRODUCTS_URL: productsUrl,
      INVENTORY_FORWARD_CORRELATION: 'off',
    });
    seen.length = 0;
    const res = await reserve(inventory.url, 'o-7', [{ productId: 'p-1', quantity: 1 }], {
      'x-correlation-id': 'corr-inventory-2',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-correlation-id')).toBe('corr-inventory-2');
    expect(seen).toEqual([undefined]);
  });

  it('answers 503 products_unavailable when products cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await using inventory = await startService('inventory', { PRODUCTS_URL: `http://127.0.0.1:${port}` });
    const res = await reserve(inventory.url, 'o-8', [{ productId: 'p-1', quantity: 1 }]);
    expect([res.status, await res.json()]).toEqual([503, { error: 'products_unavailable' }]);
  });

  it.each([
    [{ INVENTORY_STOCK: 'lots' }, "INVENTORY_STOCK must be an integer from 0 to 1000000000, got 'lots'"],
    [{ SHOP_SECURITY: 'mtls', SHOP_TLS_CA: '' }, 'SHOP_TLS_CA is not set: TLS needs a PEM file here'],
  ])('a bad variable is one JSON line naming it, and exit code 2 (%j)', (bad, error) => {
    const r = spawnSync(path.join(PYTHON_VENV, 'bin/python'), [path.join(ROOT, 'examples/shop/inventory/main.py')], {
      env: { ...process.env, PORT: '0', ...bad },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'critical',
      service: 'inventory',
      msg: 'invalid configuration',
      error,
    });
  });
});
