// The one rule for a correlation ID, shared by the preload (which accepts or
// replaces inbound values) and the contract matchers (which write it into
// pacts): two rules let an ID the preload passes on fail a contract.
// Dependency-free on purpose: the preload bundle (scripts/bundle-instrument.ts)
// imports this file directly, not through core's index.

/**
 * Source of the accepted correlation ID pattern: 1 to 128 characters from
 * `A-Z a-z 0-9 . _ : + / = -`. A string, for regex matchers that are not
 * JavaScript (Pact's matchers run in its Rust core).
 */
export const CORRELATION_ID_SOURCE = '^[A-Za-z0-9._:+/=-]{1,128}$';

/**
 * Accepted correlation ID ({@link CORRELATION_ID_SOURCE}). Anything else
 * (empty, longer, spaces, CR/LF, other control characters, non-ASCII) cannot
 * split a header or a log line.
 */
export const CORRELATION_ID_PATTERN: RegExp = new RegExp(CORRELATION_ID_SOURCE);

/** Default correlation header; the preload also accepts `x-request-id`. */
export const DEFAULT_CORRELATION_HEADER = 'x-correlation-id';

/** True when `value` is a string that satisfies {@link CORRELATION_ID_PATTERN}. */
export function isValidCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID_PATTERN.test(value);
}
