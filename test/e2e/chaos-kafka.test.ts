// Kafka under broker faults, judged by `delivered`: the Kafka scenarios pass
// against the resilient shop (idempotent acks:-1 outbox, commit after
// processing) and fail, with the lost count, against the fire-and-forget
// producer (ORDERS_KAFKA_PRODUCER=unsafe). Real shop with the preload (spans to
// Jaeger), real Kafka behind a private Toxiproxy on the broker's PROXIED
// listener (advertised at KAFKA_PROXY_LISTEN), the CLI as a user runs it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startShop, uniqueKafka, uniqueMessaging } from '../../examples/shop/launcher.ts';
import type { ChaosRunResult, ExpectationVerdict } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';
import { usePrivateToxiproxy } from '../support/private-toxiproxy.js';
import { serviceUrls } from '../support/services.js';

const env = serviceUrls();
const KAFKA_PROXY_LISTEN = env.KAFKA_PROXY_LISTEN ?? '127.0.0.1:19094';
const KAFKA_PROXIED_UPSTREAM = env.KAFKA_PROXIED_UPSTREAM ?? '127.0.0.1:9094';
const JAEGER_URL = env.JAEGER_URL ?? 'http://127.0.0.1:16686';
const JAEGER_OTLP = env.JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces';

const chaos = usePrivateToxiproxy('msav-chaos-kafka-');

async function runKafkaScenario(
  file: string,
  ordersEnv: Record<string, string>,
  name: string,
  notificationsEnv: Record<string, string> = {},
) {
  const shop = await startShop({
    rabbitmqUrl: env.RABBITMQ_URL,
    preload: true,
    tracesEndpoint: JAEGER_OTLP,
    messaging: uniqueMessaging(`chaos-${name}`),
    // Both Kafka clients bootstrap at the proxy's address, which the run creates.
    kafka: { brokers: KAFKA_PROXY_LISTEN, ...uniqueKafka(`chaos-${name}`), waitReady: false },
    env: { orders: ordersEnv, notifications: notificationsEnv },
  });
  // With NOTIFICATIONS_CRASH_AT, notifications dies during the run: bring it back, as a supervisor would.
  let restarts = 0;
  let running = true;
  const supervise = (async () => {
    while (running && notificationsEnv.NOTIFICATIONS_CRASH_AT) {
      const alive = await fetch(`${shop.urls.notifications}/health`).then(
        () => true,
        () => false,
      );
      if (!alive && running) {
        await shop.stopService('notifications');
        await shop.startService('notifications', { NOTIFICATIONS_CRASH_AT: '0' });
        restarts += 1;
      }
      await sleep(200);
    }
  })();
  try {
    const report = path.join(chaos.work, `${name}.json`);
    const r = await runCli(['chaos', 'run', file, '--config', chaos.config, '--json', report], {
      env: {
        TOXIPROXY_URL: chaos.toxiproxy.url,
        SHOP_ORDERS_URL: shop.urls.orders,
        KAFKA_PROXY_LISTEN,
        KAFKA_PROXIED_UPSTREAM,
        JAEGER_URL,
      },
      timeoutMs: 150_000,
    });
    const results = existsSync(report)
      ? (JSON.parse(await readFile(report, 'utf8')) as { results: ChaosRunResult[] }).results
      : [];
    running = false;
    await supervise;
    return {
      ...r,
      restarts,
      result: results[0],
      logs: `${shop.logTail('orders')}\n${shop.logTail('notifications')}`,
    };
  } finally {
    running = false;
    await shop.stop();
  }
}

function delivered(result: ChaosRunResult | undefined): ExpectationVerdict[] {
  return result?.phases.flatMap((p) => p.verdicts).filter((v) => v.type === 'delivered') ?? [];
}

describe('Kafka scenarios judged by delivered', () => {
  it('kafka-cut: the resilient shop loses nothing', async () => {
    const r = await runKafkaScenario('chaos/kafka-cut.yaml', {}, 'kafka-cut-resilient');
    const verdicts = delivered(r.result);
    expect(verdicts.length, r.stdout + r.stderr + r.logs).toBeGreaterThan(1);
    expect(verdicts[0]!.message, r.stdout + r.stderr + r.logs).toMatch(/^published \d+, processed \d+, lost 0/);
    expect(r.result?.passed, r.stdout).toBe(true);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok   every accepted order processed by notifications (phase kafka-cut)');
  }, 180_000);

  it('kafka-cut: the fire-and-forget producer (ORDERS_KAFKA_PRODUCER=unsafe) fails with the lost count', async () => {
    const r = await runKafkaScenario('chaos/kafka-cut.yaml', { ORDERS_KAFKA_PRODUCER: 'unsafe' }, 'kafka-cut-unsafe');
    const [total] = delivered(r.result);
    expect(total, r.stdout + r.stderr).toBeDefined();
    expect(total!.passed, total!.message).toBe(false);
    expect(total!.observed).toBeGreaterThan(0);
    expect(total!.message).toMatch(/lost [1-9]\d* \(e\.g\. /);
    const cut = delivered(r.result).find((v) => v.name.includes('(phase kafka-cut)'));
    expect(cut?.passed, cut?.message).toBe(false);
    expect(r.code).toBe(1);
  }, 180_000);

  it('kafka-reset: the resilient shop loses nothing', async () => {
    const r = await runKafkaScenario('chaos/kafka-reset.yaml', {}, 'kafka-reset-resilient');
    const [total] = delivered(r.result);
    expect(total?.passed, `${total?.message}\n${r.stdout}${r.stderr}${r.logs}`).toBe(true);
    expect(r.code, r.stdout).toBe(0);
  }, 180_000);

  // notifications crashes (exit 70) while it sends its 25th notification, during the run, and is restarted.
  const CRASH = { NOTIFICATIONS_CRASH_AT: '25', NOTIFICATIONS_SEND_MS: '20' };

  it('kafka-cut with a consumer crash: committing after processing loses nothing', async () => {
    const r = await runKafkaScenario('chaos/kafka-cut.yaml', {}, 'kafka-crash-after', CRASH);
    expect(r.restarts, r.logs).toBe(1);
    const [total] = delivered(r.result);
    expect(total?.passed, `${total?.message}\n${r.stdout}${r.logs}`).toBe(true);
  }, 180_000);

  it('kafka-cut with a consumer crash: the at-most-once consumer (NOTIFICATIONS_COMMIT=before) fails with lost 1', async () => {
    const r = await runKafkaScenario('chaos/kafka-cut.yaml', {}, 'kafka-crash-before', {
      ...CRASH,
      NOTIFICATIONS_COMMIT: 'before',
    });
    expect(r.restarts, r.logs).toBe(1);
    const [total] = delivered(r.result);
    expect(total?.passed, `${total?.message}\n${r.stdout}`).toBe(false);
    expect(total?.observed).toBe(1);
    expect(total?.message).toMatch(/lost 1 \(e\.g\. [0-9a-f-]{36}\)/);
    expect(r.code).toBe(1);
  }, 180_000);
});
