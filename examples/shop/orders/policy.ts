import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  halfJitterGenerator,
  handleAll,
  handleWhen,
  type IDefaultPolicyContext,
  type IPolicy,
  noop,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import type { Logger } from 'pino';
import { choiceEnv, intEnv } from '../shared/env.ts';

/** Attempts the retry-storm variant makes (no backoff between them, no breaker). */
export const STORM_ATTEMPTS = 50;

/**
 * How orders calls products, chosen from the environment:
 * - `resilient` (default): per-attempt timeout, bounded exponential retry with
 *   jitter, consecutive-failure circuit breaker that fails fast while open;
 * - `naive` (ORDERS_RESILIENCE=off): a plain fetch, no timeout, no retry, no breaker;
 * - `storm` (ORDERS_RETRY_STORM=on): per-attempt timeout, then immediate
 *   retries, up to STORM_ATTEMPTS, no backoff, no breaker.
 */
export type PolicySettings =
  | {
      kind: 'resilient';
      /** Per-attempt timeout, ms (ORDERS_TIMEOUT_MS, default 800). */
      timeoutMs: number;
      /** Attempts in total including the first (ORDERS_RETRY_ATTEMPTS, default 3). */
      attempts: number;
      /** First backoff delay, ms; doubles per retry (ORDERS_RETRY_BASE_MS, default 50). */
      retryBaseMs: number;
      /** Largest backoff delay, ms (ORDERS_RETRY_MAX_MS, default 500). */
      retryMaxMs: number;
      /** Consecutive failed attempts that open the breaker (ORDERS_BREAKER_THRESHOLD, default 5). */
      breakerThreshold: number;
      /** Time the breaker stays open before a trial call, ms (ORDERS_BREAKER_HALF_OPEN_MS, default 3000). */
      halfOpenAfterMs: number;
    }
  | { kind: 'naive' }
  | { kind: 'storm'; timeoutMs: number; attempts: number };

/** Reads the policy settings from the environment; throws EnvError on a bad value. */
export function readPolicySettings(): PolicySettings {
  const resilience = choiceEnv('ORDERS_RESILIENCE', ['on', 'off'], 'on');
  const storm = choiceEnv('ORDERS_RETRY_STORM', ['off', 'on'], 'off');
  const timeoutMs = intEnv('ORDERS_TIMEOUT_MS', 800, 1, 600_000);
  if (resilience === 'off') return { kind: 'naive' };
  if (storm === 'on') return { kind: 'storm', timeoutMs, attempts: STORM_ATTEMPTS };
  return {
    kind: 'resilient',
    timeoutMs,
    attempts: intEnv('ORDERS_RETRY_ATTEMPTS', 3, 1, 20),
    retryBaseMs: intEnv('ORDERS_RETRY_BASE_MS', 50, 0, 60_000),
    retryMaxMs: intEnv('ORDERS_RETRY_MAX_MS', 500, 0, 600_000),
    breakerThreshold: intEnv('ORDERS_BREAKER_THRESHOLD', 5, 1, 1000),
    halfOpenAfterMs: intEnv('ORDERS_BREAKER_HALF_OPEN_MS', 3000, 1, 600_000),
  };
}

/**
 * Builds the cockatiel policy for the settings. Order, outermost first:
 * retry → breaker → timeout, so every attempt has its own timeout, the
 * breaker counts failed attempts, and an open breaker (BrokenCircuitError)
 * is not retried: the call fails fast. Each call builds its own breaker:
 * `dependency` names the service in the log lines.
 */
export function buildPolicy(
  settings: PolicySettings,
  logger: Logger,
  dependency = 'products',
): IPolicy<IDefaultPolicyContext> {
  if (settings.kind === 'naive') return noop;
  const perAttempt = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
  if (settings.kind === 'storm') {
    const storm = retry(handleAll, { maxAttempts: settings.attempts - 1 });
    storm.onRetry((event) => logger.warn({ attempt: event.attempt, delayMs: 0 }, `retrying ${dependency} (storm)`));
    return wrap(storm, perAttempt);
  }
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: settings.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(settings.breakerThreshold),
  });
  breaker.onBreak(() => logger.warn({ dependency, threshold: settings.breakerThreshold }, 'circuit breaker opened'));
  breaker.onHalfOpen(() => logger.info({ dependency }, `circuit breaker half-open: trying ${dependency} again`));
  breaker.onReset(() => logger.info({ dependency }, 'circuit breaker closed'));
  const backoff = new ExponentialBackoff({
    initialDelay: settings.retryBaseMs,
    maxDelay: settings.retryMaxMs,
    generator: halfJitterGenerator,
  });
  const retries = retry(
    handleWhen((error) => !(error instanceof BrokenCircuitError)),
    { maxAttempts: settings.attempts - 1, backoff },
  );
  retries.onRetry((event) =>
    logger.warn({ attempt: event.attempt, delayMs: Math.round(event.delay) }, `retrying ${dependency}`),
  );
  return wrap(retries, breaker, perAttempt);
}
