import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_CORRELATION_ID,
  httpContract,
  Matchers,
  messageContract,
  readPactFile,
  verifyProvider,
} from '../../src/contracts/index.js';
import { startProductsFixture } from '../fixtures/contracts/providers.js';

// The library end to end against small real providers: consumer tests write
// pacts; verification passes on the good provider and names interaction and
// field on the broken ones.

let dir: string;

async function writeProductsPact(correlation: boolean): Promise<string> {
  const contract = httpContract({ consumer: 'shop-ui', provider: 'products', pactDir: dir, correlation });
  await contract.interaction(
    {
      description: 'get product p-1',
      states: [{ name: 'product exists', params: { id: 'p-1' } }],
      request: { method: 'GET', path: '/api/products/p-1' },
      response: {
        status: 200,
        body: { id: 'p-1', name: Matchers.string('Keyboard'), priceCents: Matchers.integer(4990), currency: 'EUR' },
      },
    },
    async ({ url, correlationHeaders }) => {
      const res = await fetch(`${url}/api/products/p-1`, { headers: correlationHeaders });
      expect(res.status).toBe(200);
    },
  );
  await contract.interaction(
    {
      description: 'get unknown product',
      states: [{ name: 'product does not exist', params: { id: 'p-9' } }],
      request: { method: 'GET', path: '/api/products/p-9' },
      response: { status: 404, body: { error: 'not_found', id: 'p-9' } },
    },
    async ({ url, correlationHeaders }) => {
      const res = await fetch(`${url}/api/products/p-9`, { headers: correlationHeaders });
      expect(res.status).toBe(404);
    },
  );
  // The passed interactions are kept in memory until written.
  const file = contract.write();
  expect(file).toBe(path.join(dir, 'shop-ui-products.json'));
  return file ?? '';
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'msav-pacts-'));
});

describe('HTTP contracts', () => {
  let pactFile: string;
  const states: unknown[] = [];
  // The fixture's catalogue is fixed: its states need no set-up.
  const statesWithoutSetup = ['product exists', 'product does not exist'];
  beforeAll(async () => {
    pactFile = await writeProductsPact(true);
  });
  afterAll(() => {
    states.length = 0;
  });

  it('writes a V4 pact whose requests require traceparent and the correlation header', async () => {
    const pact = JSON.parse(await readFile(pactFile, 'utf8'));
    expect(pact.metadata.pactSpecification.version).toBe('4.0');
    const rules = pact.interactions[0].request.matchingRules.header;
    expect(Object.keys(rules).sort()).toEqual(['traceparent', 'x-correlation-id']);
    expect((await readPactFile(pactFile)).kind).toBe('http');
  });

  it('fails the consumer test when the consumer does not send the correlation headers', async () => {
    const contract = httpContract({ consumer: 'careless', provider: 'products', pactDir: dir, correlation: true });
    await expect(
      contract.interaction(
        {
          description: 'get product without correlation',
          request: { method: 'GET', path: '/api/products/p-1' },
          response: { status: 200 },
        },
        async ({ url }) => {
          await fetch(`${url}/api/products/p-1`);
        },
      ),
    ).rejects.toThrow();
    // The failed interaction is not kept: nothing to write.
    expect(contract.write()).toBeUndefined();
  });

  it('verifies against the real provider and calls the state handlers with params', async () => {
    await using provider = await startProductsFixture('good');
    const results = await verifyProvider({
      provider: 'products',
      url: provider.url,
      pactFiles: [pactFile],
      stateHandlers: {
        'product exists': async (params) => {
          states.push(params);
          return undefined;
        },
      },
      statesWithoutSetup: ['product does not exist'],
    });
    expect(results).toHaveLength(1);
    expect(results[0]?.passed).toBe(true);
    expect(results[0]?.interactions.map((i) => i.passed)).toEqual([true, true]);
    expect(states).toContainEqual({ id: 'p-1' });
  });

  it('fails on a renamed field, naming interaction and field', async () => {
    await using provider = await startProductsFixture('renamed-field');
    const [pair] = await verifyProvider({
      provider: 'products',
      url: provider.url,
      pactFiles: [pactFile],
      statesWithoutSetup,
    });
    expect(pair?.passed).toBe(false);
    const failed = pair?.interactions.filter((i) => !i.passed);
    expect(failed?.map((i) => i.description)).toEqual(['get product p-1']);
    // The renamed key itself is named, not just `body`.
    expect(failed?.[0]?.mismatches).toEqual([
      {
        path: 'body.priceCents',
        expected: 'key "priceCents"',
        message: 'missing key "priceCents" (the response has: currency, id, name, price)',
      },
    ]);
  });

  it('fails on a changed status with path "status"', async () => {
    await using provider = await startProductsFixture('changed-status');
    const [pair] = await verifyProvider({
      provider: 'products',
      url: provider.url,
      pactFiles: [pactFile],
      statesWithoutSetup,
    });
    const failed = pair?.interactions.find((i) => !i.passed);
    expect(failed?.description).toBe('get unknown product');
    expect(failed?.mismatches).toContainEqual(
      expect.objectContaining({ path: 'status', expected: '404', actual: '200' }),
    );
  });
});

