// The core proof that `msa-verify chaos` works: each scenario in chaos/ passes
// against the resilient shop and fails, on the right expectation and with a
// clear message, against the naive (ORDERS_RESILIENCE=off) and retry-storm
// (ORDERS_RETRY_STORM=on) variants. Real shop, real Toxiproxy (a private one,
// started here), real RabbitMQ; the CLI runs as a user runs it.
//
// The variants of a scenario run at the same time, each with its own shop and
// its own Toxiproxy (the scenario files name the proxies): their load is 10
// orders a second each, and their bounds are in hundreds of milliseconds.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import type { ChaosRunResult, ExpectationVerdict } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { type PrivateToxiproxy, startPrivateToxiproxy, usePrivateToxiproxy } from '../support/private-toxiproxy.js';
import { serviceUrls } from '../support/services.js';

const PRODUCT_SCENARIOS = ['chaos/products-slow.yaml', 'chaos/products-reset.yaml', 'chaos/products-down.yaml'];

const chaos = usePrivateToxiproxy('msav-chaos-shop-');
let rabbitmqUrl: string;

beforeAll(() => {
  rabbitmqUrl = serviceUrls().RABBITMQ_URL;
});

async function runScenarios(files: string[], env: Record<string, string>, name: string, on: PrivateToxiproxy = chaos) {
  const report = path.join(on.work, `${name}.json`);
  const r = await runCli(['chaos', 'run', ...files, '--config', on.config, '--json', report], {
    env: { TOXIPROXY_URL: on.toxiproxy.url, MSAV_DEBUG: '1', ...env },
    timeoutMs: 150_000,
  });
  const results = existsSync(report)
    ? (JSON.parse(await readFile(report, 'utf8')) as { results: ChaosRunResult[] }).results
    : [];
  return { ...r, results };
}

function verdicts(result: ChaosRunResult | undefined): ExpectationVerdict[] {
  return result?.phases.flatMap((p) => p.verdicts) ?? [];
}

function describeFailures(result: ChaosRunResult | undefined): string {
  return verdicts(result)
    .filter((v) => !v.passed)
    .map((v) => `${v.phase}/${v.type}: ${v.message}`)
    .join('\n');
}

type Variant = 'resilient' | 'naive' | 'storm';
const VARIANT_ENV: Record<Variant, Record<string, string>> = {
  resilient: {},
  naive: { ORDERS_RESILIENCE: 'off' },
  storm: { ORDERS_RETRY_STORM: 'on' },
};

// What must fail, per variant and scenario: [phase, expectation type, message pattern].
const EXPECTED_FAILURES: Record<Exclude<Variant, 'resilient'>, Record<string, [string, string, RegExp]>> = {
  naive: {
    'products-slow': [
      'products-slow',
      'timeout',
      /slowest response \d[\d.]*s at the client: above the timeout budget of 3s/,
    ],
    'products-reset': [
      'products-resetting',
      'circuit-breaker',
      /the caller kept calling the dependency: .* calls per request/,
    ],
    'products-down': [
      'products-down',
      'fallback',
      /degraded responses \(0%\) were the documented 503 .*circuit_open.*below 80%/,
    ],
  },
  storm: {
    'products-slow': ['products-slow', 'circuit-breaker', /the caller kept calling the dependency/],
    'products-reset': ['products-resetting', 'retry', /= \d+(\.\d+)? attempts per request, above the bound of 3/],
    'products-down': ['products-down', 'fallback', /were the documented 503 .*below 80%/],
  },
};

