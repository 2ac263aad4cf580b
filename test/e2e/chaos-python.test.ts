// Faults on the Python hop: Toxiproxy between orders (Node) and inventory
// (Python, FastAPI), judged on orders' behaviour as its callers see it.
// chaos/inventory-slow.yaml and chaos/inventory-down.yaml pass against the
// resilient shop and fail, on the right expectation, against the naive orders
// (ORDERS_RESILIENCE=off). Real shop, real Toxiproxy (a private one), real RabbitMQ.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import type { ChaosRunResult } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { usePrivateToxiproxy } from '../support/private-toxiproxy.js';
import { serviceUrls } from '../support/services.js';

const SCENARIOS = ['chaos/inventory-slow.yaml', 'chaos/inventory-down.yaml'];

const chaos = usePrivateToxiproxy('msav-chaos-python-');

async function runVariant(variant: 'resilient' | 'naive') {
  const listen = `127.0.0.1:${await freePort()}`;
  await using shop = await startShop({
    rabbitmqUrl: serviceUrls().RABBITMQ_URL,
    inventory: true,
    env: {
      orders: { INVENTORY_URL: `http://${listen}`, ...(variant === 'naive' ? { ORDERS_RESILIENCE: 'off' } : {}) },
    },
    messaging: uniqueMessaging(`chaos-python-${variant}`),
    logDir: path.join(chaos.work, variant),
  });
  // A service that just started is not in its steady state yet (Python builds its
  // request models and opens its products connection on the first request): one
  // reservation straight to inventory first.
  const warm = await fetch(`${shop.urls.inventory}/api/reservations/warm-up-${variant}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ productId: 'p-1', quantity: 1 }] }),
  });
  expect(warm.status).toBe(201);
  const report = path.join(chaos.work, `${variant}.json`);
  const r = await runCli(['chaos', 'run', ...SCENARIOS, '--config', chaos.config, '--json', report], {
    env: {
      TOXIPROXY_URL: chaos.toxiproxy.url,
      INVENTORY_PROXY_LISTEN: listen,
      SHOP_ORDERS_URL: shop.urls.orders,
      SHOP_INVENTORY_URL: shop.urls.inventory!,
    },
    timeoutMs: 150_000,
  });
  const results = existsSync(report)
    ? (JSON.parse(await readFile(report, 'utf8')) as { results: ChaosRunResult[] }).results
    : [];
  return { ...r, results };
}

const failures = (result: ChaosRunResult | undefined) =>
  (result?.phases.flatMap((p) => p.verdicts) ?? []).filter((v) => !v.passed);

describe('chaos on the Python hop (orders → inventory)', () => {
  it('the resilient shop passes both scenarios, and the faults are rolled back', async () => {
    const r = await runVariant('resilient');
    expect(
      r.results.map((x) => [x.scenario, x.passed, x.rolledBack]),
      r.results.map((x) => failures(x).map((v) => `${v.phase}/${v.type}: ${v.message}`)).join('\n') + r.stderr,
    ).toEqual([
      ['inventory-slow', true, true],
      ['inventory-down', true, true],
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS inventory-slow .* rolled back/);
  });

  it('the naive orders fails: no timeout on the slow hop, no breaker when inventory is down', async () => {
    const r = await runVariant('naive');
    expect(r.code, r.stderr.split('\n').slice(-15).join('\n')).toBe(1);
    expect(r.results.map((x) => [x.scenario, x.passed, x.rolledBack])).toEqual([
      ['inventory-slow', false, true],
      ['inventory-down', false, true],
    ]);
    const slow = failures(r.results[0]).find((v) => v.phase === 'inventory-slow' && v.type === 'timeout');
    expect(slow?.message).toMatch(/slowest response \d[\d.]*s at the client: above the timeout budget of 3s/);
    const down = failures(r.results[1]).find((v) => v.phase === 'inventory-down' && v.type === 'fallback');
    expect(down?.message).toMatch(
      /degraded responses \(0%\) were the documented 503 .*inventory_unavailable.*circuit_open.*below 80%/,
    );
  });
});
