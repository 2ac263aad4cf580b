// DNS SRV as the second discovery mechanism: the shop's launcher runs a real
// dnsmasq (Debian's dnsmasq-base) on a loopback port with an SRV record per
// service, orders (SHOP_DISCOVERY=dns) finds products through it per call, and
// msa-verify resolves `{ dns: { srv, resolver } }` load targets and upstreams
// when a run starts. Negative: orders pointed at a DNS server that does not
// answer cannot price orders (503), and an unknown SRV name is exit 3, named.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';

let shop: Shop;
let toxiproxy: ManagedToxiproxy;
let work: string;
let config: string;

beforeAll(async () => {
  toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  shop = await startShop({ rabbitmqUrl: serviceUrls().RABBITMQ_URL, messaging: uniqueMessaging('dns'), dns: {} });
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-chaos-dns-'));
  config = path.join(work, 'msa-verify.config.yaml');
  await writeFile(
    config,
    `version: 1\ntoxiproxy: { url: "${toxiproxy.url}" }\nchaos: { journalDir: "${path.join(work, 'journal')}" }\n`,
  );
});

afterAll(async () => {
  await shop?.stop();
  await toxiproxy?.stop();
});

const order = (base: string) =>
  fetch(`${base}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'c-1', items: [{ productId: 'p-1', quantity: 1 }] }),
  });

function scenario(srv: string): string {
  const resolver = shop.dns?.server ?? '';
  return `version: 1
name: dns-steady
proxies:
  - name: products
    listen: "127.0.0.1:${PROXY_PORT}"
    upstream: { dns: { srv: _products._tcp.shop.test, resolver: "${resolver}" } }
load:
  target: { dns: { srv: ${srv}, resolver: "${resolver}" } }
  rate: 10
  requests:
    - { method: POST, path: /api/orders, body: { customerId: c-1, items: [{ productId: p-1, quantity: 1 }] } }
phases:
  - name: steady
    kind: steady
    duration: 1s
    expect:
      - { type: error-rate, max: 0% }
`;
}
let PROXY_PORT = 0;

describe('DNS SRV discovery', () => {
  it('orders finds products through the SRV record of the shop DNS server', async () => {
    expect(shop.dns?.domain).toBe('shop.test');
    const res = await order(shop.urls.orders);
    expect(res.status).toBe(201);
    expect(shop.logTail('orders')).toMatch(
      new RegExp(`"srv":"_products._tcp.shop.test".*"url":"${shop.urls.products}".*resolved through DNS SRV`),
    );
  });

  it('orders cannot price orders when its DNS server does not answer (it really depends on DNS)', async () => {
    await shop.stopService('orders');
    try {
      await shop.startService('orders', { SHOP_DNS_SERVER: `127.0.0.1:${await freePort()}` });
      const res = await order(shop.urls.orders);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'products_unavailable' });
    } finally {
      await shop.stopService('orders');
      await shop.startService('orders', { SHOP_DNS_SERVER: shop.dns?.server ?? '' });
    }
    expect((await order(shop.urls.orders)).status).toBe(201);
  });

  it('msa-verify resolves dns load targets and upstreams when the run starts', async () => {
    PROXY_PORT = await freePort();
    const file = path.join(work, 'dns.yaml');
    await writeFile(file, scenario('_orders._tcp.shop.test'));
    const plan = await runCli(['chaos', 'run', file, '--config', config, '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`upstream the target of SRV _products._tcp.shop.test on ${shop.dns?.server}`);
    const r = await runCli(['chaos', 'run', file, '--config', config], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASS dns-steady/);
  });

  it('an unknown SRV name is exit 3, naming the field, the name and the server', async () => {
    PROXY_PORT = await freePort();
    const file = path.join(work, 'dns-unknown.yaml');
    await writeFile(file, scenario('_nothing._tcp.shop.test'));
    const r = await runCli(['chaos', 'run', file, '--config', config], { timeoutMs: 60_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      new RegExp(`load\\.target: SRV lookup of _nothing\\._tcp\\.shop\\.test on ${shop.dns?.server} failed: ENOTFOUND`),
    );
  });
});
