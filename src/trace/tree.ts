import type { TraceSpanRow } from '../core/trace-results.js';
import type { SpanRecord } from '../evidence/types.js';
import { correlationOf } from './trace-view.js';

/**
 * Flattens spans into tree order: roots (spans whose parent is not among them)
 * by start time, each followed depth-first by its children by start time.
 */
export function toTreeRows(spans: readonly SpanRecord[]): TraceSpanRow[] {
  const ids = new Set(spans.map((s) => `${s.traceId}/${s.spanId}`));
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(`${s.traceId}/${s.parentSpanId}`)) {
      const key = `${s.traceId}/${s.parentSpanId}`;
      children.set(key, [...(children.get(key) ?? []), s]);
    } else roots.push(s);
  }
  const byStart = (a: SpanRecord, b: SpanRecord): number => a.startTime - b.startTime;
  const rows: TraceSpanRow[] = [];
  const visit = (s: SpanRecord, depth: number): void => {
    rows.push({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId ?? null,
      depth,
      service: s.service,
      name: s.name,
      kind: s.kind,
      startTime: s.startTime,
      durationMs: Math.round((s.endTime - s.startTime) * 1000) / 1000,
      status: s.status,
      correlationId: correlationOf(s) ?? null,
    });
    for (const c of (children.get(`${s.traceId}/${s.spanId}`) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  return rows;
}
