// Joins spans to the generator's requests: the preload records the inbound
// x-correlation-id as the span attribute `correlation.id`, so a trace belongs
// to a run's request when any of its spans carries one of the run's ids.

import type { SpanRecord } from './types.js';

/** Span attribute the preload sets from the x-correlation-id header. */
export const CORRELATION_ATTRIBUTE = 'correlation.id';

/** correlation id -> trace id, for spans that carry the attribute. */
export function traceIdsByCorrelation(spans: readonly SpanRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of spans) {
    const id = s.attributes[CORRELATION_ATTRIBUTE];
    if (typeof id === 'string' && !out.has(id)) out.set(id, s.traceId);
  }
  return out;
}

/** Spans of the traces that carry one of `correlationIds` (other traffic is left out). */
export function spansOfRequests(spans: readonly SpanRecord[], correlationIds: Iterable<string>): SpanRecord[] {
  const wanted = new Set(correlationIds);
  const traces = new Set<string>();
  for (const [cid, traceId] of traceIdsByCorrelation(spans)) if (wanted.has(cid)) traces.add(traceId);
  return spans.filter((s) => traces.has(s.traceId));
}
