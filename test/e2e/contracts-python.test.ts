// The cross-language contract loop, both ways, with real services:
//   Python consumer → Node provider: the pact-python test of inventory (run
//     with pytest from the project's venv) writes inventory-products.json;
//     `msa-verify contracts verify` verifies it against the real Node products,
//     and fails, naming interaction and field, against a products that renamed
//     the field inventory reads.
//   Node consumer → Python provider: orders' pact verified against the real
//     FastAPI inventory, whose provider states go to the state-change endpoint
//     it serves; without that endpoint, every interaction fails naming its state.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedService, startService } from '../../contracts/support/service.ts';
import { PYTHON_VENV } from '../../examples/shop/service-process.ts';
import { runCli } from '../support/cli.js';
import { ROOT } from '../support/services.js';

let work: string;
let products: StartedService;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-contracts-python-'));
  products = await startService('products', {});
});
afterAll(async () => {
  await products?.stop();
});

function pytest(pactDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(PYTHON_VENV, 'bin/python'),
      ['-m', 'pytest', '-q', 'contracts/python'],
      { cwd: ROOT, env: { ...process.env, MSA_VERIFY_PACT_DIR: pactDir }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** A products that renamed `id` to `productId` in its list answer (a real server, the broken provider). */
async function renamedIdProducts(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const ids = new URL(req.url ?? '/', 'http://x').searchParams.get('ids')?.split(',') ?? [];
    res.writeHead(200, { 'content-type': 'application/json' });
    const known = ids.filter((id) => /^p-[1-5]$/.test(id));
    res.end(
      JSON.stringify({ items: known.map((id) => ({ productId: id, name: 'x', priceCents: 1, currency: 'EUR' })) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('Python consumer (pact-python) → Node provider', () => {
  let pactDir: string;
  beforeAll(async () => {
    pactDir = path.join(work, 'python-pacts');
  });

  it('pytest writes the pact; msa-verify verifies it against the real products', async () => {
    const run = await pytest(pactDir);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/^3 passed/m);
    const pact = JSON.parse(await readFile(path.join(pactDir, 'inventory-products.json'), 'utf8')) as {
      consumer: { name: string };
      provider: { name: string };
      interactions: { description: string }[];
      metadata: { pactSpecification: { version: string } };
    };
    expect([pact.consumer.name, pact.provider.name]).toEqual(['inventory', 'products']);
    expect(pact.metadata.pactSpecification.version).toBe('4.0');
    expect(pact.interactions.map((i) => i.description).sort()).toEqual([
      'list catalogue product p-1',
      'list catalogue product p-9, which does not exist',
    ]);

    const r = await runCli(['contracts', 'verify', '--provider', 'products'], {
      env: { MSAV_PACT_DIR: pactDir, SHOP_PRODUCTS_URL: products.url },
      timeoutMs: 120_000,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ inventory → products (http)  2/2');
  });

  it('exits 1 naming interaction and field when products renames the field inventory reads', async () => {
    const broken = await renamedIdProducts();
    try {
      const r = await runCli(['contracts', 'verify', '--provider', 'products'], {
        env: { MSAV_PACT_DIR: pactDir, SHOP_PRODUCTS_URL: broken.url },
        timeoutMs: 120_000,
      });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toContain('✗ inventory → products');
      expect(r.stdout).toContain('interaction "list catalogue product p-1"');
      expect(r.stdout).toContain(
        'body.items[0].id: missing key "id" (the response has: currency, name, priceCents, productId)',
      );
    } finally {
      await broken.close();
    }
  });
});

describe('Node consumer → Python provider (FastAPI inventory)', () => {
  let pactDir: string;
  beforeAll(async () => {
    pactDir = await mkdtemp(path.join(work, 'node-pacts-'));
    await copyFile(
      path.join(ROOT, 'contracts/pacts/orders-inventory.json'),
      path.join(pactDir, 'orders-inventory.json'),
    );
  });

  // Verifies orders' pact against a real inventory, with or without its state-change endpoint.
  const verify = async (states: 'on' | 'off') => {
    await using inventory = await startService('inventory', {
      PRODUCTS_URL: products.url,
      INVENTORY_PROVIDER_STATES: states,
    });
    // Awaited here: the inventory must live until the run ends.
    return await runCli(['contracts', 'verify', '--provider', 'inventory'], {
      env: { MSAV_PACT_DIR: pactDir, SHOP_INVENTORY_URL: inventory.url },
      timeoutMs: 120_000,
    });
  };

  it('passes with the provider states served by inventory', async () => {
    const r = await verify('on');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ orders → inventory (http)  2/2');
  });

  it('fails naming the state when inventory does not serve its state-change endpoint', async () => {
    const r = await verify('off');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ orders → inventory');
    expect(r.stdout).toContain('state-change URL answered 404 to setup of provider state "stock is available"');
  });
});
