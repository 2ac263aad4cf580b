// orders → inventory (the Python service): reserves the order's stock with
// `PUT {INVENTORY_URL}/api/reservations/{orderId}`. PUT by order id makes a
// retried reservation (after a timeout) the same reservation, so the policy
// may retry it.
import type https from 'node:https';
import type { IDefaultPolicyContext, IPolicy } from 'cockatiel';
import { httpsJson, type JsonAnswer } from './https-json.ts';
import { DependencyUnavailableError, reasonOf, type UnavailableReason } from './products-client.ts';

/** What inventory decided: reserved, or which products it cannot serve. */
export type ReservationOutcome =
  | { kind: 'reserved' }
  | { kind: 'out_of_stock'; productIds: string[] }
  | { kind: 'unknown_product'; productIds: string[] };

/** Inventory could not be asked: the breaker is open, every attempt timed out, or inventory failed. */
export class InventoryUnavailableError extends DependencyUnavailableError {
  override readonly name = 'InventoryUnavailableError';
  constructor(reason: UnavailableReason, cause: unknown) {
    super('inventory', reason, cause);
  }
}

/** Options for {@link createInventoryClient}. */
export interface InventoryClientOptions {
  /** Base URL of inventory, without trailing slash (INVENTORY_URL). */
  baseUrl: string;
  /** Policy each call runs under (its own breaker; see policy.ts). */
  policy: IPolicy<IDefaultPolicyContext>;
  /** Whether an attempt is aborted when the policy's timeout fires (false for the naive variant). */
  abortOnTimeout: boolean;
  /** Whether the whole call stops when the client went away (resilient variant only). */
  cancelOnClientGone: boolean;
  /** Agent for an https: `baseUrl` (mtls: orders' client certificate, see shared/tls.ts); http: uses fetch. */
  agent?: https.Agent | undefined;
}

/** Reserves `items` for order `orderId`. */
export type ReserveStock = (
  orderId: string,
  items: readonly { productId: string; quantity: number }[],
  options: { correlationId: string; signal: AbortSignal },
) => Promise<ReservationOutcome>;

function productIdsOf(body: unknown): string[] {
  const ids = (body as { productIds?: unknown } | null)?.productIds;
  return Array.isArray(ids) ? ids.map(String) : [];
}

async function putWithFetch(url: string, init: RequestInit): Promise<JsonAnswer> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json().catch(() => null)) as unknown };
}

/** Builds the client orders uses to reserve stock in inventory. */
export function createInventoryClient(options: InventoryClientOptions): ReserveStock {
  return async (orderId, items, { correlationId, signal }) => {
    const url = `${options.baseUrl}/api/reservations/${encodeURIComponent(orderId)}`;
    const attempt = async (context: IDefaultPolicyContext): Promise<ReservationOutcome> => {
      const init = {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
        body: JSON.stringify({ items: items.map((i) => ({ productId: i.productId, quantity: i.quantity })) }),
        ...(options.abortOnTimeout ? { signal: context.signal } : {}),
      };
      const { status, body } = options.agent
        ? await httpsJson(url, { ...init, agent: options.agent })
        : await putWithFetch(url, init);
      // 409 and 422 are inventory's answers, not failures: no retry, no breaker count.
      if (status === 200 || status === 201) return { kind: 'reserved' };
      if (status === 409) return { kind: 'out_of_stock', productIds: productIdsOf(body) };
      if (status === 422) return { kind: 'unknown_product', productIds: productIdsOf(body) };
      throw new Error(`inventory answered ${status}`);
    };
    try {
      return await options.policy.execute(attempt, options.cancelOnClientGone ? signal : undefined);
    } catch (error) {
      throw new InventoryUnavailableError(reasonOf(error), error);
    }
  };
}
