import { z } from 'zod';

/** Limits on an order body (documented in the README). */
export const ORDER_LIMITS = { maxItems: 50, maxQuantity: 1000, maxIdLength: 64 } as const;

const id = z.string().trim().min(1, 'must not be empty').max(ORDER_LIMITS.maxIdLength);

const orderBody = z.object({
  customerId: id,
  items: z
    .array(
      z.object({
        productId: id,
        quantity: z.number().int('must be an integer').min(1).max(ORDER_LIMITS.maxQuantity),
      }),
    )
    .min(1, 'must contain at least one item')
    .max(ORDER_LIMITS.maxItems),
});

/** A validated `POST /api/orders` body. */
export type OrderRequest = z.infer<typeof orderBody>;

/** One field-level problem, as sent in a 400 `invalid_body` answer. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Validates a parsed JSON body: the order, or the field-level problems (path like `items.0.quantity`). */
export function validateOrder(
  value: unknown,
): { kind: 'ok'; order: OrderRequest } | { kind: 'invalid'; fields: FieldProblem[] } {
  const result = orderBody.safeParse(value);
  if (result.success) return { kind: 'ok', order: result.data };
  const fields = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  return { kind: 'invalid', fields };
}