describe('chaos scenarios against the example shop', () => {
  describe.concurrent('products scenarios', () => {
    for (const variant of ['resilient', 'naive', 'storm'] as const) {
      it(`products scenarios: ${variant} shop`, async ({ expect, onTestFinished }) => {
        const own = await startPrivateToxiproxy(`msav-chaos-shop-${variant}-`);
        onTestFinished(() => own.toxiproxy.stop());
        const listen = `127.0.0.1:${await freePort()}`;
        const shop = await startShop({
          rabbitmqUrl,
          env: { orders: { PRODUCTS_URL: `http://${listen}`, ...VARIANT_ENV[variant] } },
          messaging: uniqueMessaging(`chaos-${variant}`),
        });
        try {
          const r = await runScenarios(
            PRODUCT_SCENARIOS,
            {
              PRODUCTS_PROXY_LISTEN: listen,
              SHOP_ORDERS_URL: shop.urls.orders,
              SHOP_PRODUCTS_URL: shop.urls.products,
            },
            variant,
            own,
          );
          expect(
            r.results.map((x) => x.scenario),
            r.stderr,
          ).toEqual(['products-slow', 'products-reset', 'products-down']);
          for (const result of r.results) expect(result.rolledBack).toBe(true);
          if (variant === 'resilient') {
            for (const result of r.results) expect(result.passed, describeFailures(result)).toBe(true);
            expect(r.code, r.stderr.split('\n').slice(-15).join('\n')).toBe(0);
            expect(r.stdout).toMatch(/PASS products-slow .* rolled back/);
            return;
          }
          expect(r.code, r.stderr.split('\n').slice(-15).join('\n')).toBe(1);
          for (const [scenario, [phase, type, message]] of Object.entries(EXPECTED_FAILURES[variant])) {
            const result = r.results.find((x) => x.scenario === scenario);
            expect(result?.passed).toBe(false);
            const failed = verdicts(result).filter((v) => !v.passed);
            const hit = failed.find((v) => v.phase === phase && v.type === type);
            expect(
              hit,
              `${variant}/${scenario}: expected ${type} to fail; failures:\n${describeFailures(result)}`,
            ).toBeDefined();
            expect(hit?.message).toMatch(message);
            expect(r.stdout).toContain(`FAIL ${hit?.name}: observed`);
          }
        } finally {
          await shop.stop();
        }
      });
    }
  });

  describe.concurrent("products-reset with traces: attempts and backoff come from orders' client spans", () => {
    for (const variant of ['resilient', 'storm'] as const) {
      it(`${variant} shop`, async ({ expect, onTestFinished }) => {
        const own = await startPrivateToxiproxy(`msav-chaos-traces-${variant}-`);
        onTestFinished(() => own.toxiproxy.stop());
        const listen = `127.0.0.1:${await freePort()}`;
        const tracesFile = path.join(chaos.work, `traces-${variant}.jsonl`);
        const shop = await startShop({
          rabbitmqUrl,
          preload: true,
          env: {
            orders: {
              PRODUCTS_URL: `http://${listen}`,
              MSA_VERIFY_TRACES_FILE: tracesFile,
              OTEL_BSP_SCHEDULE_DELAY: '200',
              OTEL_SERVICE_NAME: 'orders',
              ...VARIANT_ENV[variant],
            },
          },
          messaging: uniqueMessaging(`chaos-traces-${variant}`),
        });
        try {
          const r = await runScenarios(
            ['chaos/products-reset.yaml'],
            {
              PRODUCTS_PROXY_LISTEN: listen,
              SHOP_ORDERS_URL: shop.urls.orders,
              SHOP_PRODUCTS_URL: shop.urls.products,
              MSA_VERIFY_TRACES_FILE: tracesFile,
            },
            `traces-${variant}`,
            own,
          );
          const retry = verdicts(r.results[0]).find((v) => v.type === 'retry');
          if (variant === 'resilient') {
            expect(retry?.passed, `${retry?.message}\n${r.stderr}`).toBe(true);
            expect(retry?.message).toMatch(/at most [123] attempts per request, smallest backoff \d+(\.\d+)?ms/);
            expect(r.code).toBe(0);
          } else {
            expect(retry?.passed).toBe(false);
            expect(retry?.message).toMatch(/a request made \d+ attempts, above the bound of 3 .*from client spans/);
          }
        } finally {
          await shop.stop();
        }
      });
    }
  });

  // Orders keeps its connections to products open (fetch's keep-alive pool), so
  // fail-first meets no new connection unless the open ones are cut at its start.
  describe.concurrent('products-keepalive: without cutConnections the fail-first reaches nobody and the run says so; with it, resilient passes and naive and storm fail', () => {
    const cases: { variant: Variant; cut: boolean }[] = [
      { variant: 'resilient', cut: false },
      { variant: 'resilient', cut: true },
      { variant: 'naive', cut: true },
      { variant: 'storm', cut: true },
    ];
    for (const { variant, cut } of cases) {
      it(`${variant} shop, cutConnections ${cut}`, async ({ expect, onTestFinished }) => {
        const own = await startPrivateToxiproxy(`msav-chaos-keepalive-${variant}-${cut}-`);
        onTestFinished(() => own.toxiproxy.stop());
        const listen = `127.0.0.1:${await freePort()}`;
        const shop = await startShop({
          rabbitmqUrl,
          env: { orders: { PRODUCTS_URL: `http://${listen}`, ...VARIANT_ENV[variant] } },
          messaging: uniqueMessaging(`chaos-keepalive-${variant}`),
        });
        try {
          const r = await runScenarios(
            ['chaos/products-keepalive.yaml'],
            {
              PRODUCTS_PROXY_LISTEN: listen,
              SHOP_ORDERS_URL: shop.urls.orders,
              SHOP_PRODUCTS_URL: shop.urls.products,
              PRODUCTS_CUT_CONNECTIONS: String(cut),
            },
            `keepalive-${variant}-${cut}`,
            own,
          );
          const result = r.results[0];
          expect(result?.rolledBack, r.stderr).toBe(true);
          const failed = verdicts(result).filter((v) => !v.passed);
          const reach = verdicts(result).find((v) => v.type === 'fault-reach' && v.phase === 'first-connections-fail');
          // No fault outlives its phase: the latency phase opens new connections and none is reset.
          const slow = verdicts(result).find((v) => v.phase === 'products-slow' && v.type === 'error-rate');
          expect(slow?.passed, `${variant}/${cut}: ${describeFailures(result)}`).toBe(true);
          if (!cut) {
            expect(r.code).toBe(1);
            expect(reach?.passed).toBe(false);
            expect(reach?.message).toMatch(
              /^fail-first: 0 of 4 connections used; the caller reuses pooled connections \(\d+ request\(s\) crossed proxy "products" on \d+ connection\(s\) opened before the fault\): set cutConnections: true on the phase\.$/,
            );
            expect(r.stdout).toContain('FAIL fail-first on products reached the callers: observed 0 connections');
            return;
          }
          expect(reach?.passed, `${variant}: ${reach?.message}`).toBe(true);
          expect(reach?.message).toMatch(
            /^fail-first: 4 of 4 connections reset; \d+ open connection\(s\) were cut at its start\.$/,
          );
          if (variant === 'resilient') {
            expect(result?.passed, describeFailures(result)).toBe(true);
            expect(r.code).toBe(0);
          } else if (variant === 'naive') {
            expect(r.code).toBe(1);
            expect(
              failed.map((v) => `${v.phase}/${v.type}`),
              describeFailures(result),
            ).toContain('first-connections-fail/error-rate');
          } else {
            expect(r.code).toBe(1);
            const retry = failed.find((v) => v.phase === 'products-resetting' && v.type === 'retry');
            expect(retry?.message, describeFailures(result)).toMatch(/attempts per request, above the bound of 3/);
          }
        } finally {
          await shop.stop();
        }
      });
    }
  });

  it('rabbitmq-cut: orders keep accepting and every accepted order is delivered; lost deliveries fail it', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    const broker = new URL(rabbitmqUrl);
    const viaProxy = `amqp://${broker.username}:${broker.password}@${listen}`;
    // With the preload, exporting to Jaeger: `delivered` reads delivery's consumer spans there.
    const traced = {
      preload: true,
      tracesEndpoint: serviceUrls().JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces',
    };
    const shop = await startShop({
      rabbitmqUrl,
      ...traced,
      env: { orders: { RABBITMQ_URL: viaProxy } },
      messaging: uniqueMessaging('chaos-rabbit'),
    });
    try {
      const env = {
        RABBITMQ_PROXY_LISTEN: listen,
        RABBITMQ_ADDR: `${broker.hostname}:${broker.port || '5672'}`,
        SHOP_ORDERS_URL: shop.urls.orders,
        SHOP_DELIVERY_URL: shop.urls.delivery,
        JAEGER_URL: serviceUrls().JAEGER_URL ?? 'http://127.0.0.1:16686',
      };
      const ok = await runScenarios(['chaos/rabbitmq-cut.yaml'], env, 'rabbit-ok');
      const result = ok.results[0];
      expect(result?.passed, `${describeFailures(result)}\n${ok.stderr}`).toBe(true);
      const faultPhase = result?.phases.find((p) => p.name === 'rabbitmq-cut');
      expect(faultPhase?.requests).toBeGreaterThan(20);
      expect(verdicts(result).find((v) => v.type === 'accepted-visible')?.message).toMatch(
        /all \d+ accepted ids became visible/,
      );
      // Orders' AMQP connection went through the proxy's tap, so the cut was on its path.
      const onPath = verdicts(result).find((v) => v.type === 'on-path');
      expect(onPath).toMatchObject({ phase: 'rabbitmq-cut', passed: true });
      expect(onPath?.observed).toBeGreaterThanOrEqual(1);
      expect(verdicts(result).find((v) => v.type === 'delivered')?.message).toMatch(
        /^published \d+, processed \d+, lost 0/,
      );
      expect(ok.code).toBe(0);

      // Negative: orders publishes without outbox and confirms; what it published during the cut is lost.
      const naive = await startShop({
        rabbitmqUrl,
        ...traced,
        env: { orders: { RABBITMQ_URL: viaProxy, ORDERS_RABBIT_PUBLISH: 'fire-and-forget' } },
        messaging: uniqueMessaging('chaos-rabbit-naive'),
      });
      try {
        const forgot = await runScenarios(
          ['chaos/rabbitmq-cut.yaml'],
          {
            ...env,
            SHOP_ORDERS_URL: naive.urls.orders,
            SHOP_DELIVERY_URL: naive.urls.delivery,
            DELIVERY_WITHIN: '5s',
            DELIVERED_WITHIN: '5s',
          },
          'rabbit-naive',
        );
        expect(forgot.code).toBe(1);
        const [total] = verdicts(forgot.results[0]).filter((v) => v.type === 'delivered');
        expect(total?.passed, total?.message).toBe(false);
        expect(total?.observed).toBeGreaterThan(0);
        expect(total?.message).toMatch(/lost [1-9]\d* \(e\.g\. /);
        const cut = verdicts(forgot.results[0]).find((v) => v.name.endsWith('(phase rabbitmq-cut)'));
        expect(cut?.passed, cut?.message).toBe(false);
      } finally {
        await naive.stop();
      }

      // Negative: delivery is gone, so accepted orders never show up there.
      await shop.stopService('delivery');
      const lost = await runScenarios(['chaos/rabbitmq-cut.yaml'], { ...env, DELIVERY_WITHIN: '3s' }, 'rabbit-lost');
      expect(lost.code).toBe(1);
      const miss = verdicts(lost.results[0]).find((v) => v.type === 'accepted-visible');
      expect(miss?.passed).toBe(false);
      expect(miss?.message).toMatch(
        /^\d+ of \d+ accepted ids were not visible at .*\/api\/deliveries\/\{id\} after 3s/,
      );
    } finally {
      await shop.stop();
    }
  });
});
