import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { CORRELATION_HEADER, createKafka, ensureTopic } from '../shared/kafka.ts';
import type { OrderCreatedEvent } from '../shared/messaging.ts';

/**
 * How orders' Kafka producer delivers:
 * - `safe` (default): idempotent producer, `acks: -1` (all in-sync replicas),
 *   one request in flight; an event leaves the outbox only once the broker
 *   acknowledged it, and is sent again after a failure (at least once).
 * - `unsafe` (`ORDERS_KAFKA_PRODUCER=unsafe`): `acks: 0`, not idempotent, no
 *   retries, and an event leaves the outbox as soon as it was handed to the
 *   client: whatever the broker did not get (cut link, broker away) is lost,
 *   and nobody knows (at most once).
 */
export type KafkaProducerMode = 'safe' | 'unsafe';

/** Options for {@link startKafkaOutbox}. */
export interface KafkaOutboxOptions {
  brokers: readonly string[];
  topic: string;
  logger: Logger;
  mode: KafkaProducerMode;
  /** Put `x-correlation-id` on the message (false: the ORDERS_EVENT_CORRELATION=off variant). */
  correlationHeader: boolean;
}

/** The Kafka half of orders' outbox: events keyed by order id, published in order. */
export interface KafkaOutbox {
  enqueue(event: OrderCreatedEvent, correlationId: string): void;
  /** Events not yet acknowledged by the broker (safe) or not yet handed to the client (unsafe). */
  readonly pending: number;
  stop(): Promise<void>;
}

interface Pending {
  event: OrderCreatedEvent;
  correlationId: string;
}

const BATCH = 100;

/**
 * Starts the Kafka publisher loop. Each message: key = order id (so all events
 * of an order land on one partition, in order), value = the JSON event,
 * headers `x-correlation-id` and `content-type` (the instrument preload adds
 * `traceparent`/`tracestate`).
 */
export function startKafkaOutbox(options: KafkaOutboxOptions): KafkaOutbox {
  const { logger, mode } = options;
  const pending: Pending[] = [];
  let wake: (() => void) | undefined;
  let stopped = false;
  const kafka = createKafka('orders', options.brokers, logger);
  const producer: Producer =
    mode === 'safe'
      ? kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: true,
          // Unbounded retries keep the idempotent sequence intact (kafkajs warns on fewer).
          retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: Number.MAX_SAFE_INTEGER },
        })
      : kafka.producer({ idempotent: false, allowAutoTopicCreation: true, retry: { retries: 0 } });

  const loop = async (): Promise<void> => {
    let connected = false;
    let delay = 200;
    while (!stopped) {
      if (pending.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const batch = pending.slice(0, BATCH);
      try {
        if (!connected) {
          await ensureTopic(kafka, options.topic);
          await producer.connect();
          connected = true;
        }
        if (mode === 'unsafe') pending.splice(0, batch.length); // handed over: forgotten
        await producer.send({
          topic: options.topic,
          acks: mode === 'safe' ? -1 : 0,
          messages: batch.map(({ event, correlationId }) => ({
            key: event.orderId,
            value: JSON.stringify(event),
            headers: {
              'content-type': 'application/json',
              ...(options.correlationHeader ? { [CORRELATION_HEADER]: correlationId } : {}),
            },
          })),
        });
        if (mode === 'safe') pending.splice(0, batch.length);
        delay = 200;
        for (const { event, correlationId } of batch) {
          logger.info({ orderId: event.orderId, correlationId, topic: options.topic }, 'order.created sent to kafka');
        }
      } catch (err) {
        if (mode === 'unsafe') {
          logger.error({ err, lost: batch.map((p) => p.event.orderId) }, 'kafka send failed; events dropped');
        } else {
          logger.warn({ err, pending: pending.length, retryInMs: delay }, 'kafka send failed; will send again');
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
      }
    }
  };
  const running = loop().catch((err: unknown) => logger.error({ err }, 'kafka outbox stopped'));

  return {
    enqueue(event, correlationId) {
      pending.push({ event, correlationId });
      wake?.();
    },
    get pending() {
      return pending.length;
    },
    async stop() {
      stopped = true;
      wake?.();
      await Promise.race([running, sleep(2000)]);
      await producer.disconnect().catch(() => {});
    },
  };
}
