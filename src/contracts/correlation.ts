import { MatchersV3 } from '@pact-foundation/pact';
import { CORRELATION_ID_SOURCE, DEFAULT_CORRELATION_HEADER } from '../core/correlation-id.js';

// Correlation built into contracts: a consumer contract with correlation on
// requires that requests (or message headers) carry a W3C `traceparent` and a
// correlation id, matched by regex so any real value passes.

/** W3C trace context `traceparent`: version-traceid-parentid-flags, lower-case hex. */
export const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';
/**
 * A correlation id: the preload's rule (core/correlation-id.ts), so every id
 * the preload passes on also matches a contract.
 */
export const CORRELATION_ID_PATTERN: string = CORRELATION_ID_SOURCE;

/** Example values written into pacts (and sent by consumer tests). */
export const EXAMPLE_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
export const EXAMPLE_CORRELATION_ID = 'c0ffee00-0000-4000-8000-000000000001';

/** `true` for defaults, or the header name and whether `traceparent` is required too. */
export type CorrelationOption =
  | boolean
  | {
      /** Correlation header. Default `x-correlation-id`. */
      readonly header?: string;
      /** Require `traceparent` as well. Default true. */
      readonly traceparent?: boolean;
      /** HTTP only: require the provider to answer with the correlation header too. Default false. */
      readonly echo?: boolean;
    };

/** Resolved correlation requirement; `undefined` when off. */
export interface Correlation {
  readonly header: string;
  readonly traceparent: boolean;
  readonly echo: boolean;
}

/** Normalises a {@link CorrelationOption}. */
export function resolveCorrelation(option: CorrelationOption | undefined): Correlation | undefined {
  if (!option) return undefined;
  if (option === true) return { header: DEFAULT_CORRELATION_HEADER, traceparent: true, echo: false };
  return {
    header: (option.header ?? DEFAULT_CORRELATION_HEADER).toLowerCase(),
    traceparent: option.traceparent ?? true,
    echo: option.echo ?? false,
  };
}

/** Regex matchers for the correlation headers (for pact request headers or message metadata). */
export function correlationMatchers(correlation: Correlation): Record<string, MatchersV3.Matcher<string>> {
  const out: Record<string, MatchersV3.Matcher<string>> = {
    [correlation.header]: MatchersV3.regex(CORRELATION_ID_PATTERN, EXAMPLE_CORRELATION_ID),
  };
  if (correlation.traceparent) out.traceparent = MatchersV3.regex(TRACEPARENT_PATTERN, EXAMPLE_TRACEPARENT);
  return out;
}

/** The example header values a consumer test sends so that its requests match. */
export function correlationExample(correlation: Correlation): Record<string, string> {
  const out: Record<string, string> = { [correlation.header]: EXAMPLE_CORRELATION_ID };
  if (correlation.traceparent) out.traceparent = EXAMPLE_TRACEPARENT;
  return out;
}
