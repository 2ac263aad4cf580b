// `msa-verify trace` across Node and Python: the shop with its Python inventory
// (FastAPI under OpenTelemetry's opentelemetry-instrument, exporting OTLP/HTTP
// to the real Jaeger like the Node services' preload). One order is followed
// gateway → orders → inventory → products; the inventory variant that does not
// forward x-correlation-id (INVENTORY_FORWARD_CORRELATION=off) fails naming
// the hop inventory → products.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import type { TraceCheckResult } from '../../src/core/trace-results.js';
import { runCli } from '../support/cli.js';
import { serviceUrls } from '../support/services.js';

const JAEGER = process.env.JAEGER_URL ?? 'http://127.0.0.1:16686';
const OTLP = process.env.JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces';
const CHECK = 'traces/order-inventory.yaml';

let work: string;
let logDir: string;
let shop: Shop;
let env: Record<string, string>;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-trace-python-'));
  logDir = path.join(work, 'logs');
  shop = await startShop({
    rabbitmqUrl: serviceUrls().RABBITMQ_URL,
    preload: true,
    inventory: true,
    tracesEndpoint: OTLP,
    messaging: uniqueMessaging('trace-python'),
    logDir,
  });
  env = { SHOP_GATEWAY_URL: shop.urls.gateway, SHOP_LOG_DIR: logDir, JAEGER_URL: JAEGER };
});
afterAll(async () => {
  await shop?.stop();
});

async function trace(name: string) {
  const json = path.join(work, `${name}.json`);
  const r = await runCli(['trace', CHECK, '--json', json], { env, timeoutMs: 90_000 });
  const results = (
    JSON.parse(await readFile(json, 'utf8').catch(() => '{"results":[]}')) as { results: TraceCheckResult[] }
  ).results;
  return { ...r, result: results[0] };
}

describe('msa-verify trace through the Python inventory', () => {
  it('follows one order from the Node gateway through Python and on to products', async () => {
    const r = await trace('good');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = r.result!;
    expect(result.passed).toBe(true);
    const spans = result.spans.map((s) => `${s.depth}:${s.service}:${s.kind}`);
    // gateway server → gateway client → orders server → orders client → inventory server
    // → inventory client (httpx) → products server: Python's spans in the middle of the tree.
    expect(spans).toEqual(
      expect.arrayContaining(['0:gateway:server', '2:orders:server', '4:inventory:server', '6:products:server']),
    );
    expect(spans).toContain('5:inventory:client');
    expect(result.verdicts.filter((v) => v.rule === 'hop').map((v) => [v.name, v.passed])).toEqual([
      ['gateway → orders', true],
      ['orders → inventory', true],
      ['inventory → products', true],
    ]);
    expect(result.verdicts.find((v) => v.rule === 'correlation')).toMatchObject({ passed: true });
    // Python's own JSON log lines carry the trace and the correlation ID.
    expect(result.verdicts.find((v) => v.rule === 'logs')).toMatchObject({ passed: true });
    const lines = (await readFile(path.join(logDir, 'inventory.log'), 'utf8'))
      .split('\n')
      .filter((l) => l.includes(result.traceId!));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({
        service: 'inventory',
        trace_id: result.traceId,
        correlation_id: result.correlationId,
      });
    }
  });

  it('an inventory that does not forward x-correlation-id fails naming inventory → products', async () => {
    await shop.stopService('inventory');
    await shop.startService('inventory', { INVENTORY_FORWARD_CORRELATION: 'off' });
    try {
      const r = await trace('no-correlation-forwarding');
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const failed = r.result!.verdicts.filter((v) => !v.passed);
      // The hops are all there (traceparent still flows); the correlation ID stops at inventory.
      expect(failed.map((v) => v.rule)).toEqual(['correlation']);
      expect(failed[0]!.message).toMatch(
        /^inventory → products: products' server span 'GET' carries correlation\.id [0-9a-f-]{36}, not the one sent, under inventory's client span 'GET' that carries it: the correlation header was not forwarded on this hop$/,
      );
      expect(r.stdout).toContain('FAIL correlation.id on every span');
      expect(r.stdout).toContain('[other correlation.id]');
    } finally {
      await shop.stopService('inventory');
      await shop.startService('inventory', { INVENTORY_FORWARD_CORRELATION: 'on' });
    }
  });
});

describe('msa-verify trace with inventory started without the auto-instrumentation', () => {
  let bare: Shop;
  beforeAll(async () => {
    bare = await startShop({
      rabbitmqUrl: serviceUrls().RABBITMQ_URL,
      preload: true,
      noPreload: ['inventory'],
      inventory: true,
      tracesEndpoint: OTLP,
      messaging: uniqueMessaging('trace-python-bare'),
      logDir: path.join(work, 'bare-logs'),
    });
  });
  afterAll(async () => {
    await bare?.stop();
  });

  it('fails naming orders → inventory: the Python service never reported a span', async () => {
    const json = path.join(work, 'bare.json');
    const r = await runCli(['trace', CHECK, '--json', json], {
      env: { SHOP_GATEWAY_URL: bare.urls.gateway, SHOP_LOG_DIR: path.join(work, 'bare-logs'), JAEGER_URL: JAEGER },
      timeoutMs: 90_000,
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const result = (JSON.parse(await readFile(json, 'utf8')) as { results: TraceCheckResult[] }).results[0]!;
    const hops = result.verdicts.filter((v) => v.rule === 'hop' && !v.passed);
    expect(hops.map((v) => v.name)).toEqual(['orders → inventory', 'inventory → products']);
    expect(hops[0]!.message).toBe(
      "orders → inventory: orders' client span 'PUT' has no server span of inventory under it; inventory never reported a span (started without the preload, or exporting elsewhere)",
    );
    expect(result.neverReported).toContain('inventory');
  });
});
