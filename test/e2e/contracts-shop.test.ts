import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueKafka, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { startProductsFixture } from '../fixtures/contracts/providers.js';
import { type CliResult, runCli } from '../support/cli.js';
import { ROOT, serviceUrls } from '../support/services.js';

// `msa-verify contracts` on the example shop, as a user runs it from the
// repository root: consumer tests (real gateway/orders/delivery against Pact
// mocks) write pacts, then the real services (started by the shop launcher)
// are verified, orders' message over the real RabbitMQ and the real Kafka
// (topic shop.orders, the pact's; notifications in a group of its own), and the
// Python inventory with the provider states it serves itself.

const rabbitmqUrl = serviceUrls().RABBITMQ_URL;
let shop: Shop;
let pactDir: string;
let out: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const messaging = uniqueMessaging('msav-contracts');
  shop = await startShop({
    rabbitmqUrl,
    messaging,
    inventory: true,
    kafka: { brokers: serviceUrls().KAFKA_BROKERS, group: uniqueKafka('msav-contracts').group },
  });
  pactDir = await mkdtemp(path.join(os.tmpdir(), 'msav-shop-pacts-'));
  out = await mkdtemp(path.join(os.tmpdir(), 'msav-shop-out-'));
  env = {
    MSAV_PACT_DIR: pactDir,
    RABBITMQ_URL: rabbitmqUrl,
    SHOP_EXCHANGE: messaging.exchange,
    SHOP_GATEWAY_URL: shop.urls.gateway,
    SHOP_ORDERS_URL: shop.urls.orders,
    SHOP_PRODUCTS_URL: shop.urls.products,
    SHOP_DELIVERY_URL: shop.urls.delivery,
    SHOP_INVENTORY_URL: shop.urls.inventory!,
    SHOP_CUSTOMERS_ADDR: shop.grpc.customers,
    PUSHGATEWAY_URL: serviceUrls().PUSHGATEWAY_URL,
    KAFKA_BROKERS: serviceUrls().KAFKA_BROKERS,
  };
});
afterAll(async () => {
  await shop?.stop();
});

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(['contracts', ...args], { cwd: ROOT, env: { ...env, ...extra }, timeoutMs: 120_000 });

describe('msa-verify contracts on the example shop', () => {
  it('passes: every pair verified against the real services', async () => {
    const junit = path.join(out, 'shop.xml');
    const r = await cli(['--junit', junit]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const pair of [
      '✓ gateway → orders (http)  3/3',
      '✓ orders → products (http)  2/2',
      '✓ gateway → products (http)  2/2',
      '✓ delivery → orders (transport)  1/1',
      '✓ orders → inventory (http)  2/2',
      '✓ notifications → orders (transport)  1/1',
      '✓ orders → customers (grpc)  3/3',
    ]) {
      expect(r.stdout).toContain(pair);
    }
    expect(await readFile(junit, 'utf8')).toContain('delivery');
    const metrics = await (await fetch(`${serviceUrls().PUSHGATEWAY_URL}/metrics`)).text();
    expect(metrics).toMatch(/msa_verify_contract_pair_passed\{[^}]*consumer="delivery"[^}]*\} 1/);
  });

  it('exits 1 naming interaction and field when products renames a field', async () => {
    await using broken = await startProductsFixture('renamed-field');
    const r = await cli(['verify', '--provider', 'products'], { SHOP_PRODUCTS_URL: broken.url });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ gateway → products');
    expect(r.stdout).toContain('interaction "get product p-1"');
    expect(r.stdout).toContain('priceCents');
  });

  it('exits 3 when a provider is stopped', async () => {
    await shop.stopService('products');
    try {
      const r = await cli(['verify', '--provider', 'products']);
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stderr).toContain('provider products is unreachable');
    } finally {
      await shop.startService('products');
    }
  });
});
