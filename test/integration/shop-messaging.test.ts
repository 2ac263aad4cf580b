import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { waitFor } from '../support/net.js';
import { serviceUrls } from '../support/services.js';
import { anOrder, createProxy, timedJson } from './shop-support.js';

// orders and delivery with RabbitMQ going away: an accepted order is published
// once the broker is reachable again (outbox), and delivery reconnects and
// consumes what waited in its durable queue. The cuts are Toxiproxy proxies
// (unique names, on the shared Toxiproxy) that the test disables.
const { RABBITMQ_URL, TOXIPROXY_URL } = serviceUrls();
const broker = new URL(RABBITMQ_URL);
const brokerAddress = `${broker.hostname}:${broker.port || '5672'}`;

function viaProxy(listen: string): string {
  const url = new URL(RABBITMQ_URL);
  url.host = listen;
  return url.toString();
}

describe('shop messaging with RabbitMQ going away', () => {
  let shop: Shop;
  let ordersLink: Awaited<ReturnType<typeof createProxy>>;
  let deliveryLink: Awaited<ReturnType<typeof createProxy>>;

  beforeAll(async () => {
    ordersLink = await createProxy(TOXIPROXY_URL, 'shop-orders-amqp', brokerAddress);
    deliveryLink = await createProxy(TOXIPROXY_URL, 'shop-delivery-amqp', brokerAddress);
    shop = await startShop({
      rabbitmqUrl: RABBITMQ_URL,
      messaging: uniqueMessaging('shop-msg'),
      env: {
        orders: { RABBITMQ_URL: viaProxy(ordersLink.listen) },
        delivery: { RABBITMQ_URL: viaProxy(deliveryLink.listen) },
      },
    });
  });
  afterAll(async () => {
    await shop?.stop();
    await ordersLink?.remove();
    await deliveryLink?.remove();
  });

  async function deliveryStatus(orderId: string): Promise<number> {
    return (await timedJson(`${shop.urls.delivery}/api/deliveries/${orderId}`)).status;
  }

  it('publishes order.created in the agreed format', async () => {
    const connection = await amqp.connect(RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.bindQueue(queue, shop.messaging.exchange, 'orders.created');
      const seen: ConsumeMessage[] = [];
      await channel.consume(queue, (m) => m && seen.push(m), { noAck: true });
      const created = await timedJson(`${shop.urls.gateway}/api/orders`, {
        body: anOrder('p-2', 3),
        headers: { 'x-correlation-id': 'format-check-1' },
      });
      expect(created.status).toBe(201);
      await waitFor(() => seen.length > 0, 10_000);
      const message = seen[0]!;
      expect(message.fields.routingKey).toBe('orders.created');
      expect(message.properties.contentType).toBe('application/json');
      expect(message.properties.deliveryMode).toBe(2);
      expect(message.properties.headers?.['x-correlation-id']).toBe('format-check-1');
      expect(JSON.parse(message.content.toString())).toEqual({
        type: 'order.created',
        orderId: created.body.id,
        customerId: created.body.customerId,
        items: [{ productId: 'p-2', quantity: 3, unitPriceCents: 2490 }],
        totalCents: 3 * 2490,
        currency: 'EUR',
        createdAt: created.body.createdAt,
      });
    } finally {
      await connection.close();
    }
  });

  it('accepts an order while RabbitMQ is unreachable for orders and publishes it once it is back', async () => {
    await ordersLink.setEnabled(false);
    const created = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    expect(created.status).toBe(201);
    const orderId = created.body.id as string;
    await sleep(1000);
    expect(await deliveryStatus(orderId)).toBe(404); // not published while the broker is cut off

    await ordersLink.setEnabled(true);
    await waitFor(async () => (await deliveryStatus(orderId)) === 200, 15_000);
  });

  it('delivery reconnects and consumes what waited in its queue', async () => {
    await deliveryLink.setEnabled(false);
    await waitFor(async () => (await timedJson(`${shop.urls.delivery}/ready`)).status === 503, 10_000);
    const created = await timedJson(`${shop.urls.gateway}/api/orders`, { body: anOrder() });
    expect(created.status).toBe(201);
    const orderId = created.body.id as string;
    await sleep(500);
    expect(await deliveryStatus(orderId)).toBe(404);

    await deliveryLink.setEnabled(true);
    await waitFor(async () => (await deliveryStatus(orderId)) === 200, 15_000);
    expect((await timedJson(`${shop.urls.delivery}/ready`)).status).toBe(200);
  });
});
