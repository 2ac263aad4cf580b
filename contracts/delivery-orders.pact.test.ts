import amqp from 'amqplib';
import { Matchers, messageContract } from 'msa-verify/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateMessaging, rabbitmqUrl, type StartedService, startService } from './support/service.ts';

// delivery ← orders (message order.created). The consumer is the real delivery
// service: the example message is published, with its routing key and headers,
// to a private exchange that delivery consumes, and delivery must schedule it
// under the message's correlation id. traceparent comes only with the
// instrument preload, so only x-correlation-id is required.
const contract = messageContract({
  consumer: 'delivery',
  provider: 'orders',
  correlation: { header: 'x-correlation-id', traceparent: false },
});
const names = privateMessaging('msav-contracts');
let delivery: StartedService;

beforeAll(async () => {
  delivery = await startService('delivery', {
    RABBITMQ_URL: rabbitmqUrl,
    SHOP_EXCHANGE: names.exchange,
    SHOP_DELIVERY_QUEUE: names.queue,
  });
});
afterAll(async () => {
  await delivery?.stop();
  const connection = await amqp.connect(rabbitmqUrl);
  const channel = await connection.createChannel();
  await channel.deleteQueue(names.queue);
  await channel.deleteExchange(names.exchange);
  await connection.close();
});

describe('delivery ← orders', () => {
  it('schedules a delivery for order.created', async () => {
    await contract.expect(
      {
        description: 'an order.created event',
        states: [{ name: 'an order was accepted', params: { customerId: 'c-1', productId: 'p-1', quantity: 2 } }],
        content: {
          type: 'order.created',
          orderId: Matchers.uuid('5b4b1c0e-0000-4000-8000-00000000000a'),
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
        routingKey: 'orders.created',
      },
      async ({ content, metadata }) => {
        const connection = await amqp.connect(rabbitmqUrl);
        try {
          const channel = await connection.createConfirmChannel();
          const { contentType, routingKey, ...headers } = metadata as Record<string, string>;
          channel.publish(names.exchange, String(routingKey), Buffer.from(JSON.stringify(content)), {
            contentType,
            headers,
          });
          await channel.waitForConfirms();
        } finally {
          await connection.close();
        }
        const orderId = (content as { orderId: string }).orderId;
        let body: { status?: string; correlationId?: string } = {};
        for (let i = 0; i < 50; i++) {
          const res = await fetch(`${delivery.url}/api/deliveries/${orderId}`);
          if (res.status === 200) {
            body = (await res.json()) as typeof body;
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(body.status).toBe('scheduled');
        expect(body.correlationId).toBe(metadata['x-correlation-id']);
      },
    );
  });
});
