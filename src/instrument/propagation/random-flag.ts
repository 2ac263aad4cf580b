// The SDK's Tracer sets only the sampled bit on a new span's trace-flags, so a
// trace continued from a caller that set Level 2's random bit (0x02) would lose
// it at the first hop. The preload's tracers OR the parent's random bit into the
// child's span context, in the same trace only (W3C Trace Context Level 2,
// §3.2.2.5.2 "Random Trace ID Flag": the flag describes the trace id, which the
// child shares). A span that starts a new trace gets the bit itself: its trace
// id comes from the SDK's random id generator, which is what the bit declares.
import type { Context, Span, SpanContext, SpanOptions, Tracer, TracerProvider } from '@opentelemetry/api';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { TRACE_FLAG_RANDOM } from './trace-flags.js';

/** Sets the random bit on `span` when `parent` has it and both are in the same trace. */
export function inheritRandomFlag(span: Span, parent: SpanContext | undefined): void {
  if (parent === undefined || (parent.traceFlags & TRACE_FLAG_RANDOM) === 0) return;
  // The SDK's span (and its non-recording span) return the context object they hold: setting it here is seen by inject.
  const own = span.spanContext() as { traceId: string; traceFlags: number };
  if (own.traceId === parent.traceId) own.traceFlags |= TRACE_FLAG_RANDOM;
}

/** Sets the random bit on a span that starts a new trace (no valid parent, or a parent of another trace). */
function markNewTraceRandom(span: Span, parent: SpanContext | undefined): void {
  const own = span.spanContext() as { traceId: string; traceFlags: number };
  if (parent === undefined || !isSpanContextValid(parent) || parent.traceId !== own.traceId) {
    own.traceFlags |= TRACE_FLAG_RANDOM;
  }
}

const WRAPPED = Symbol.for('msa-verify.instrument.random-flag');

/** Makes every tracer of `provider` set the random bit on new traces and pass a parent's on to its children. */
export function propagateRandomFlag(provider: TracerProvider): void {
  const getTracer = provider.getTracer.bind(provider);
  provider.getTracer = (name, version, options) => withRandomFlag(getTracer(name, version, options));
}

function withRandomFlag(tracer: Tracer): Tracer {
  const marked = tracer as Tracer & { [WRAPPED]?: true };
  if (marked[WRAPPED]) return tracer;
  const startSpan = tracer.startSpan.bind(tracer);
  // startActiveSpan calls this.startSpan, so it goes through here too.
  tracer.startSpan = (name: string, options?: SpanOptions, ctx: Context = context.active()): Span => {
    const span = startSpan(name, options, ctx);
    const parent = options?.root === true ? undefined : trace.getSpanContext(ctx);
    markNewTraceRandom(span, parent);
    inheritRandomFlag(span, parent);
    return span;
  };
  marked[WRAPPED] = true;
  return tracer;
}
