import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PactV4 } from '@pact-foundation/pact';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type HttpInteractionSpec,
  httpContract,
  Matchers,
  type MessageSpec,
  messageContract,
  writePendingPacts,
} from '../../src/contracts/index.js';

// httpContract and messageContract keep the interactions that passed and write
// the pact file once (the per-test merge pact-js does grows with the file). The
// file must be what pact-js's own per-test writes make of the same interactions.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'msav-pact-writing-'));
});

const readPact = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

const httpSpecs: HttpInteractionSpec[] = [
  {
    description: 'get product p-1',
    states: [{ name: 'product exists', params: { id: 'p-1' } }],
    request: { method: 'GET', path: '/api/products/p-1', query: { fields: 'price' } },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { id: 'p-1', priceCents: Matchers.integer(4990), tags: Matchers.eachLike('new') },
    },
  },
  {
    description: 'create an order',
    states: [{ name: 'customer exists', params: { id: 'c-1' } }, { name: 'stock is high' }],
    request: {
      method: 'POST',
      path: '/api/orders',
      headers: { 'content-type': 'application/json' },
      body: { customerId: 'c-1', items: [{ productId: 'p-1', quantity: 2 }] },
    },
    response: { status: 201, body: { orderId: Matchers.uuid('5b4b1c0e-0000-4000-8000-00000000000a') } },
  },
  {
    description: 'get unknown product',
    request: { method: 'GET', path: Matchers.regex('/api/products/p-[0-9]+', '/api/products/p-9') },
    response: { status: 404 },
  },
];

// The consumer side of each spec: send what the spec describes.
async function send(url: string, spec: HttpInteractionSpec): Promise<void> {
  const example = (v: unknown) => (typeof v === 'string' ? v : String((v as { value?: unknown }).value));
  const query = spec.request.query ? `?${new URLSearchParams(spec.request.query as Record<string, string>)}` : '';
  const res = await fetch(`${url}${example(spec.request.path)}${query}`, {
    method: spec.request.method,
    headers: spec.request.headers as Record<string, string> | undefined,
    body: spec.request.body === undefined ? undefined : JSON.stringify(spec.request.body),
  });
  await res.arrayBuffer();
}

// pact-js alone, one test per interaction: its pact file after each test, merged.
async function writeWithPactJs(pactDir: string, specs: readonly HttpInteractionSpec[]): Promise<void> {
  const pact = new PactV4({ consumer: 'ui', provider: 'shop', dir: pactDir, logLevel: 'error' });
  for (const spec of specs) {
    let builder = pact.addInteraction();
    for (const state of spec.states ?? []) builder = builder.given(state.name, state.params as never);
    await builder
      .uponReceiving(spec.description)
      .withRequest(spec.request.method, spec.request.path, (b) => {
        if (spec.request.headers) b.headers(spec.request.headers);
        if (spec.request.query) b.query(spec.request.query as never);
        if (spec.request.body !== undefined) b.jsonBody(spec.request.body);
      })
      .willRespondWith(spec.response.status, (b) => {
        if (spec.response.headers) b.headers(spec.response.headers);
        if (spec.response.body !== undefined) b.jsonBody(spec.response.body as never);
      })
      .executeTest(async (server) => send(server.url, spec));
  }
}