describe('message contracts', () => {
  let pactFile: string;
  beforeAll(async () => {
    const contract = messageContract({ consumer: 'mailer', provider: 'orders', pactDir: dir, correlation: true });
    let handled: unknown;
    await contract.expect(
      {
        description: 'an order.created event',
        states: [{ name: 'an order was accepted', params: { customerId: 'c-1' } }],
        content: { type: 'order.created', orderId: Matchers.uuid(), totalCents: Matchers.integer(9980) },
        routingKey: 'orders.created',
      },
      async (message) => {
        handled = message;
      },
    );
    expect(handled).toMatchObject({
      content: { type: 'order.created' },
      metadata: {
        contentType: 'application/json',
        routingKey: 'orders.created',
        'x-correlation-id': EXAMPLE_CORRELATION_ID,
      },
    });
    pactFile = contract.write() ?? '';
    expect(pactFile).toBe(path.join(dir, 'mailer-orders.json'));
  });

  const produce = (metadata: Record<string, string>) => ({
    'an order.created event': async () => ({
      content: { type: 'order.created', orderId: '5b4b1c0e-0000-4000-8000-00000000000a', totalCents: 100 },
      metadata,
    }),
  });
  const good = {
    contentType: 'application/json',
    routingKey: 'orders.created',
    'x-correlation-id': 'abc-123',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };

  it('verifies a message produced by code', async () => {
    const [pair] = await verifyProvider({ provider: 'orders', pactFiles: [pactFile], messages: produce(good) });
    expect(pair).toMatchObject({ consumer: 'mailer', kind: 'message', passed: true });
  });

  // The rule is one (src/core/correlation-id.ts); here Pact's own core applies it, not JavaScript.
  it('accepts in the real Pact core every correlation id the preload keeps (order:42) and refuses one it replaces', async () => {
    for (const id of ['order:42', 'a+b/c=', 'x'.repeat(128)]) {
      const [pair] = await verifyProvider({
        provider: 'orders',
        pactFiles: [pactFile],
        messages: produce({ ...good, 'x-correlation-id': id }),
      });
      expect(pair?.passed, id).toBe(true);
    }
    for (const id of ['order 42', 'x'.repeat(129), 'ordér']) {
      const [pair] = await verifyProvider({
        provider: 'orders',
        pactFiles: [pactFile],
        messages: produce({ ...good, 'x-correlation-id': id }),
      });
      expect(pair?.passed, id).toBe(false);
      expect(pair?.interactions[0]?.mismatches.map((m) => m.path)).toContain('metadata.x-correlation-id');
    }
  });

  it('fails when the producer drops the correlation header or changes the routing key', async () => {
    const { 'x-correlation-id': _dropped, ...noCorrelation } = good;
    const [pair] = await verifyProvider({
      provider: 'orders',
      pactFiles: [pactFile],
      messages: produce({ ...noCorrelation, routingKey: 'orders.made' }),
    });
    expect(pair?.passed).toBe(false);
    const paths = pair?.interactions[0]?.mismatches.map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining(['metadata.x-correlation-id', 'metadata.routingKey']));
  });
});
