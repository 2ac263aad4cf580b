// How orders calls customers over gRPC, chosen from the environment. The
// deadline and the retry policy are gRPC's own (a per-call deadline; a
// `retryPolicy` in the channel's service config, so grpc-js retries); the
// breaker is cockatiel's, as for products.
import { choiceEnv, EnvError, intEnv, stringEnv } from '../shared/env.ts';

/** gRPC status names a retry policy may list. */
export type RetryableCode = 'UNAVAILABLE' | 'UNKNOWN' | 'INTERNAL' | 'ABORTED' | 'RESOURCE_EXHAUSTED';

/** The retry policy put into the service config (grpc-js caps attempts at 5). */
export interface CustomersRetry {
  /** Attempts in total including the first, 2..5. */
  maxAttempts: number;
  /** First backoff, ms (the n-th retry waits a random time in [0, min(max, base·multiplierⁿ⁻¹)]). */
  initialBackoffMs: number;
  /** Largest backoff, ms. */
  maxBackoffMs: number;
  backoffMultiplier: number;
  retryableStatusCodes: RetryableCode[];
}

/**
 * - `resilient` (default): a deadline per call, retries on UNAVAILABLE only with
 *   exponential backoff, a consecutive-failure breaker;
 * - variants: `deadlineMs: undefined` (ORDERS_CUSTOMERS_DEADLINE=off) waits forever;
 *   ORDERS_CUSTOMERS_RETRY=storm retries at once (1 ms, no growth) up to 5 attempts
 *   also on codes after which the server may have done the work (UNKNOWN, INTERNAL,
 *   ABORTED) and on RESOURCE_EXHAUSTED, without a breaker; ORDERS_RESILIENCE=off
 *   (naive): no deadline, no retry, no breaker.
 */
export interface CustomersSettings {
  /** host:port of customers; undefined: orders runs without the customer check (CUSTOMERS_ADDR unset). */
  address: string | undefined;
  /** Deadline of each call including its retries, ms; undefined: none. */
  deadlineMs: number | undefined;
  /** Retry policy; undefined: no retries. */
  retry: CustomersRetry | undefined;
  /** Breaker settings; undefined: no breaker. */
  breaker: { threshold: number; halfOpenAfterMs: number } | undefined;
  /** Whether a call is cancelled when the HTTP client went away. */
  cancelOnClientGone: boolean;
}

/** Attempts the storm variant makes (the most grpc-js allows). */
export const CUSTOMERS_STORM_ATTEMPTS = 5;

/** Reads the settings; throws EnvError on a bad value. */
export function readCustomersSettings(): CustomersSettings {
  const address = stringEnv('CUSTOMERS_ADDR', '') || undefined;
  if (address !== undefined && !/^[\w.-]+:\d{1,5}$/.test(address)) {
    throw new EnvError(`CUSTOMERS_ADDR=${JSON.stringify(address)}: expected host:port`);
  }
  const resilience = choiceEnv('ORDERS_RESILIENCE', ['on', 'off'], 'on');
  const deadline = choiceEnv('ORDERS_CUSTOMERS_DEADLINE', ['on', 'off'], 'on');
  const retryMode = choiceEnv('ORDERS_CUSTOMERS_RETRY', ['safe', 'storm'], 'safe');
  const deadlineMs = intEnv('ORDERS_CUSTOMERS_DEADLINE_MS', 400, 1, 600_000);
  const attempts = intEnv('ORDERS_CUSTOMERS_RETRY_ATTEMPTS', 3, 1, 5);
  const breaker = {
    threshold: intEnv('ORDERS_BREAKER_THRESHOLD', 5, 1, 1000),
    halfOpenAfterMs: intEnv('ORDERS_BREAKER_HALF_OPEN_MS', 3000, 1, 600_000),
  };
  if (resilience === 'off') {
    return { address, deadlineMs: undefined, retry: undefined, breaker: undefined, cancelOnClientGone: false };
  }
  if (retryMode === 'storm') {
    return {
      address,
      deadlineMs: deadline === 'on' ? deadlineMs : undefined,
      retry: {
        maxAttempts: CUSTOMERS_STORM_ATTEMPTS,
        initialBackoffMs: 1,
        maxBackoffMs: 1,
        backoffMultiplier: 1,
        retryableStatusCodes: ['UNAVAILABLE', 'UNKNOWN', 'INTERNAL', 'ABORTED', 'RESOURCE_EXHAUSTED'],
      },
      breaker: undefined,
      cancelOnClientGone: false,
    };
  }
  return {
    address,
    deadlineMs: deadline === 'on' ? deadlineMs : undefined,
    retry:
      attempts < 2
        ? undefined
        : {
            maxAttempts: attempts,
            initialBackoffMs: intEnv('ORDERS_CUSTOMERS_RETRY_BASE_MS', 50, 1, 60_000),
            maxBackoffMs: intEnv('ORDERS_CUSTOMERS_RETRY_MAX_MS', 400, 1, 600_000),
            backoffMultiplier: 2,
            retryableStatusCodes: ['UNAVAILABLE'],
          },
    breaker,
    cancelOnClientGone: true,
  };
}

/** The gRPC service config for the settings (a `retryPolicy` for every method of `service`). */
export function customersServiceConfig(settings: CustomersSettings, service: string): string {
  const retry = settings.retry;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)}s`;
  return JSON.stringify({
    methodConfig: [
      {
        name: [{ service }],
        ...(retry
          ? {
              retryPolicy: {
                maxAttempts: retry.maxAttempts,
                initialBackoff: seconds(retry.initialBackoffMs),
                maxBackoff: seconds(retry.maxBackoffMs),
                backoffMultiplier: retry.backoffMultiplier,
                retryableStatusCodes: retry.retryableStatusCodes,
              },
            }
          : {}),
      },
    ],
  });
}
