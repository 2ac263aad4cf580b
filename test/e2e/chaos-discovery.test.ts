// Faults placed through the registry: the shop runs with SHOP_DISCOVERY=etcd
// (real etcd from scripts/services, each run under its own key prefix), and the
// chaos/discovery-*.yaml scenarios re-point products' entry at the run's proxy
// without restarting anything. They pass when orders follows the registry
// (ORDERS_DISCOVERY=watch) and fail, naming the cached address, when orders
// resolved once at start. Whatever happens, including SIGINT, SIGTERM and
// SIGKILL in the middle of the fault, the registry ends exactly as it was
// (key, value, lease, create revision of every entry under the prefix).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, type ShopOptions, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { ToxiproxyClient } from '../../src/chaos/toxiproxy/client.js';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import { EtcdClient } from '../../src/core/discovery/etcd-client.js';
import type { ChaosRunResult, ExpectationVerdict } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';
import { etcdUrl as etcdUrlOf, registrySnapshot } from '../support/etcd.js';
import { freePort, waitFor } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';

const SCENARIOS = ['chaos/discovery-products-slow.yaml', 'chaos/discovery-products-down.yaml'];

let toxiproxy: ManagedToxiproxy;
let work: string;
let config: string;
let etcdUrl: string;
let rabbitmqUrl: string;

beforeAll(async () => {
  etcdUrl = etcdUrlOf();
  rabbitmqUrl = serviceUrls().RABBITMQ_URL;
  toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-chaos-discovery-'));
  config = path.join(work, 'msa-verify.config.yaml');
  await writeFile(
    config,
    `version: 1\ntoxiproxy: { url: "${toxiproxy.url}" }\nchaos: { journalDir: "${path.join(work, 'journal')}", maxDuration: 2m }\n`,
  );
});

afterAll(async () => {
  await toxiproxy?.stop();
});

const registry = (prefix: string): Promise<string[]> => registrySnapshot(etcdUrl, prefix);

async function discoveryShop(
  name: string,
  ordersMode: 'watch' | 'once',
  env: ShopOptions['env'] = {},
): Promise<{ shop: Shop; prefix: string }> {
  const prefix = `/msav-e2e-${name}-${process.pid}-${Date.now().toString(36)}/`;
  const shop = await startShop({
    rabbitmqUrl,
    messaging: uniqueMessaging(`discovery-${name}`),
    discovery: { etcdUrl, prefix, ordersMode },
    env,
  });
  return { shop, prefix };
}

function env(prefix: string, listen: string): Record<string, string> {
  return { ETCD_URL: etcdUrl, SHOP_DISCOVERY_PREFIX: prefix, PRODUCTS_PROXY_LISTEN: listen, MSAV_DEBUG: '1' };
}

/** Where orders last moved products to, from its `following it` log lines. */
function lastFollowed(shop: Shop): string | undefined {
  const moves = shop
    .logTail('orders')
    .split('\n')
    .filter((l) => l.includes('registry entry changed; following it'))
    .map((l) => (JSON.parse(l) as { to?: string }).to);
  return moves.at(-1);
}

const verdicts = (r: ChaosRunResult | undefined): ExpectationVerdict[] => r?.phases.flatMap((p) => p.verdicts) ?? [];
const failures = (r: ChaosRunResult | undefined): string =>
  verdicts(r)
    .filter((v) => !v.passed)
    .map((v) => `${v.phase}/${v.type}: ${v.message}`)
    .join('\n');

async function runScenarios(prefix: string, name: string) {
  const report = path.join(work, `${name}.json`);
  const listen = `127.0.0.1:${await freePort()}`;
  const r = await runCli(['chaos', 'run', ...SCENARIOS, '--config', config, '--json', report], {
    env: env(prefix, listen),
    timeoutMs: 120_000,
  });
  const results = existsSync(report)
    ? (JSON.parse(await readFile(report, 'utf8')) as { results: ChaosRunResult[] }).results
    : [];
  return { ...r, results };
}

