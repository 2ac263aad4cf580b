import { TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { useCurrentAmqpConventions } from '../../src/instrument/packages/amqp-semconv.ts';

// The attributes @opentelemetry/instrumentation-amqplib 0.71.0 sets on a publish span.
const OLD = {
  'messaging.system': 'rabbitmq',
  'messaging.protocol': 'AMQP',
  'messaging.protocol_version': '0.9.1',
  'messaging.url': 'amqp://127.0.0.1:5672',
  'server.address': '127.0.0.1',
  'server.port': 5672,
  'messaging.destination': '',
  'messaging.destination_kind': 'topic',
  'messaging.rabbitmq.routing_key': 'orders',
  'messaging.message_id': 'm-1',
};

describe('amqplib spans use the current messaging conventions', () => {
  it('renames, drops topic/url, and adds the operation; publish and consume', () => {
    const tracer = new TracerProvider().getTracer('t');
    const publish = tracer.startSpan('publish <default>', { attributes: OLD });
    useCurrentAmqpConventions(publish, 'publish');
    expect((publish as unknown as { attributes: object }).attributes).toEqual({
      'messaging.system': 'rabbitmq',
      'network.protocol.name': 'amqp',
      'network.protocol.version': '0.9.1',
      'server.address': '127.0.0.1',
      'server.port': 5672,
      'messaging.destination.name': '',
      'messaging.rabbitmq.destination.routing_key': 'orders',
      'messaging.message.id': 'm-1',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
    });
    const consume = tracer.startSpan('orders process', { attributes: { ...OLD, 'messaging.operation': 'process' } });
    useCurrentAmqpConventions(consume, 'process', 7);
    expect((consume as unknown as { attributes: object }).attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'consume',
      'messaging.rabbitmq.message.delivery_tag': 7,
    });
    expect((consume as unknown as { attributes: object }).attributes).not.toHaveProperty(['messaging.operation']);
  });

  it('leaves a non-recording span alone', () => {
    expect(() => useCurrentAmqpConventions({ isRecording: () => false } as never, 'publish')).not.toThrow();
  });
});
