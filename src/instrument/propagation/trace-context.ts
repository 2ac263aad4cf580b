// W3C Trace Context Level 2 (https://www.w3.org/TR/trace-context-2/) on top of
// @opentelemetry/core's parser, where the stock propagator is more lenient
// than the spec's processing rules. Sections are cited by number and title:
//   traceparent (§3.2 "Traceparent Header"): several header fields (an array,
//     or values joined by ",") are invalid, so the request starts a new trace
//     (§4 "Processing Model": an invalid traceparent restarts the trace; the
//     spec's test suite case test_traceparent_duplicated);
//   tracestate (§3.3 "Tracestate Header", its "list", "Key", "Value" and
//     "Combined Header Value" rules): a list with an invalid member, a key
//     over 256 characters, a repeated key or more than 32 list-members is
//     discarded whole, never trimmed to its valid part (test suite cases
//     test_tracestate_*); see tracestate.ts;
//   trace-flags (§3.2.2.5): the sampled (0x01) and random (0x02, §3.2.2.5.2
//     "Random Trace ID Flag") bits are kept and written back as two hex digits;
//     the other bits are written as zero ("Other Flags").
// Child spans get the random bit from inheritRandomFlag (random-flag.ts).
import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { isTracingSuppressed, parseTraceParent } from '@opentelemetry/core';
import { TRACE_FLAGS_KNOWN } from './trace-flags.js';
import { parseTracestate } from './tracestate.js';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
/** The W3C `traceparent`/`tracestate` propagator with the Level 2 rules above. */
export class W3CTraceContextLevel2 implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext === undefined || isTracingSuppressed(ctx) || !isSpanContextValid(spanContext)) return;
    const flags = (spanContext.traceFlags & TRACE_FLAGS_KNOWN).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT, `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
    if (spanContext.traceState) setter.set(carrier, TRACESTATE, spanContext.traceState.serialize());
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const value = singleTraceparent(getter.get(carrier, TRACEPARENT));
    if (value === undefined) return ctx;
    const parsed = parseTraceParent(value);
    if (parsed === null) return ctx;
    const spanContext: SpanContext = {
      traceId: parsed.traceId,
      spanId: parsed.spanId,
      traceFlags: parsed.traceFlags & TRACE_FLAGS_KNOWN,
      isRemote: true,
    };
    const state = parseTracestate(getter.get(carrier, TRACESTATE));
    if (state !== undefined) spanContext.traceState = state;
    return trace.setSpanContext(ctx, spanContext);
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}

/** The one `traceparent` value, or undefined when there is none or several (joined by "," or as an array). */
export function singleTraceparent(header: string | string[] | undefined): string | undefined {
  const one = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header;
  return typeof one === 'string' && one.length > 0 && !one.includes(',') ? one : undefined;
}