describe('faults placed by re-pointing the registry (SHOP_DISCOVERY=etcd)', () => {
  it('pass on the shop whose orders follows the registry, restarting nothing, and the registry ends as it began', async () => {
    const { shop, prefix } = await discoveryShop('watch', 'watch');
    try {
      const before = await registry(prefix);
      expect(before).toHaveLength(4);
      const r = await runScenarios(prefix, 'watch');
      expect(
        r.results.map((x) => x.scenario),
        r.stderr,
      ).toEqual(['discovery-products-slow', 'discovery-products-down']);
      for (const result of r.results) {
        expect(result.passed, failures(result)).toBe(true);
        expect(result.rolledBack).toBe(true);
        const path = verdicts(result).find((v) => v.type === 'on-path');
        expect(path?.passed).toBe(true);
        expect(verdicts(result).find((v) => v.type === 'registry-path')?.passed).toBe(true);
      }
      expect(r.code, r.stderr.split('\n').slice(-15).join('\n')).toBe(0);
      expect(r.stderr).toMatch(/registry entry \/msav-e2e-watch-\S+\/services\/products has lease \d+/);
      expect(await registry(prefix)).toEqual(before);
      // The same processes serve on: orders follows the restored entry back to products (its watch
      // event may arrive a moment after the CLI exited, on a loaded machine).
      const products = { url: shop.urls.products }; // what its registry entry names
      await waitFor(() => lastFollowed(shop) === products.url, 10_000).catch(() => {
        throw new Error(`orders did not follow products back to ${products.url}:\n${shop.logTail('orders')}`);
      });
      const order = await fetch(`${shop.urls.orders}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: 'c-1', items: [{ productId: 'p-1', quantity: 1 }] }),
      });
      expect(order.status).toBe(201);
    } finally {
      await shop.stop();
    }
  });

  it('fail on the shop whose orders resolved products once, saying it kept the old address', async () => {
    const { shop, prefix } = await discoveryShop('once', 'once');
    try {
      const before = await registry(prefix);
      const products = { url: shop.urls.products }; // what its registry entry names
      const r = await runScenarios(prefix, 'once');
      expect(r.code, r.stderr.split('\n').slice(-15).join('\n')).toBe(1);
      expect(r.results).toHaveLength(2);
      for (const result of r.results) {
        expect(result.passed).toBe(false);
        expect(result.rolledBack).toBe(true);
        const path = verdicts(result).find((v) => v.type === 'on-path');
        expect(path?.passed, failures(result)).toBe(false);
        expect(path?.message).toContain(
          `yet the caller kept calling ${new URL(products.url).host}: it does not follow the registry`,
        );
        expect(r.stdout).toContain(`FAIL ${path?.name}: observed 0`);
      }
      expect(await registry(prefix)).toEqual(before);
    } finally {
      await shop.stop();
    }
  });

  it('the registry is exactly as before after SIGINT, SIGTERM (at once) and SIGKILL (within 10 s) during the fault', async () => {
    const { shop, prefix } = await discoveryShop('interrupt', 'watch');
    const client = new ToxiproxyClient(toxiproxy.url);
    const key = `${prefix}services/products`;
    try {
      const before = await registry(prefix);
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
        const listen = `127.0.0.1:${await freePort()}`;
        const file = path.join(work, `interrupt-${signal}.yaml`);
        await writeFile(file, longScenario(signal.toLowerCase(), listen, key));
        const run = startRun(file, env(prefix, listen));
        const exited = once(run.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
        await waitFor(async () => {
          const proxies = (await client.listProxies()).filter((p) => p.name.startsWith('msav-'));
          return proxies.some((p) => p.toxics.length > 0) && (await registry(prefix)).some((l) => l.includes(listen));
        }, 20_000).catch(() => {
          throw new Error(`${signal}: the fault phase never started:\n${run.output()}`);
        });
        await sleep(300 + Math.round(Math.random() * 1000));
        expect(await registry(prefix)).not.toEqual(before);
        run.child.kill(signal);
        const [code] = await exited;
        if (signal === 'SIGKILL') {
          await waitFor(async () => JSON.stringify(await registry(prefix)) === JSON.stringify(before), 10_000).catch(
            async () => {
              throw new Error(`SIGKILL: registry not restored within 10 s:\n${(await registry(prefix)).join('\n')}`);
            },
          );
        } else {
          expect(code, run.output()).toBe(signal === 'SIGINT' ? 130 : 143);
          expect(await registry(prefix), run.output()).toEqual(before);
        }
        await waitFor(async () => (await client.listProxies()).every((p) => !p.name.startsWith('msav-')), 10_000);
      }
    } finally {
      await shop.stop();
    }
  });

  it('a lease that expires mid-run: products registers again, the run re-points the new entry, passes, and leaves the new registration', async () => {
    // A 3 s lease: products' keepalive notices the loss within about a second.
    const { shop, prefix } = await discoveryShop('lease', 'watch', { products: { SHOP_DISCOVERY_TTL: '3' } });
    const etcd = new EtcdClient(etcdUrl);
    const key = `${prefix}services/products`;
    try {
      const original = (await etcd.get(key))!;
      const listen = `127.0.0.1:${await freePort()}`;
      const file = path.join(work, 'lease.yaml');
      await writeFile(file, longScenario('lease', listen, key, '8s'));
      const run = startRun(file, env(prefix, listen));
      const exited = once(run.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      await waitFor(async () => (await etcd.get(key))?.value.includes(listen) === true, 20_000);
      await sleep(2000);
      await fetch(`${etcdUrl}/v3/lease/revoke`, { method: 'POST', body: JSON.stringify({ ID: original.lease }) });
      const [code] = await exited;
      expect(code, run.output()).toBe(0);
      expect(run.output()).toMatch(
        /registry entry \S+\/services\/products was registered again by its owner \(lease \d+\); re-pointed it/,
      );
      expect(run.output()).toMatch(
        /ok +registry entry \S+ points at proxy products: .*re-pointed again 1 time\(s\) .*deleted/,
      );
      // Restored to the registration products made during the run: same value, the new, live lease.
      const after = (await etcd.get(key))!;
      expect(after.value).toBe(original.value);
      expect(after.lease).not.toBe(original.lease);
      expect(await etcd.leaseTtl(after.lease)).toBeGreaterThan(0);
      expect(shop.logTail('products')).toContain('registry lease lost; registering again');
    } finally {
      await shop.stop();
    }
  });

  it('validate rejects a registry placement without a discovery upstream: exit 2, file and field named', async () => {
    const file = path.join(work, 'bad.yaml');
    const text = longScenario('bad', '127.0.0.1:18999', '/x').replace(
      /upstream:\n\s+discovery:\n\s+etcd: .*\n\s+key: .*\n/,
      'upstream: 127.0.0.1:8082\n',
    );
    await writeFile(file, text);
    const r = await runCli(['validate', file, '--config', config]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toMatch(
      /bad\.yaml:\d+:\d+\s+proxies\.0\.placement\s+placement registry needs upstream/,
    );
  });
});

/** A scenario whose fault lasts long enough to be interrupted. */
function longScenario(name: string, listen: string, key: string, fault = '20s'): string {
  return `version: 1
name: interrupt-${name}
proxies:
  - name: products
    listen: "${listen}"
    upstream:
      discovery:
        etcd: { url: "${etcdUrl}" }
        key: ${key}
    placement: registry
load:
  target:
    discovery:
      etcd: { url: "${etcdUrl}" }
      key: ${key.replace(/products$/, 'orders')}
  rate: 10
  timeout: 3s
  requests:
    - { method: POST, path: /api/orders, body: { customerId: c-1, items: [{ productId: p-1, quantity: 1 }] } }
phases:
  - { name: warm, kind: steady, duration: 500ms }
  - name: broken
    kind: fault
    duration: ${fault}
    faults:
      - { proxy: products, type: latency, latency: 200ms }
  - { name: back, kind: recovery, duration: 1s, within: 1s }
`;
}

function startRun(file: string, extra: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'dist/cli/main.js'), 'chaos', 'run', file, '--config', config],
    { cwd: work, env: { ...process.env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return { child, output: () => text };
}
