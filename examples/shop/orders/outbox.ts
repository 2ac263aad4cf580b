import type { Channel, ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import { type AmqpLink, type AmqpSession, startAmqpSession } from '../shared/amqp-session.ts';
import { ORDER_CREATED_ROUTING_KEY, type OrderCreatedEvent } from '../shared/messaging.ts';

/** An event waiting to be published, with the headers it goes out with. */
interface PendingEvent {
  event: OrderCreatedEvent;
  correlationId: string;
}

/** Options for {@link startOutbox}. */
export interface OutboxOptions {
  rabbitmqUrl: string;
  /** Topic exchange (SHOP_EXCHANGE, default shop.events). */
  exchange: string;
  logger: Logger;
  /** How long to wait for the broker's confirms before reconnecting, ms (default 5000). */
  confirmTimeoutMs?: number;
  /**
   * Put `x-correlation-id` on the event (default true). false is the broken
   * variant `ORDERS_EVENT_CORRELATION=off`: the event leaves without it.
   */
  correlationHeader?: boolean;
  /**
   * `confirmed` (default): the outbox described above. `fire-and-forget` is the
   * broken variant `ORDERS_RABBIT_PUBLISH=fire-and-forget`: each event is
   * published at once on a plain channel (no publisher confirms) and forgotten;
   * while RabbitMQ is unreachable, events are dropped with an error line.
   */
  mode?: 'confirmed' | 'fire-and-forget';
}

/** The in-memory outbox: accepted orders' events, published with confirms, kept until confirmed. */
export interface Outbox {
  enqueue(event: OrderCreatedEvent, correlationId: string): void;
  /** Events not yet confirmed by the broker. */
  readonly pending: number;
  readonly connected: boolean;
  stop(): Promise<void>;
}

const BATCH = 100;

/**
 * Starts the outbox publisher. An event stays in memory until RabbitMQ
 * confirmed it; across a lost connection it is published again after the
 * reconnect (at-least-once: delivery de-duplicates by orderId).
 */
export function startOutbox(options: OutboxOptions): Outbox {
  if (options.mode === 'fire-and-forget') return startFireAndForget(options);
  const pending: PendingEvent[] = [];
  let wake: (() => void) | undefined;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 5000;

  const publishUntilClosed = async ({ connection, closed }: AmqpLink): Promise<void> => {
    const channel: ConfirmChannel = await connection.createConfirmChannel();
    channel.on('error', (err: unknown) => options.logger.warn({ err }, 'rabbitmq channel error'));
    await channel.assertExchange(options.exchange, 'topic', { durable: true });
    let open = true;
    void closed.then(() => {
      open = false;
      wake?.();
    });
    channel.once('close', () => {
      open = false;
      wake?.();
    });
    while (open) {
      if (pending.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const batch = pending.slice(0, BATCH);
      for (const pendingEvent of batch) publishEvent(channel, options, pendingEvent);
      let timer: NodeJS.Timeout | undefined;
      const confirmed = await Promise.race([
        channel.waitForConfirms().then(
          () => 'confirmed' as const,
          () => 'nacked' as const,
        ),
        closed.then(() => 'closed' as const),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), confirmTimeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      if (confirmed !== 'confirmed') throw new Error(`publish not confirmed (${confirmed})`);
      pending.splice(0, batch.length);
      for (const { event, correlationId } of batch) {
        options.logger.info({ orderId: event.orderId, correlationId }, 'order.created published');
      }
    }
  };

  const session: AmqpSession = startAmqpSession({
    url: options.rabbitmqUrl,
    logger: options.logger,
    use: publishUntilClosed,
  });

  return {
    enqueue(event, correlationId) {
      pending.push({ event, correlationId });
      wake?.();
    },
    get pending() {
      return pending.length;
    },
    get connected() {
      return session.connected;
    },
    async stop() {
      wake?.();
      await session.stop();
    },
  };
}

function publishEvent(channel: Channel, options: OutboxOptions, { event, correlationId }: PendingEvent): boolean {
  return channel.publish(options.exchange, ORDER_CREATED_ROUTING_KEY, Buffer.from(JSON.stringify(event)), {
    persistent: true,
    contentType: 'application/json',
    type: event.type,
    messageId: event.orderId,
    headers: options.correlationHeader === false ? {} : { 'x-correlation-id': correlationId },
  });
}

// The naive publisher: no outbox, no confirms. What RabbitMQ did not get is lost.
function startFireAndForget(options: OutboxOptions): Outbox {
  let live: Channel | undefined;
  const session: AmqpSession = startAmqpSession({
    url: options.rabbitmqUrl,
    logger: options.logger,
    use: async ({ connection, closed }) => {
      const channel = await connection.createChannel();
      channel.on('error', (err: unknown) => options.logger.warn({ err }, 'rabbitmq channel error'));
      await channel.assertExchange(options.exchange, 'topic', { durable: true });
      live = channel;
      await Promise.race([closed, new Promise<void>((resolve) => channel.once('close', () => resolve()))]);
      live = undefined;
    },
  });
  return {
    enqueue(event, correlationId) {
      try {
        if (!live) throw new Error('not connected to RabbitMQ');
        publishEvent(live, options, { event, correlationId });
        options.logger.info({ orderId: event.orderId, correlationId }, 'order.created published (no confirm)');
      } catch (err) {
        options.logger.error({ err, orderId: event.orderId, correlationId }, 'order.created dropped');
      }
    },
    pending: 0,
    get connected() {
      return session.connected;
    },
    stop: () => session.stop(),
  };
}
