import type { SpanRecord } from './types.js';

/** True when the span overlaps `[from, to]` (epoch ms). */
export function overlaps(span: SpanRecord, window: { from: number; to: number }): boolean {
  return span.startTime <= window.to && span.endTime >= window.from;
}
