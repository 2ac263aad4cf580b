import {
  kafkaMessageProducer,
  rabbitMessageProducer,
  type StateHandlers,
  type TriggerContext,
} from 'msa-verify/contracts';

// Provider side of orders: HTTP states, and order.created produced by the real
// orders service publishing through the real RabbitMQ (transport-level check):
// an order is placed over HTTP and the message is caught on a temporary queue
// bound to the exchange with `#`, so a wrong routing key is seen, not missed;
// the message must carry the correlation id the order was placed with. The
// same event on Kafka: the topic orders publishes to (SHOP_KAFKA_TOPIC) is read
// from the offsets taken before the order is placed, so a record on another
// topic than the pact's, with another key or without the header is seen.
const rabbitmqUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const exchange = process.env.SHOP_EXCHANGE ?? 'shop.events';
const ordersUrl = process.env.SHOP_ORDERS_URL ?? 'http://127.0.0.1:8081';
const kafkaBrokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafkaTopic = process.env.SHOP_KAFKA_TOPIC ?? 'shop.orders';

/**
 * Places the order the state describes, with the correlation id the message must carry, through msa-verify's
 * request function: against a secured orders (https, client certificate, token) it presents what the config's
 * tls/auth say. The URL is the provider's from the config (`service: orders`), else SHOP_ORDERS_URL.
 */
async function placeOrder(
  states: readonly { name: string; params: Record<string, unknown> }[],
  { correlationId, providerUrl, request }: TriggerContext,
): Promise<void> {
  const params = states.find((s) => s.name === 'an order was accepted')?.params ?? {};
  const res = await request(`${providerUrl ?? ordersUrl}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify({
      customerId: String(params.customerId ?? 'c-1'),
      items: [{ productId: String(params.productId ?? 'p-1'), quantity: Number(params.quantity ?? 2) }],
    }),
  });
  if (res.status !== 201)
    throw new Error(`orders answered ${res.status} to the order that should publish order.created`);
}

export const stateHandlers: StateHandlers = {
  'products exist': async () => undefined,
  'product does not exist': async () => undefined,
  'an order was accepted': async () => undefined,
};

export const messages = {
  'an order.created event': rabbitMessageProducer(
    { url: rabbitmqUrl, exchange, propagation: { header: 'x-correlation-id' } },
    placeOrder,
  ),
  'an order.created record on Kafka': kafkaMessageProducer(
    { brokers: kafkaBrokers, topic: kafkaTopic, propagation: { header: 'x-correlation-id' } },
    placeOrder,
  ),
};
