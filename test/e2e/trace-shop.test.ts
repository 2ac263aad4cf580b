// `msa-verify trace` as a user runs it, against the real shop started with the
// preload and exporting to the real Jaeger: every example in traces/ holds, and
// each shop variant that breaks propagation at one hop fails naming that hop:
//   GATEWAY_FORWARD_TRACEPARENT=off  (HTTP hop drops traceparent)   -> gateway → orders
//   ORDERS_EVENT_CORRELATION=off     (message drops the correlation header) -> orders → RabbitMQ → delivery
//   products started without the preload                            -> orders → products
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import type { TraceCheckResult } from '../../src/core/trace-results.js';
import { runCli } from '../support/cli.js';
import { ROOT, serviceUrls } from '../support/services.js';

const JAEGER = process.env.JAEGER_URL ?? 'http://127.0.0.1:16686';
const OTLP = process.env.JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces';

let work: string;
let rabbitmqUrl: string;

async function shopWith(
  name: string,
  options: { noPreload?: ('products' | 'orders' | 'gateway' | 'delivery')[]; inventory?: boolean } = {},
) {
  const logDir = path.join(work, name, 'logs');
  const shop = await startShop({
    rabbitmqUrl,
    preload: true,
    tracesEndpoint: OTLP,
    messaging: uniqueMessaging(`trace-${name}`),
    logDir,
    ...(options.noPreload ? { noPreload: options.noPreload } : {}),
    ...(options.inventory ? { inventory: true } : {}),
  });
  return { shop, logDir };
}

function envFor(shop: Shop, logDir: string): Record<string, string> {
  return {
    SHOP_GATEWAY_URL: shop.urls.gateway,
    SHOP_ORDERS_URL: shop.urls.orders,
    SHOP_PRODUCTS_URL: shop.urls.products,
    SHOP_DELIVERY_URL: shop.urls.delivery,
    SHOP_EXCHANGE: shop.messaging.exchange,
    SHOP_LOG_DIR: logDir,
    RABBITMQ_URL: rabbitmqUrl,
    JAEGER_URL: JAEGER,
  };
}

async function trace(files: string[], env: Record<string, string>, name: string, extra: string[] = []) {
  const json = path.join(work, `${name}.json`);
  const r = await runCli(['trace', ...files, '--json', json, ...extra], { env, timeoutMs: 90_000 });
  const results = (
    JSON.parse(await readFile(json, 'utf8').catch(() => '{"results":[]}')) as { results: TraceCheckResult[] }
  ).results;
  return { ...r, results };
}

beforeAll(async () => {
  rabbitmqUrl = serviceUrls().RABBITMQ_URL;
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-trace-shop-'));
});

