// The spans of one request, organised for the rules: `related` are the spans of
// every trace that carries the run's correlation ID; `main` is the trace rooted
// at the entry service; `window` (filled only when a rule needs to explain a
// failure) holds other spans of the same time window.
import { CORRELATION_ATTRIBUTE } from '../evidence/correlate.js';
import type { SpanRecord } from '../evidence/types.js';

/** What the rules look at. */
export interface TraceView {
  readonly correlationId: string;
  readonly root: string;
  readonly related: readonly SpanRecord[];
  /** Trace id of the main trace; null when no span carries the ID. */
  readonly traceId: string | null;
  readonly main: readonly SpanRecord[];
  /** Spans of the time window outside `related` (for diagnoses); may be empty. */
  readonly window: readonly SpanRecord[];
}

const ENTRY_KINDS = new Set<SpanRecord['kind']>(['server', 'consumer']);

/** The span's correlation ID, if it carries one. */
export function correlationOf(span: SpanRecord): string | undefined {
  const v = span.attributes[CORRELATION_ATTRIBUTE];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Picks the main trace: the one whose root is the entry service's server or
 * consumer span carrying the ID (earliest first); else the trace with the most spans.
 */
export function buildTraceView(
  correlationId: string,
  root: string,
  related: readonly SpanRecord[],
  window: readonly SpanRecord[] = [],
): TraceView {
  const entries = related
    .filter((s) => s.parentSpanId === undefined && s.service === root && ENTRY_KINDS.has(s.kind))
    .filter((s) => correlationOf(s) === correlationId)
    .sort((a, b) => a.startTime - b.startTime);
  let traceId = entries[0]?.traceId ?? null;
  if (traceId === null && related.length > 0) {
    const counts = new Map<string, number>();
    for (const s of related) counts.set(s.traceId, (counts.get(s.traceId) ?? 0) + 1);
    traceId = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  }
  const seen = new Set(related.map((s) => `${s.traceId}/${s.spanId}`));
  return {
    correlationId,
    root,
    related,
    traceId,
    main: related.filter((s) => s.traceId === traceId),
    window: window.filter((s) => !seen.has(`${s.traceId}/${s.spanId}`)),
  };
}

const INDEX = new WeakMap<TraceView, Map<string, SpanRecord[]>>();

/** The request's spans of one service and kind (indexed once per view, so hop rules stay linear). */
export function spansOf(view: TraceView, service: string, kind: SpanRecord['kind']): readonly SpanRecord[] {
  let index = INDEX.get(view);
  if (!index) {
    index = new Map();
    for (const s of view.related) {
      const key = `${s.service}\u0000${s.kind}`;
      const list = index.get(key);
      if (list) list.push(s);
      else index.set(key, [s]);
    }
    INDEX.set(view, index);
  }
  return index.get(`${service}\u0000${kind}`) ?? [];
}

/** `orders' client span 'GET'` style description. */
export function describeSpan(span: SpanRecord): string {
  return `${possessive(span.service)} ${span.kind} span '${span.name}'`;
}

/** `products'` and `gateway's`. */
export function possessive(name: string): string {
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}
