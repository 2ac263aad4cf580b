// A span processor placed before the exporting ones: stamps the correlation ID
// on every span when it starts, and when it ends redacts secrets and feeds the
// RED histograms. Attributes are mutated in place, so exporters never see the
// raw values.
import { type Span as ApiSpan, type Attributes, type Context, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { isValidCorrelationId } from '../core/correlation-id.js';
import { SPAN_KIND_SERVER } from './otel-enums.js';
import { CORRELATION_ATTRIBUTE, correlationFromContext, generateCorrelationId } from './propagation/correlation.js';
import type { RecentRequests } from './propagation/recent-requests.js';
import { redactAttributes } from './redact.js';

/** Receives every ended span (for metrics). */
export type SpanSink = (span: ReadableSpan) => void;

/** Correlation ID of `span`, read from its attributes. */
export function correlationOfSpan(span: ApiSpan | undefined): string | undefined {
  const attributes = (span as unknown as { attributes?: Attributes } | undefined)?.attributes;
  const value = attributes?.[CORRELATION_ATTRIBUTE];
  return typeof value === 'string' ? value : undefined;
}

/** Correlation ID of `ctx`: its own (extracted or generated), else its span's. */
export function correlationOf(ctx: Context): string | undefined {
  return correlationFromContext(ctx) ?? correlationOfSpan(trace.getSpan(ctx));
}

/** Stamps correlation IDs, redacts, and forwards ended spans to `sink`. */
export class MsaVerifySpanProcessor implements SpanProcessor {
  readonly #redactHeaders: readonly string[];
  readonly #sink: SpanSink | undefined;

  readonly #recent: RecentRequests | undefined;

  constructor(redactHeaders: readonly string[], sink?: SpanSink, recent?: RecentRequests) {
    this.#redactHeaders = redactHeaders;
    this.#sink = sink;
    this.#recent = recent;
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      // Set from an outbound request's own header by a start-span hook: the app's choice wins.
      if (isValidCorrelationId(span.attributes[CORRELATION_ATTRIBUTE])) return;
      const id = correlationOf(parentContext) ?? generateCorrelationId();
      span.setAttribute(CORRELATION_ATTRIBUTE, id);
      if (span.kind === SPAN_KIND_SERVER) this.#recent?.remember(id, span.spanContext());
    } catch {
      // Telemetry must never break the app.
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      redactAttributes(span.attributes as Record<string, unknown>, this.#redactHeaders);
      this.#sink?.(span);
    } catch {
      // Telemetry must never break the app.
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
