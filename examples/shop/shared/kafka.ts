import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

/** Default Kafka topic orders publishes `order.created` to (override: SHOP_KAFKA_TOPIC). */
export const DEFAULT_KAFKA_TOPIC = 'shop.orders';
/** Default consumer group of notifications (override: SHOP_NOTIFICATIONS_GROUP). */
export const DEFAULT_NOTIFICATIONS_GROUP = 'notifications';
/** Header carrying the correlation id on Kafka messages (as on AMQP messages). */
export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * A kafkajs client whose own log lines go through the service's pino logger
 * (kafkajs prints to the console otherwise). Retries are short and capped at
 * 2 s between attempts, so a broker that comes back is found again quickly.
 */
export function createKafka(clientId: string, brokers: readonly string[], logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: [...brokers],
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.error(rest, message);
        else log.warn(rest, message);
      },
  });
}

/** Splits a comma-separated broker list (`KAFKA_BROKERS=127.0.0.1:9092,...`). */
export function brokerList(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/**
 * Creates `topic` with the broker's default partitions unless it exists, and
 * waits for its leader: the first metadata request for a topic the broker
 * auto-creates answers "unknown topic", which fails a consumer's subscribe and
 * a producer that does not retry.
 */
export async function ensureTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