describe('msa-verify trace against the shop and Jaeger', () => {
  let shop: Shop;
  let env: Record<string, string>;
  beforeAll(async () => {
    // With the Python inventory: traces/order-inventory.yaml follows an order through it.
    const started = await shopWith('good', { inventory: true });
    shop = started.shop;
    env = envFor(shop, started.logDir);
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('every example in traces/ holds: tree, verdicts, Jaeger URL, JSON, JUnit, HTML, Pushgateway', async () => {
    const junit = path.join(work, 'good.xml');
    const html = path.join(work, 'good.html');
    const r = await trace([], env, 'good', ['--junit', junit, '--html', html]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.results.map((x) => [x.check, x.passed])).toEqual([
      ['order-created', true],
      ['order-event', true],
      ['order-inventory', true],
      ['product-lookup', true],
    ]);
    const order = r.results[0]!;
    expect(order.traceUrl).toBe(`${JAEGER}/trace/${order.traceId}`);
    expect(order.spans.map((s) => `${s.depth}:${s.service}:${s.kind}`)).toEqual(
      expect.arrayContaining(['0:gateway:server', '2:orders:server', '4:products:server', '4:delivery:consumer']),
    );
    expect(order.verdicts.find((v) => v.rule === 'logs')).toMatchObject({ passed: true });
    expect(r.stdout).toMatch(/^PASS order-created \(traces\/order-created\.yaml\)/m);
    expect(r.stdout).toMatch(/^ {8}orders server POST/m);
    expect(r.stdout).toContain(`open: ${JAEGER}/trace/${order.traceId}`);
    expect(r.stdout).toMatch(/ok {3}orders → RabbitMQ → delivery: observed [\d.]+ms, bound <= 5s/);
    // The trace is in Jaeger under that id.
    const api = (await (await fetch(`${JAEGER}/api/traces/${order.traceId}`)).json()) as {
      data: { spans: unknown[] }[];
    };
    expect(api.data[0]?.spans.length).toBe(order.spans.length);
    expect(await readFile(junit, 'utf8')).toMatch(/<testsuite name="trace order-created" tests="\d+" failures="0"/);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('class="waterfall"');
    expect(page).toContain('Trace checks');
    const pushed = await (await fetch(`${serviceUrls().PUSHGATEWAY_URL}/metrics`)).text();
    expect(pushed).toMatch(
      /msa_verify_trace_check_passed\{check="product-lookup",instance="",job="msa-verify",kind="trace",scenario="product-lookup"\} 1/,
    );
  });

  it('an HTTP hop that drops traceparent fails naming gateway → orders', async () => {
    await shop.stopService('gateway');
    await shop.startService('gateway', { GATEWAY_FORWARD_TRACEPARENT: 'off' });
    try {
      const r = await trace(['traces/order-created.yaml'], env, 'no-traceparent');
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const failed = r.results[0]!.verdicts.filter((v) => !v.passed);
      expect(failed.map((v) => v.rule).sort()).toEqual(['hop', 'one-trace']);
      const why =
        "gateway → orders: orders' server span starts a new trace (no parent); traceparent was not propagated";
      expect(failed.find((v) => v.rule === 'hop')).toMatchObject({ name: 'gateway → orders', message: why });
      expect(r.stdout).toContain(`FAIL gateway → orders: observed n/a, bound <= 3s. ${why}`);
      expect(r.stdout).toContain('<- another trace');
    } finally {
      await shop.stopService('gateway');
      await shop.startService('gateway', { GATEWAY_FORWARD_TRACEPARENT: 'on' });
    }
  });

  it('a message hop that drops the correlation header fails naming orders → RabbitMQ → delivery', async () => {
    await shop.stopService('orders');
    await shop.startService('orders', { ORDERS_EVENT_CORRELATION: 'off' });
    try {
      const r = await trace(['traces/order-created.yaml'], env, 'no-correlation-header');
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const failed = r.results[0]!.verdicts.filter((v) => !v.passed);
      expect(failed.map((v) => v.name)).toEqual(['orders → RabbitMQ → delivery']);
      expect(failed[0]!.message).toMatch(
        /^orders → RabbitMQ → delivery: no producer span of orders in the trace; orders published in another trace \([0-9a-f]{12}…\) whose spans lack this correlation.id: the message left without the correlation header$/,
      );
      expect(r.results[0]!.neverReported).toEqual(['delivery']);
    } finally {
      await shop.stopService('orders');
      await shop.startService('orders', { ORDERS_EVENT_CORRELATION: 'on' });
    }
  });
});

describe('msa-verify trace with a service started without the preload', () => {
  let shop: Shop;
  let env: Record<string, string>;
  beforeAll(async () => {
    const started = await shopWith('no-preload', { noPreload: ['products'] });
    shop = started.shop;
    env = envFor(shop, started.logDir);
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('fails naming orders → products and says products never reported', async () => {
    const r = await trace(['traces/order-created.yaml'], env, 'no-preload');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const failed = r.results[0]!.verdicts.filter((v) => !v.passed);
    expect(failed.map((v) => v.name)).toEqual(['orders → products']);
    expect(failed[0]!.message).toBe(
      "orders → products: orders' client span 'GET' has no server span of products under it; products never reported a span (started without the preload, or exporting elsewhere)",
    );
    expect(r.stdout).toContain('no span for this request from: products');
  });
});

describe('SHOP_PRELOAD=1 examples/shop/run up sends the spans to Jaeger', () => {
  const run = (action: string, env: Record<string, string>) =>
    new Promise<string>((resolve, reject) =>
      execFile(
        path.join(ROOT, 'examples/shop/run'),
        [action],
        { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${action}: ${error.message}\n${stdout}${stderr}`)) : resolve(stdout),
      ),
    );
  let env: Record<string, string>;
  beforeAll(() => {
    // Its own run folder, free ports and exchange: tests and users on the same machine keep theirs.
    const messaging = uniqueMessaging('trace-run-up');
    env = {
      SHOP_RUN_DIR: path.join(work, 'run-up'),
      SHOP_PORTS: 'any',
      SHOP_PRELOAD: '1',
      SHOP_EXCHANGE: messaging.exchange,
      SHOP_DELIVERY_QUEUE: messaging.deliveryQueue,
    };
  });
  afterAll(async () => {
    await run('down', env).catch(() => undefined);
    // `run up` keeps its exchange and queue (a user's shop keeps its events); this test's go.
    const { default: amqp } = await import('amqplib');
    const connection = await amqp.connect(rabbitmqUrl);
    const channel = await connection.createChannel();
    await channel.deleteQueue(env.SHOP_DELIVERY_QUEUE!);
    await channel.deleteExchange(env.SHOP_EXCHANGE!);
    await connection.close();
  });

  it('so that msa-verify trace works right after it', async () => {
    const printed = await run('up', env);
    const urls = Object.fromEntries(
      printed
        .split('\n')
        .filter((l) => l.startsWith('SHOP_'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const r = await trace(['traces/product-lookup.yaml'], { ...urls, JAEGER_URL: JAEGER }, 'run-up');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.results[0]?.spans.map((s) => s.service)).toEqual(['gateway', 'gateway', 'products']);
  });
});
