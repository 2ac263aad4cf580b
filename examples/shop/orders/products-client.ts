import type https from 'node:https';
import { BrokenCircuitError, type IDefaultPolicyContext, type IPolicy, TaskCancelledError } from 'cockatiel';
import { httpsJson } from './https-json.ts';

/** A product as orders needs it from products. */
export interface QuotedProduct {
  id: string;
  priceCents: number;
  currency: string;
}

/** Why products could not answer, as reported in a 503 `products_unavailable` body. */
export type UnavailableReason = 'circuit_open' | 'timeout' | 'upstream_error';

/** A service orders depends on could not be asked: the breaker is open, every attempt timed out, or it failed. */
export class DependencyUnavailableError extends Error {
  readonly reason: UnavailableReason;
  constructor(dependency: string, reason: UnavailableReason, cause: unknown) {
    super(`${dependency} unavailable (${reason})`, { cause });
    this.reason = reason;
  }
}

/** Products could not be asked. */
export class ProductsUnavailableError extends DependencyUnavailableError {
  override readonly name = 'ProductsUnavailableError';
  constructor(reason: UnavailableReason, cause: unknown) {
    super('products', reason, cause);
  }
}

/** Products answered, but not with 200 and a `{"items":[...]}` body. */
class UpstreamAnswerError extends Error {
  override readonly name = 'UpstreamAnswerError';
}

/** Options for {@link createProductsClient}. */
export interface ProductsClientOptions {
  /** Base URL of products now, without trailing slash (PRODUCTS_URL, or what the registry says at call time). */
  baseUrl: () => string | Promise<string>;
  /** Policy each call runs under (see policy.ts). */
  policy: IPolicy<IDefaultPolicyContext>;
  /** Whether an attempt is aborted when the policy's timeout fires (false for the naive variant: no timeout). */
  abortOnTimeout: boolean;
  /** Whether the whole call stops when the client went away (only the resilient variant is that careful). */
  cancelOnClientGone: boolean;
  /**
   * Agent for an https: `baseUrl` (SHOP_SECURITY=mtls: client certificate and
   * CA, see shared/tls.ts); such calls go through node:https, whose client
   * takes an agent. http: base URLs use fetch.
   */
  agent?: https.Agent;
}

/** What one GET answered: status and parsed JSON body (undefined when not 200). */
interface GetAnswer {
  status: number;
  body: unknown;
}

function getWithFetch(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<GetAnswer> {
  return fetch(url, { headers, ...(signal ? { signal } : {}) }).then(async (response) => {
    if (response.status !== 200) {
      await response.body?.cancel();
      return { status: response.status, body: undefined };
    }
    return { status: 200, body: (await response.json()) as unknown };
  });
}

async function getWithHttps(
  url: string,
  headers: Record<string, string>,
  agent: https.Agent,
  signal?: AbortSignal,
): Promise<GetAnswer> {
  const answer = await httpsJson(url, { method: 'GET', headers, agent, ...(signal ? { signal } : {}) });
  return answer.status === 200 ? answer : { status: answer.status, body: undefined };
}

/** Asks products for `ids`; returns those it knows. */
export type FetchProducts = (
  ids: readonly string[],
  options: { correlationId: string; signal: AbortSignal },
) => Promise<QuotedProduct[]>;

function isQuotedProduct(value: unknown): value is QuotedProduct {
  const v = value as Partial<QuotedProduct> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    Number.isInteger(v.priceCents) &&
    typeof v.currency === 'string'
  );
}

/** Builds the client orders uses for `GET {PRODUCTS_URL}/api/products?ids=...`. */
export function createProductsClient(options: ProductsClientOptions): FetchProducts {
  return async (ids, { correlationId, signal }) => {
    const query = `/api/products?ids=${ids.map(encodeURIComponent).join(',')}`;
    const attempt = async (context: IDefaultPolicyContext): Promise<QuotedProduct[]> => {
      // Read per attempt: with a registry, products' address may change between attempts.
      const url = `${await options.baseUrl()}${query}`;
      const headers = { accept: 'application/json', 'x-correlation-id': correlationId };
      const signal = options.abortOnTimeout ? context.signal : undefined;
      const answer = options.agent
        ? await getWithHttps(url, headers, options.agent, signal)
        : await getWithFetch(url, headers, signal);
      if (answer.status !== 200) throw new UpstreamAnswerError(`products answered ${answer.status}`);
      const body = answer.body as { items?: unknown };
      if (!Array.isArray(body.items) || !body.items.every(isQuotedProduct)) {
        throw new UpstreamAnswerError('products answered without a valid "items" array');
      }
      return body.items;
    };
    try {
      return await options.policy.execute(attempt, options.cancelOnClientGone ? signal : undefined);
    } catch (error) {
      throw new ProductsUnavailableError(reasonOf(error), error);
    }
  };
}

/** The `reason` of a 503 for an error the policy threw. */
export function reasonOf(error: unknown): UnavailableReason {
  if (error instanceof BrokenCircuitError) return 'circuit_open';
  if (error instanceof TaskCancelledError) return 'timeout';
  return 'upstream_error';
}
