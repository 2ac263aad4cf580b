// The gRPC hop under faults: chaos/grpc-*.yaml put a Toxiproxy proxy between
// orders and customers (gRPC) and drive HTTP orders through orders. They pass
// against the resilient shop and fail, on the right expectation with the
// observed value against the bound, against the variants without a deadline,
// without any policy, and with the retry storm. Real shop, a private real
// Toxiproxy, real RabbitMQ; the CLI runs as a user runs it. The variants run at
// the same time, each with its own shop and its own Toxiproxy (the scenarios
// name the proxy): their load is 10 orders a second each.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'vitest';
import { startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import type { ChaosRunResult } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { startPrivateToxiproxy } from '../support/private-toxiproxy.js';
import { serviceUrls } from '../support/services.js';

type Variant = 'resilient' | 'naive' | 'no-deadline' | 'storm';
const VARIANT_ENV: Record<Variant, Record<string, string>> = {
  resilient: {},
  naive: { ORDERS_RESILIENCE: 'off' },
  'no-deadline': { ORDERS_CUSTOMERS_DEADLINE: 'off' },
  storm: { ORDERS_CUSTOMERS_RETRY: 'storm' },
};
const SCENARIOS: Record<Variant, string[]> = {
  resilient: ['grpc-slow', 'grpc-down'],
  naive: ['grpc-slow', 'grpc-down'],
  // Without a deadline only a slow customers hurts (a refused connection fails at once).
  'no-deadline': ['grpc-slow'],
  storm: ['grpc-slow', 'grpc-down'],
};
// What must fail: scenario -> [phase, expectation type, message pattern].
const EXPECTED_FAILURES: Record<Exclude<Variant, 'resilient'>, Record<string, [string, string, RegExp]>> = {
  naive: {
    'grpc-slow': [
      'customers-slow',
      'timeout',
      /slowest response \d[\d.]*s at the client: above the timeout budget of 1s/,
    ],
    'grpc-down': [
      'customers-down',
      'fallback',
      /degraded responses \(0%\) were the documented 503 .*circuit_open.*below 70%/,
    ],
  },
  'no-deadline': {
    'grpc-slow': [
      'customers-slow',
      'timeout',
      /slowest response \d[\d.]*s at the client: above the timeout budget of 1s/,
    ],
  },
  storm: {
    'grpc-slow': [
      'customers-slow',
      'fallback',
      /degraded responses \(0%\) were the documented 503 .*circuit_open.*below 60%/,
    ],
    'grpc-down': [
      'customers-down',
      'fallback',
      /degraded responses \(0%\) were the documented 503 .*circuit_open.*below 70%/,
    ],
  },
};

describe.concurrent('gRPC chaos scenarios against the example shop', () => {
  for (const variant of ['resilient', 'naive', 'no-deadline', 'storm'] as const) {
    it(`grpc scenarios: ${variant} shop`, async ({ expect, onTestFinished }) => {
      const chaos = await startPrivateToxiproxy(`msav-chaos-grpc-${variant}-`);
      onTestFinished(() => chaos.toxiproxy.stop());
      const listen = `127.0.0.1:${await freePort()}`;
      const shop = await startShop({
        rabbitmqUrl: serviceUrls().RABBITMQ_URL,
        env: { orders: { CUSTOMERS_ADDR: listen, ...VARIANT_ENV[variant] } },
        messaging: uniqueMessaging(`chaos-grpc-${variant}`),
      });
      try {
        const report = path.join(chaos.work, `${variant}.json`);
        const files = SCENARIOS[variant].map((s) => `chaos/${s}.yaml`);
        const r = await runCli(['chaos', 'run', ...files, '--config', chaos.config, '--json', report], {
          env: {
            TOXIPROXY_URL: chaos.toxiproxy.url,
            CUSTOMERS_PROXY_LISTEN: listen,
            SHOP_ORDERS_URL: shop.urls.orders,
            SHOP_CUSTOMERS_ADDR: shop.grpc.customers,
          },
          timeoutMs: 150_000,
        });
        const results = existsSync(report)
          ? (JSON.parse(await readFile(report, 'utf8')) as { results: ChaosRunResult[] }).results
          : [];
        const failures = (x: ChaosRunResult | undefined) =>
          (x?.phases ?? [])
            .flatMap((p) => p.verdicts)
            .filter((v) => !v.passed)
            .map((v) => `${v.phase}/${v.type}: ${v.message}`)
            .join('\n');
        expect(
          results.map((x) => x.scenario),
          r.stderr,
        ).toEqual(SCENARIOS[variant]);
        for (const result of results) expect(result.rolledBack).toBe(true);
        if (variant === 'resilient') {
          for (const result of results) expect(result.passed, failures(result)).toBe(true);
          expect(r.code).toBe(0);
          return;
        }
        expect(r.code).toBe(1);
        for (const [scenario, [phase, type, message]] of Object.entries(EXPECTED_FAILURES[variant])) {
          const result = results.find((x) => x.scenario === scenario);
          expect(result?.passed).toBe(false);
          const failed = result?.phases.find((p) => p.name === phase)?.verdicts.find((v) => v.type === type);
          expect(failed?.passed, failures(result)).toBe(false);
          expect(failed?.message).toMatch(message);
          expect(failed?.observed).not.toBeNull();
        }
      } finally {
        await shop.stop();
      }
    }, 200_000);
  }
});
