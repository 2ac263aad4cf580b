import amqp from 'amqplib';
import { MsaVerifyError } from '../../core/errors.js';
import type { MessageProducer, ProducedMessage, StateParams } from '../types.js';
import { freshCorrelationId, type TriggerContext, triggerContext, withPropagationCheck } from './propagation.js';

export type { TriggerContext } from './propagation.js';

// Transport-level message check: the real provider publishes through a real
// RabbitMQ; a temporary exclusive queue bound to its exchange catches what
// arrives, and the arrived message (body, content type, routing key, headers)
// is what Pact compares with the message pact.

/** Options for {@link captureRabbitMessage}. */
export interface RabbitCaptureOptions {
  /** amqp:// URL. */
  readonly url: string;
  /** Exchange the provider publishes to (asserted as `exchangeType`, durable, when missing). */
  readonly exchange: string;
  /** Default `topic`. */
  readonly exchangeType?: 'topic' | 'direct' | 'fanout' | 'headers';
  /** Binding key of the capture queue. Default `#` (everything). */
  readonly bindingKey?: string;
  /** How long to wait for the message after `trigger`, ms. Default 10000. */
  readonly timeoutMs?: number;
  /**
   * Check that the provider propagates the correlation id: the trigger gets a
   * fresh id to send, and a message carrying another id in this header fails
   * the contract (its metadata value reads `not propagated: sent ..., got ...`).
   */
  readonly propagation?: { readonly header: string };
}

/** A message as it arrived on the queue. */
export interface ArrivedMessage extends ProducedMessage {
  readonly exchange: string;
  readonly routingKey: string;
  /** Headers as sent (values as the broker delivered them). */
  readonly headers: Readonly<Record<string, unknown>>;
}

function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return JSON.stringify(v);
}

/**
 * Binds a temporary queue to the exchange, runs `trigger` (which makes the real
 * provider publish), and returns the first message that arrives.
 * @throws MsaVerifyError `MSAV_COMPONENT_UNAVAILABLE` when RabbitMQ is unreachable;
 *   `MSAV_VERIFICATION_FAILED` when nothing arrives in time.
 */
export async function captureRabbitMessage(
  options: RabbitCaptureOptions,
  trigger: () => Promise<void>,
): Promise<ArrivedMessage> {
  let connection: amqp.ChannelModel;
  try {
    connection = await amqp.connect(options.url);
  } catch (cause) {
    throw new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `RabbitMQ unreachable: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    const channel = await connection.createChannel();
    await channel.assertExchange(options.exchange, options.exchangeType ?? 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, options.exchange, options.bindingKey ?? '#');
    let arrive: (m: amqp.ConsumeMessage) => void = () => {};
    const arrived = new Promise<amqp.ConsumeMessage>((resolve) => {
      arrive = resolve;
    });
    await channel.consume(
      queue,
      (m) => {
        if (m) arrive(m);
      },
      { noAck: true },
    );
    await trigger();
    const timeoutMs = options.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const m = await Promise.race([
      arrived,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!m) {
      throw new MsaVerifyError(
        'MSAV_VERIFICATION_FAILED',
        `no message arrived on exchange ${options.exchange} within ${timeoutMs} ms`,
      );
    }
    const raw = m.content.toString('utf8');
    const contentType = m.properties.contentType as string | undefined;
    let content: unknown = raw;
    if (!contentType || contentType.includes('json')) {
      try {
        content = JSON.parse(raw);
      } catch {
        content = raw;
      }
    }
    const headers = (m.properties.headers ?? {}) as Record<string, unknown>;
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined && v !== null) metadata[k] = stringify(v);
    if (contentType) metadata.contentType = contentType;
    metadata.routingKey = m.fields.routingKey;
    metadata.exchange = m.fields.exchange;
    return { content, metadata, exchange: m.fields.exchange, routingKey: m.fields.routingKey, headers };
  } finally {
    await connection.close().catch(() => {});
  }
}

/**
 * A {@link MessageProducer} that gets the message from the real provider over
 * RabbitMQ: `trigger` receives the provider states and makes the provider publish.
 */
export function rabbitMessageProducer(
  options: RabbitCaptureOptions,
  trigger: (states: readonly { name: string; params: StateParams }[], context: TriggerContext) => Promise<void>,
): MessageProducer {
  return async (states, context) => {
    const correlationId = freshCorrelationId();
    const m = await captureRabbitMessage(options, () => trigger(states, triggerContext(correlationId, context)));
    return withPropagationCheck(m, options.propagation?.header, correlationId);
  };
}
