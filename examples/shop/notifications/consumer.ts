import type { Consumer, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { CORRELATION_HEADER, createKafka, ensureTopic } from '../shared/kafka.ts';
import type { OrderCreatedEvent } from '../shared/messaging.ts';
import { orderCreatedSchema } from '../shared/order-created.ts';

/**
 * When the consumer commits a message's offset:
 * - `after` (default): once processing finished (at least once: a crash
 *   before the commit means the message comes again, and processing is idempotent);
 * - `before` (`NOTIFICATIONS_COMMIT=before`): as soon as the message arrived,
 *   before processing (at most once: a crash during processing loses the
 *   message, since the group resumes after it).
 */
export type CommitMode = 'after' | 'before';

/** Options for {@link startKafkaConsumer}. */
export interface KafkaConsumerOptions {
  brokers: readonly string[];
  topic: string;
  groupId: string;
  commit: CommitMode;
  logger: Logger;
  /** Handles one valid event. A throw makes the consumer take the message again (commit `after`). */
  process: (event: OrderCreatedEvent, correlationId: string | undefined) => Promise<void>;
  /**
   * Called when kafkajs gave up on this consumer (a crash it does not restart
   * from, e.g. the group forgot the member after a long broker cut): the caller
   * starts a new one.
   */
  onGaveUp: (error: unknown) => void;
}

/** A running consumer. */
export interface KafkaConsumer {
  /** True once the consumer joined its group and got its partitions, until it stops or crashes. */
  readonly consuming: boolean;
  stop(): Promise<void>;
}

function headerString(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const one = Array.isArray(value) ? value[0] : value;
  if (one === undefined) return undefined;
  return Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}

/**
 * Consumes `order.created` from `topic` in consumer group `groupId`, one
 * message at a time, committing each offset explicitly (auto-commit off)
 * before or after processing as `commit` says. An invalid message is logged
 * and committed (it would fail again). kafkajs rejoins the group and
 * reconnects by itself; a crash it cannot recover from ends the service.
 */
export async function startKafkaConsumer(options: KafkaConsumerOptions): Promise<KafkaConsumer> {
  const { logger, topic } = options;
  const kafka = createKafka('notifications', options.brokers, logger);
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
    allowAutoTopicCreation: true,
    retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: Number.MAX_SAFE_INTEGER },
  });
  let consuming = false;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    consuming = true;
    logger.info({ topic, groupId: options.groupId, assignment: e.payload.memberAssignment }, 'consuming');
  });
  consumer.on(consumer.events.CRASH, (e) => {
    consuming = false;
    logger.warn({ err: e.payload.error, restart: e.payload.restart }, 'kafka consumer crashed');
    if (!e.payload.restart) options.onGaveUp(e.payload.error);
  });
  consumer.on(consumer.events.STOP, () => {
    consuming = false;
  });

  const commit = (partition: number, message: KafkaMessage): Promise<void> =>
    consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);

  try {
    await ensureTopic(kafka, topic);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
  } catch (error) {
    await consumer.disconnect().catch(() => {});
    throw error;
  }
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 1,
    eachMessage: async ({ partition, message }) => {
      const correlationId = headerString(message, CORRELATION_HEADER);
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.value?.toString('utf8') ?? '');
      } catch {
        parsed = undefined;
      }
      const event = orderCreatedSchema.safeParse(parsed);
      if (!event.success) {
        logger.error({ correlationId, partition, offset: message.offset }, 'skipping an invalid order.created');
        await commit(partition, message);
        return;
      }
      if (options.commit === 'before') await commit(partition, message);
      logger.debug({ orderId: event.data.orderId, partition, offset: message.offset }, 'processing order.created');
      await options.process(event.data, correlationId);
      if (options.commit === 'after') {
        try {
          await commit(partition, message);
        } catch (err) {
          // Processed, but the commit failed (or only its answer was lost: the broker may have it). Throwing
          // would mark a done processing as failed; fetching the message again is enough: the idempotent
          // processing skips it if the broker does not have the commit (at least once), and nothing is
          // fetched again if it does.
          logger.warn({ err, partition, offset: message.offset }, 'commit after processing failed; fetching again');
          consumer.seek({ topic, partition, offset: message.offset });
        }
      }
    },
  });
  return {
    get consuming() {
      return consuming;
    },
    stop: () => consumer.disconnect(),
  };
}
