import { randomUUID } from 'node:crypto';
import { type Admin, type Consumer, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { MsaVerifyError } from '../../core/errors.js';
import { quietKafkajsTimers } from '../../core/kafkajs-timers.js';
import type { MessageProducer, ProducedMessage, StateParams } from '../types.js';
import { freshCorrelationId, type TriggerContext, triggerContext, withPropagationCheck } from './propagation.js';

// Transport-level message check over Kafka, the twin of rabbitmq.ts: the end
// offsets of the watched topic are read BEFORE the real provider is made to
// publish; then a consumer in a group of its own (deleted afterwards) reads
// from exactly those offsets, so only what the provider published since is
// seen. The arrived record (value, key, topic, headers) is what Pact compares
// with the message pact.

/** Options for {@link captureKafkaMessage}. */
export interface KafkaCaptureOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  /**
   * Topic the provider is configured to publish to (the same setting the
   * provider reads), so that a provider publishing to another topic than the
   * pact's is seen (`metadata.topic`), not missed.
   */
  readonly topic: string;
  /** How long to wait for the message after `trigger`, ms. Default 10000. */
  readonly timeoutMs?: number;
  /**
   * Check that the provider propagates the correlation id: the trigger gets a
   * fresh id to send; among the records that arrive, the one carrying it is
   * taken (the first one otherwise, after a grace second), and a record carrying
   * another id fails the contract (`not propagated: sent ..., got ...`).
   */
  readonly propagation?: { readonly header: string };
}

/** A record as it arrived on the topic. */
export interface ArrivedKafkaMessage extends ProducedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The record key (UTF-8), undefined for a null key. */
  readonly key: string | undefined;
  /** Headers as UTF-8 strings (the first value of a repeated header). */
  readonly headers: Readonly<Record<string, string>>;
}

function unavailable(cause: unknown): MsaVerifyError {
  return new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `Kafka unreachable: ${(cause as Error).message}`, {
    cause,
  });
}

function headerStrings(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const one = Array.isArray(value) ? value[0] : value;
    if (one !== undefined) out[name] = Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
  }
  return out;
}

/** The arrived record as flat Pact metadata: every header, `contentType`, `topic` and `key`. */
function toArrived(topic: string, partition: number, message: KafkaMessage): ArrivedKafkaMessage {
  const headers = headerStrings(message);
  const raw = message.value?.toString('utf8') ?? '';
  const contentType = headers['content-type'] ?? headers.contentType;
  let content: unknown = raw;
  if (!contentType || contentType.includes('json')) {
    try {
      content = JSON.parse(raw);
    } catch {
      content = raw;
    }
  }
  const key = message.key === null ? undefined : message.key.toString('utf8');
  const metadata: Record<string, string> = { ...headers, topic };
  if (contentType) metadata.contentType = contentType;
  if (key !== undefined) metadata.key = key;
  return { content, metadata, topic, partition, offset: message.offset, key, headers };
}

/** End offset per partition of `topic`, or an empty map when the topic does not exist yet. */
async function endOffsets(admin: Admin, topic: string): Promise<Map<number, string>> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) return new Map();
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, o.high]));
}

async function waitForTopic(admin: Admin, topic: string, deadline: number): Promise<boolean> {
  for (;;) {
    if ((await admin.listTopics()).includes(topic)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Reads the topic's end offsets, runs `trigger` (which makes the real provider
 * publish), then consumes the topic from those offsets in a group of its own
 * and returns the record `pick` chose.
 * @throws MsaVerifyError `MSAV_COMPONENT_UNAVAILABLE` when Kafka is unreachable;
 *   `MSAV_VERIFICATION_FAILED` when nothing arrives in time.
 */
export async function captureKafkaMessage(
  options: KafkaCaptureOptions,
  trigger: () => Promise<void>,
  prefer: (m: ArrivedKafkaMessage) => boolean = () => true,
): Promise<ArrivedKafkaMessage> {
  quietKafkajsTimers();
  const kafka = new Kafka({
    clientId: 'msa-verify',
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (cause) {
    throw unavailable(cause);
  }
  const groupId = `msa-verify-${randomUUID()}`;
  let consumer: Consumer | undefined;
  try {
    let start: Map<number, string>;
    try {
      start = await endOffsets(admin, options.topic);
    } catch (cause) {
      throw unavailable(cause);
    }
    await trigger();
    const timeoutMs = options.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const nothing = (): MsaVerifyError =>
      new MsaVerifyError(
        'MSAV_VERIFICATION_FAILED',
        `no message arrived on Kafka topic ${options.topic} within ${timeoutMs} ms`,
      );
    if (!(await waitForTopic(admin, options.topic, deadline))) throw nothing();

    const arrived: ArrivedKafkaMessage[] = [];
    let wake: () => void = () => {};
    consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const from = start.get(partition);
        if (from !== undefined && BigInt(message.offset) < BigInt(from)) return;
        arrived.push(toArrived(topic, partition, message));
        wake();
      },
    });
    // Start exactly where the topic ended before the publish (partitions created since: their beginning).
    // Only a shortcut: eachMessage above skips older offsets anyway. kafkajs refuses a seek while run() is still
    // restarting after a retriable error ("Consumer group was not initialized"); the consumer then reads from the
    // beginning and the filter does the same job.
    for (const [partition, offset] of start) {
      try {
        consumer.seek({ topic: options.topic, partition, offset });
      } catch {
        break;
      }
    }

    let firstAt: number | undefined;
    for (;;) {
      const preferred = arrived.find(prefer);
      if (preferred) return preferred;
      if (arrived.length > 0) firstAt ??= Date.now();
      const now = Date.now();
      if (firstAt !== undefined && (now - firstAt >= 1000 || now > deadline)) return arrived[0]!;
      if (now > deadline) throw nothing();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    await consumer?.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/**
 * A {@link MessageProducer} that gets the message from the real provider over
 * Kafka: `trigger` receives the provider states and makes the provider publish.
 */
export function kafkaMessageProducer(
  options: KafkaCaptureOptions,
  trigger: (states: readonly { name: string; params: StateParams }[], context: TriggerContext) => Promise<void>,
): MessageProducer {
  return async (states, context) => {
    const correlationId = freshCorrelationId();
    const header = options.propagation?.header;
    const m = await captureKafkaMessage(
      options,
      () => trigger(states, triggerContext(correlationId, context)),
      (arrived) => header === undefined || arrived.headers[header] === correlationId,
    );
    return withPropagationCheck(m, header, correlationId);
  };
}
