// @opentelemetry/instrumentation-amqplib 0.71.0 writes the messaging semantic
// conventions of 2021 (messaging.destination, messaging.destination_kind=topic
// even for a plain queue, messaging.rabbitmq.routing_key, messaging.url, ...)
// and has no option for the current ones. Its publish and consume hooks run
// right after the span starts: there the attributes are moved to the current
// names (semantic conventions 1.27+, messaging spans and RabbitMQ), and the
// ones without a current equivalent are dropped. Span names are kept.
import type { Span } from '@opentelemetry/api';

/** Old attribute name -> current one. */
const RENAMED: Readonly<Record<string, string>> = {
  'messaging.destination': 'messaging.destination.name',
  'messaging.rabbitmq.routing_key': 'messaging.rabbitmq.destination.routing_key',
  'messaging.message_id': 'messaging.message.id',
  'messaging.conversation_id': 'messaging.message.conversation_id',
  'messaging.protocol': 'network.protocol.name',
  'messaging.protocol_version': 'network.protocol.version',
};

/** Old attributes with no current equivalent: the kind is implied by the system, the URL by server.address/port. */
const DROPPED = ['messaging.destination_kind', 'messaging.url', 'messaging.operation'] as const;

/** The operation of a span, for `messaging.operation.type` and `messaging.operation.name`. */
export type AmqpOperation = 'publish' | 'process';

const OPERATION: Readonly<Record<AmqpOperation, { type: string; name: string }>> = {
  publish: { type: 'send', name: 'publish' },
  process: { type: 'process', name: 'consume' },
};

/** Rewrites an amqplib span's attributes to the current conventions, in place; never throws. */
export function useCurrentAmqpConventions(span: Span, operation: AmqpOperation, deliveryTag?: number): void {
  try {
    // A recording SDK span keeps its attributes in a plain object; a non-recording one has none.
    const attributes = (span as unknown as { attributes?: Record<string, unknown> }).attributes;
    if (attributes === undefined || !span.isRecording()) return;
    for (const old in RENAMED) {
      if (!(old in attributes)) continue;
      const value = attributes[old];
      delete attributes[old];
      // network.protocol.name is lower case ("amqp"); the instrumentation writes "AMQP".
      if (value !== undefined)
        attributes[RENAMED[old]!] = old === 'messaging.protocol' ? String(value).toLowerCase() : value;
    }
    for (const old of DROPPED) delete attributes[old];
    attributes['messaging.operation.type'] = OPERATION[operation].type;
    attributes['messaging.operation.name'] = OPERATION[operation].name;
    if (deliveryTag !== undefined) attributes['messaging.rabbitmq.message.delivery_tag'] = deliveryTag;
  } catch {
    // Telemetry must never break the app.
  }
}
