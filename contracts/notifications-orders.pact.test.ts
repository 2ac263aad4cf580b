import { Kafka, logLevel } from 'kafkajs';
import { Matchers, messageContract } from 'msa-verify/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedService, startService } from './support/service.ts';

// notifications ← orders (Kafka record order.created on topic shop.orders,
// key = order id). The consumer is the real notifications service: the example
// record is produced, with its key and headers, to a private topic that
// notifications consumes in a private group, and notifications must send the
// notification under the record's correlation id. traceparent comes only with
// the instrument preload, so only x-correlation-id is required.
const contract = messageContract({
  consumer: 'notifications',
  provider: 'orders',
  correlation: { header: 'x-correlation-id', traceparent: false },
});
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const id = `msav-contracts-${process.pid}-${Date.now().toString(36)}`;
const names = { topic: `${id}.orders`, group: `${id}.notifications` };
const kafka = new Kafka({ clientId: 'contracts-notifications', brokers: [brokers], logLevel: logLevel.NOTHING });
let notifications: StartedService;

beforeAll(async () => {
  notifications = await startService('notifications', {
    KAFKA_BROKERS: brokers,
    SHOP_KAFKA_TOPIC: names.topic,
    SHOP_NOTIFICATIONS_GROUP: names.group,
  });
}, 60_000);
afterAll(async () => {
  await notifications?.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([names.group]).catch(() => {});
  await admin.deleteTopics({ topics: [names.topic] }).catch(() => {});
  await admin.disconnect();
});

describe('notifications ← orders (Kafka)', () => {
  it('sends a notification for order.created', async () => {
    await contract.expect(
      {
        description: 'an order.created record on Kafka',
        states: [{ name: 'an order was accepted', params: { customerId: 'c-1', productId: 'p-1', quantity: 2 } }],
        content: {
          type: 'order.created',
          orderId: Matchers.uuid('5b4b1c0e-0000-4000-8000-00000000000b'),
          customerId: Matchers.string('c-1'),
          items: Matchers.eachLike({
            productId: Matchers.string('p-1'),
            quantity: Matchers.integer(2),
            unitPriceCents: Matchers.integer(4990),
          }),
          totalCents: Matchers.integer(9980),
          currency: Matchers.string('EUR'),
          createdAt: Matchers.iso8601DateTimeWithMillis('2026-11-29T10:00:00.000Z'),
        },
        topic: 'shop.orders',
        key: Matchers.uuid('5b4b1c0e-0000-4000-8000-00000000000b'),
      },
      async ({ content, metadata }) => {
        const { contentType, topic: _topic, key, ...headers } = metadata as Record<string, string>;
        const producer = kafka.producer();
        await producer.connect();
        try {
          await producer.send({
            topic: names.topic,
            acks: -1,
            messages: [
              {
                key: String(key),
                value: JSON.stringify(content),
                headers: { ...headers, 'content-type': String(contentType) },
              },
            ],
          });
        } finally {
          await producer.disconnect();
        }
        const orderId = (content as { orderId: string }).orderId;
        expect(key).toBe(orderId);
        let body: { orderId?: string; correlationId?: string } = {};
        for (let i = 0; i < 100; i++) {
          const res = await fetch(`${notifications.url}/api/notifications/${orderId}`);
          if (res.status === 200) {
            body = (await res.json()) as typeof body;
            break;
          }
          await res.body?.cancel();
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(body.orderId).toBe(orderId);
        expect(body.correlationId).toBe(metadata['x-correlation-id']);
      },
    );
  });
});
