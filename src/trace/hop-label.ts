import type { Hop } from './schema.js';

const BROKERS: Record<string, string> = { rabbitmq: 'RabbitMQ', kafka: 'Kafka' };

/** True for hops through a broker (producer span → consumer span). */
export function isBrokerHop(hop: Hop): boolean {
  return hop.via === 'rabbitmq' || hop.via === 'kafka';
}

/** `orders → products`, or `orders → RabbitMQ → delivery` for a broker hop. */
export function hopLabel(hop: Hop): string {
  const broker = BROKERS[hop.via];
  return broker ? `${hop.from} → ${broker} → ${hop.to}` : `${hop.from} → ${hop.to}`;
}
