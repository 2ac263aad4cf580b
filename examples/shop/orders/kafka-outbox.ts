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
 * Broker answers after which an idempotent producer cannot send again: OUT_OF_ORDER_SEQUENCE_NUMBER (45),
 * INVALID_PRODUCER_EPOCH (47), UNKNOWN_PRODUCER_ID (59). Seen in a kafka-cut run with the 10 s cut: after the
 * link came back, every send was refused with 45 while the outbox kept retrying the same producer (lost 129).
 */
function outOfSequence(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as never, i++) {
    if (e.code === 45 || e.code === 47 || e.code === 59) return true;
  }
  return false;
}

/**
 * Starts the Kafka publisher: an event is sent at once from the request that
 * accepted the order when the producer is connected, idle and nothing waits,
 * else (and after a failure) by the loop, in batches, one send at a time. Each message: key = order id (so all events
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
  const newProducer = (): Producer =>
    mode === 'safe'
      ? kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: true,
          // Unbounded retries keep the idempotent sequence intact (kafkajs warns on fewer).
          retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: Number.MAX_SAFE_INTEGER },
        })
      : kafka.producer({ idempotent: false, allowAutoTopicCreation: true, retry: { retries: 0 } });
  let producer = newProducer();

  const toMessage = ({ event, correlationId }: Pending) => ({
    key: event.orderId,
    value: JSON.stringify(event),
    headers: {
      'content-type': 'application/json',
      ...(options.correlationHeader ? { [CORRELATION_HEADER]: correlationId } : {}),
    },
  });
  const sent = (batch: readonly Pending[]): void => {
    for (const { event, correlationId } of batch) {
      logger.info({ orderId: event.orderId, correlationId, topic: options.topic }, 'order.created sent to kafka');
    }
  };
  const send = (batch: readonly Pending[]) =>
    producer.send({ topic: options.topic, acks: mode === 'safe' ? -1 : 0, messages: batch.map(toMessage) });

  let connected = false;
  // One send at a time, fast path or loop: concurrent sends of the idempotent producer
  // across a reconnect lost one record and wrote another twice (kafka-cut's `delivered` caught it).
  let sending = false;
  // The loop connects at once, then sends what the fast path could not (backlog, failures), in batches.
  const loop = async (): Promise<void> => {
    let delay = 200;
    while (!stopped) {
      if (connected && (pending.length === 0 || sending)) {
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
          delay = 200;
          continue;
        }
        if (mode === 'unsafe') pending.splice(0, batch.length); // handed over: forgotten
        sending = true;
        await send(batch).finally(() => {
          sending = false;
        });
        if (mode === 'safe') pending.splice(0, batch.length);
        delay = 200;
        sent(batch);
      } catch (err) {
        if (mode === 'unsafe' && batch.length > 0) {
          logger.error({ err, lost: batch.map((p) => p.event.orderId) }, 'kafka send failed; events dropped');
        } else {
          logger.warn({ err, pending: pending.length, retryInMs: delay }, 'kafka send failed; will send again');
        }
        if (mode === 'safe' && outOfSequence(err)) {
          // The broker will refuse every further send of this producer id: a new producer (new id,
          // sequence 0) sends the batch again. Whatever of it the broker had written is written twice.
          logger.warn({ pending: pending.length }, 'idempotent producer out of sequence: starting a new producer');
          const old = producer;
          producer = newProducer();
          connected = false;
          await old.disconnect().catch(() => {});
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
      }
    }
  };
  const running = loop().catch((err: unknown) => logger.error({ err }, 'kafka outbox stopped'));

  // Fast path, from the request that accepted the order (so the producer's span is part of its trace):
  // safe: the event stays owned by the outbox until the broker acknowledged it, and goes back to the
  // loop on failure; unsafe: sent once, dropped on failure.
  const sendNow = (item: Pending): void => {
    sending = true;
    send([item])
      .then(
        () => sent([item]),
        (err: unknown) => {
          if (mode === 'unsafe') {
            logger.error({ err, lost: [item.event.orderId] }, 'kafka send failed; events dropped');
            return;
          }
          logger.warn({ err, orderId: item.event.orderId }, 'kafka send failed; the outbox sends it again');
          pending.unshift(item);
          wake?.();
        },
      )
      .finally(() => {
        sending = false;
        wake?.();
      });
  };

  return {
    enqueue(event, correlationId) {
      const item = { event, correlationId };
      // unsafe: no queue at all, each event sent at once (concurrently) and dropped if that fails.
      if (mode === 'unsafe' && connected) return sendNow(item);
      if (connected && pending.length === 0 && !sending) return sendNow(item);
      pending.push(item);
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
