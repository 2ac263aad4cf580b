import type { ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { type AmqpLink, type AmqpSession, startAmqpSession } from '../shared/amqp-session.ts';
import { ORDER_CREATED_ROUTING_KEY, type OrderCreatedEvent } from '../shared/messaging.ts';
import { orderCreatedSchema } from '../shared/order-created.ts';

/** Options for {@link startConsumer}. */
export interface ConsumerOptions {
  rabbitmqUrl: string;
  /** Topic exchange (SHOP_EXCHANGE, default shop.events). */
  exchange: string;
  /** Durable queue (SHOP_DELIVERY_QUEUE, default delivery.orders-created). */
  queue: string;
  logger: Logger;
  /** Handles one valid event; the message is acked only after this resolves. */
  process: (event: OrderCreatedEvent, correlationId: string | undefined) => Promise<void> | void;
}

/** A running consumer. */
export interface Consumer {
  /** True while the queue is declared, bound and consumed. */
  readonly consuming: boolean;
  stop(): Promise<void>;
}

function headerString(message: ConsumeMessage, name: string): string | undefined {
  const value: unknown = message.properties.headers?.[name];
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/**
 * Consumes `order.created` events: declares the exchange and the durable
 * queue, binds it with `orders.created`, and acks each message only after
 * `process` finished. A message that is not a valid event is rejected without
 * requeue (it would fail again); one whose processing threw is requeued.
 * Reconnects when RabbitMQ goes away.
 */
export function startConsumer(options: ConsumerOptions): Consumer {
  const { logger } = options;
  let consuming = false;

  const consumeUntilClosed = async ({ connection, closed }: AmqpLink): Promise<void> => {
    const channel = await connection.createChannel();
    channel.on('error', (err: unknown) => logger.warn({ err }, 'rabbitmq channel error'));
    await channel.assertExchange(options.exchange, 'topic', { durable: true });
    await channel.assertQueue(options.queue, { durable: true });
    await channel.bindQueue(options.queue, options.exchange, ORDER_CREATED_ROUTING_KEY);
    await channel.prefetch(10);
    const channelClosed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
    await channel.consume(
      options.queue,
      (message) => {
        if (message === null) {
          logger.warn({ queue: options.queue }, 'consumer cancelled by the broker');
          void channel.close().catch(() => {});
          return;
        }
        void handleMessage(message);
      },
      { noAck: false },
    );
    consuming = true;
    logger.info({ queue: options.queue, exchange: options.exchange }, 'consuming');

    async function handleMessage(message: ConsumeMessage): Promise<void> {
      const correlationId = headerString(message, 'x-correlation-id');
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.content.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const event = orderCreatedSchema.safeParse(parsed);
      if (!event.success) {
        logger.error({ correlationId, issues: event.error.issues.slice(0, 5) }, 'rejecting an invalid order.created');
        channel.nack(message, false, false);
        return;
      }
      try {
        await options.process(event.data, correlationId);
        channel.ack(message);
      } catch (err) {
        logger.error({ err, correlationId, orderId: event.data.orderId }, 'processing failed; requeued');
        channel.nack(message, false, true);
      }
    }

    await Promise.race([closed, channelClosed]);
    consuming = false;
  };

  const session: AmqpSession = startAmqpSession({
    url: options.rabbitmqUrl,
    logger,
    use: consumeUntilClosed,
  });
  return {
    get consuming() {
      return consuming && session.connected;
    },
    stop: () => session.stop(),
  };
}
