import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueKafka, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { type LagReading, LagSampler } from '../../src/chaos/runner/consumer-lag.js';
import { waitFor } from '../support/net.js';
import { serviceUrls } from '../support/services.js';
import { anOrder, timedJson } from './shop-support.js';

// The shop's Kafka half against the real broker: orders publishes order.created
// (key = order id, correlation header) and notifications consumes it in its
// group. A crash of notifications in the middle of processing (SIGKILL while
// one message is being sent) loses nothing when it commits after processing,
// and loses exactly that message in the at-most-once variant (commit before).
const { RABBITMQ_URL, KAFKA_BROKERS } = serviceUrls();
const names = uniqueKafka('shop-kafka');
const kafka = new Kafka({ clientId: 'shop-kafka-test', brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING });
let shop: Shop;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'msav-shop-kafka-'));
  shop = await startShop({
    rabbitmqUrl: RABBITMQ_URL,
    messaging: uniqueMessaging('shop-kafka'),
    kafka: { brokers: KAFKA_BROKERS, ...names },
    env: { notifications: { NOTIFICATIONS_SENT_FILE: path.join(dir, 'sent-1.jsonl'), LOG_LEVEL: 'debug' } },
  });
}, 60_000);
afterAll(async () => {
  await shop?.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([names.group]).catch(() => {});
  await admin.deleteTopics({ topics: [names.topic] }).catch(() => {});
  await admin.disconnect();
});

async function placeOrders(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder('p-1', 1) });
    expect(r.status).toBe(201);
    ids.push(String(r.body.id));
  }
  return ids;
}

function sentIds(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { orderId: string }).orderId);
}

function processingLines(): string[] {
  return shop
    .logTail('notifications')
    .split('\n')
    .filter((l) => l.includes('"processing order.created"'));
}

/** Waits until the group's committed offset reached the end of the topic (nothing left to consume). */
async function waitCaughtUp(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(async () => {
      const [end] = await admin.fetchTopicOffsets(names.topic);
      const [group] = await admin.fetchOffsets({ groupId: names.group, topics: [names.topic] });
      return group!.partitions[0]!.offset === end!.high;
    }, 30_000);
  } finally {
    await admin.disconnect();
  }
}

/** Places orders, crashes notifications while it processes the second, restarts it with `env`. */
async function crashDuringSecond(sentFile: string, env: Record<string, string>): Promise<string[]> {
  await shop.stopService('notifications');
  await shop.startService('notifications', {
    NOTIFICATIONS_SENT_FILE: sentFile,
    NOTIFICATIONS_SEND_MS: '1500',
    ...env,
  });
  const before = processingLines().length;
  const ids = await placeOrders(4);
  await waitFor(() => processingLines().length >= before + 2, 20_000);
  await shop.crashService('notifications');
  await shop.startService('notifications', { NOTIFICATIONS_SEND_MS: '50' });
  await waitCaughtUp();
  // Caught up means committed; with commit-before the last ones may still be in processing.
  await waitFor(() => ids.slice(2).every((id) => sentIds(sentFile).includes(id)), 20_000);
  return ids;
}

describe('the shop over Kafka', () => {
  it('publishes order.created keyed by order id with the correlation header, and notifications processes it', async () => {
    const consumer = kafka.consumer({ groupId: `${names.group}-probe` });
    const seen: { key: string; correlation: string; contentType: string; body: { orderId?: string } }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [names.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({
          key: message.key?.toString() ?? '',
          correlation: message.headers?.['x-correlation-id']?.toString() ?? '',
          contentType: message.headers?.['content-type']?.toString() ?? '',
          body: JSON.parse(message.value?.toString() ?? '{}') as { orderId?: string },
        });
      },
    });
    try {
      const created = await timedJson(`${shop.urls.gateway}/api/orders`, {
        body: anOrder('p-2', 3),
        headers: { 'x-correlation-id': 'kafka-format-1' },
      });
      expect(created.status).toBe(201);
      const id = String(created.body.id);
      await waitFor(() => seen.some((m) => m.key === id), 20_000);
      const m = seen.find((s) => s.key === id)!;
      expect(m).toMatchObject({ correlation: 'kafka-format-1', contentType: 'application/json' });
      expect(m.body).toMatchObject({ type: 'order.created', orderId: id, totalCents: 7470 });
      await waitFor(async () => (await timedJson(`${shop.urls.notifications}/api/notifications/${id}`)).status === 200);
      const n = await timedJson(`${shop.urls.notifications}/api/notifications/${id}`);
      expect(n.body).toMatchObject({ orderId: id, correlationId: 'kafka-format-1' });
    } finally {
      await consumer.disconnect();
      await kafka
        .admin()
        .deleteGroups([`${names.group}-probe`])
        .catch(() => {});
    }
  }, 60_000);

  it("the chaos runner's lag sampler reads the group's lag back to 0; an absent broker gives named failed reads", async () => {
    const readings: LagReading[] = [];
    const target = { name: 'n', consumer: 'notifications', brokers: [KAFKA_BROKERS], ...names, everyMs: 200 };
    const sampler = new LagSampler([target], (r) => readings.push(...r));
    await placeOrders(3);
    await waitCaughtUp();
    await waitFor(() => readings.at(-1)?.lag === 0, 10_000);
    const [series] = await sampler.stop();
    expect(series!.points.length).toBeGreaterThan(0);
    expect(series!.points.at(-1)).toMatchObject({ lag: 0 });
    expect(series!.points.at(-1)!.end).toBeGreaterThanOrEqual(3);
    // Negative: nothing listens on the broker address; every read fails, and the series says why.
    const absent = new LagSampler([{ ...target, brokers: ['127.0.0.1:1'] }]);
    await sleep(500);
    const [none] = await absent.stop();
    expect(none!.points).toEqual([]);
    expect(none!.failedReads?.count).toBeGreaterThan(0);
    expect(none!.failedReads?.first).toMatch(/ECONNREFUSED|Connection error/);
  });

  it('commit after processing: a crash in the middle loses nothing and sends each notification once', async () => {
    const file = path.join(dir, 'sent-after.jsonl');
    const ids = await crashDuringSecond(file, {});
    const sent = sentIds(file);
    for (const id of ids)
      expect(
        sent.filter((s) => s === id),
        `order ${id}`,
      ).toHaveLength(1);
  }, 90_000);

  it('commit before processing (NOTIFICATIONS_COMMIT=before): the message being processed at the crash is lost', async () => {
    const file = path.join(dir, 'sent-before.jsonl');
    const ids = await crashDuringSecond(file, { NOTIFICATIONS_COMMIT: 'before' });
    const sent = sentIds(file);
    expect(sent).toContain(ids[0]);
    expect(sent, 'the order whose processing the crash interrupted').not.toContain(ids[1]);
    expect(sent).toEqual(expect.arrayContaining([ids[2], ids[3]]));
  }, 90_000);
});
