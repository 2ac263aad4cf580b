import { z } from 'zod';

/** Shape of an `order.created` body as consumers accept it (delivery over RabbitMQ, notifications over Kafka). */
export const orderCreatedSchema = z.object({
  type: z.literal('order.created'),
  orderId: z.string().min(1),
  customerId: z.string().min(1),
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() })),
  totalCents: z.number().int(),
  currency: z.string(),
  createdAt: z.string(),
});
