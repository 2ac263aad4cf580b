/** Default topic exchange the shop's events go to (override: SHOP_EXCHANGE). */
export const DEFAULT_EXCHANGE = 'shop.events';
/** Default durable queue delivery consumes (override: SHOP_DELIVERY_QUEUE). */
export const DEFAULT_DELIVERY_QUEUE = 'delivery.orders-created';
/** Routing key of `order.created` events (fixed by the API). */
export const ORDER_CREATED_ROUTING_KEY = 'orders.created';
/** Default broker address. */
export const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** One line of an order, with the price products quoted when the order was accepted. */
export interface OrderItem {
  productId: string;
  quantity: number;
  unitPriceCents: number;
}

/** Body of the `order.created` event orders publishes and delivery consumes. */
export interface OrderCreatedEvent {
  type: 'order.created';
  orderId: string;
  customerId: string;
  items: OrderItem[];
  totalCents: number;
  currency: string;
  createdAt: string;
}

/**
 * Adds a heartbeat (seconds) to an AMQP URL unless it already names one, so a
 * connection whose peer went silent (e.g. a Toxiproxy `timeout` toxic) is
 * noticed within ~2 heartbeats instead of never.
 */
export function withHeartbeat(url: string, seconds = 5): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}