describe('httpContract writes the pact once', () => {
  it('writes the same pact file as pact-js writing after every test', async () => {
    const oldDir = path.join(dir, 'old');
    await writeWithPactJs(oldDir, httpSpecs);
    const contract = httpContract({ consumer: 'ui', provider: 'shop', pactDir: path.join(dir, 'new') });
    for (const spec of httpSpecs) await contract.interaction(spec, async ({ url }) => send(url, spec));
    // Nothing on disk until written.
    expect(existsSync(path.join(dir, 'new', 'ui-shop.json'))).toBe(false);
    const file = contract.write();
    expect(file).toBe(path.join(dir, 'new', 'ui-shop.json'));
    const written = await readPact(file ?? '');
    expect(written.interactions).toHaveLength(httpSpecs.length);
    expect(written).toEqual(await readPact(path.join(oldDir, 'ui-shop.json')));
  });

  it('keeps a failed interaction out of the file, and the ones that passed around it in', async () => {
    const contract = httpContract({ consumer: 'ui', provider: 'shop', pactDir: dir });
    const [first, second, third] = httpSpecs as [HttpInteractionSpec, HttpInteractionSpec, HttpInteractionSpec];
    await contract.interaction(first, async ({ url }) => send(url, first));
    // The consumer sends a different request: the mock server's mismatch fails the test.
    await expect(
      contract.interaction(second, async ({ url }) => {
        await (await fetch(`${url}/api/other`)).arrayBuffer();
      }),
    ).rejects.toThrow(/Test failed|mismatch|not found|500/i);
    // The consumer's own assertion fails: not kept either.
    await expect(
      contract.interaction(third, async () => {
        throw new Error('the consumer broke');
      }),
    ).rejects.toThrow('the consumer broke');
    await contract.interaction(third, async ({ url }) => send(url, third));
    const written = await readPact(contract.write() ?? '');
    expect(written.interactions.map((i: { description: string }) => i.description)).toEqual([
      'get product p-1',
      'get unknown product',
    ]);
  });

  it('merges each write into the file on disk and writes nothing when nothing is pending', async () => {
    const [first, second] = httpSpecs as [HttpInteractionSpec, HttpInteractionSpec];
    const one = httpContract({ consumer: 'ui', provider: 'shop', pactDir: dir });
    await one.interaction(first, async ({ url }) => send(url, first));
    // The same interaction passed twice is written once.
    await one.interaction(first, async ({ url }) => send(url, first));
    expect(one.write()).toBe(path.join(dir, 'ui-shop.json'));
    expect(one.write()).toBeUndefined();
    const other = httpContract({ consumer: 'ui', provider: 'shop', pactDir: dir });
    await other.interaction(second, async ({ url }) => send(url, second));
    expect(writePendingPacts()).toEqual([path.join(dir, 'ui-shop.json')]);
    expect(writePendingPacts()).toEqual([]);
    const written = await readPact(path.join(dir, 'ui-shop.json'));
    expect(written.interactions.map((i: { description: string }) => i.description).sort()).toEqual([
      'create an order',
      'get product p-1',
    ]);
  });

  it('writes the other contracts when one cannot write, then reports that one', async () => {
    const [first] = httpSpecs as [HttpInteractionSpec];
    // A pact folder that is a file: the core cannot write there.
    const blocked = path.join(dir, 'not-a-folder');
    await writeFile(blocked, 'x');
    const broken = httpContract({ consumer: 'ui', provider: 'blocked', pactDir: blocked });
    const fine = httpContract({ consumer: 'ui', provider: 'shop', pactDir: dir });
    await broken.interaction(first, async ({ url }) => send(url, first));
    await fine.interaction(first, async ({ url }) => send(url, first));
    expect(() => writePendingPacts()).toThrow(`cannot write the pact file ${path.join(blocked, 'ui-blocked.json')}`);
    expect(existsSync(path.join(dir, 'ui-shop.json'))).toBe(true);
    // The failed contract's interactions stay pending; once its folder can be made, they are written.
    await rm(blocked);
    expect(broken.write()).toBe(path.join(blocked, 'ui-blocked.json'));
  });

  it('writes the pending interactions when a plain Node process exits', async () => {
    const script = [
      `import { httpContract } from ${JSON.stringify(path.resolve('dist/contracts/index.js'))};`,
      `const c = httpContract({ consumer: 'script', provider: 'shop', pactDir: ${JSON.stringify(dir)} });`,
      `await c.interaction({ description: 'ping', request: { method: 'GET', path: '/ping' }, response: { status: 204 } },`,
      '  async ({ url }) => { await (await fetch(`${url}/ping`)).arrayBuffer(); });',
    ].join('\n');
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
      child.once('error', reject);
      child.once('close', resolve);
    });
    expect(code).toBe(0);
    const written = await readPact(path.join(dir, 'script-shop.json'));
    expect(written.interactions.map((i: { description: string }) => i.description)).toEqual(['ping']);
  });
});

describe('messageContract writes the pact once', () => {
  const messageSpecs: MessageSpec[] = [
    {
      description: 'an order.created event',
      states: [{ name: 'an order was accepted', params: { customerId: 'c-1' } }],
      content: { type: 'order.created', orderId: Matchers.uuid(), totalCents: Matchers.integer(9980) },
      routingKey: 'orders.created',
    },
    { description: 'an order.cancelled event', content: { type: 'order.cancelled' }, topic: 'orders' },
  ];

  it('writes the same pact file as pact-js writing after every test', async () => {
    const oldDir = path.join(dir, 'old');
    const pact = new PactV4({ consumer: 'mailer', provider: 'orders', dir: oldDir, logLevel: 'error' });
    for (const spec of messageSpecs) {
      let builder = pact.addAsynchronousInteraction();
      for (const state of spec.states ?? []) builder = builder.given(state.name, state.params as never);
      const metadata: Record<string, unknown> = { contentType: 'application/json' };
      if (spec.routingKey !== undefined) metadata.routingKey = spec.routingKey;
      if (spec.topic !== undefined) metadata.topic = spec.topic;
      await builder
        .expectsToReceive(spec.description, (b) => {
          b.withJSONContent(spec.content).withMetadata(metadata as never);
        })
        .executeTest(async () => undefined);
    }
    const contract = messageContract({ consumer: 'mailer', provider: 'orders', pactDir: path.join(dir, 'new') });
    for (const spec of messageSpecs) await contract.expect(spec, async () => undefined);
    await expect(
      contract.expect({ description: 'a broken handler', content: { type: 'x' } }, async () => {
        throw new Error('handler broke');
      }),
    ).rejects.toThrow('handler broke');
    const written = await readPact(contract.write() ?? '');
    expect(written.interactions).toHaveLength(messageSpecs.length);
    expect(written).toEqual(await readPact(path.join(oldDir, 'mailer-orders.json')));
  });
});
