// One request, one trace: a second trace carrying the same correlation ID means
// a hop started a new trace instead of continuing the caller's.
import type { TraceRuleVerdict } from '../core/trace-results.js';
import { hopLabel } from './hop-label.js';
import type { Hop } from './schema.js';
import { possessive, type TraceView } from './trace-view.js';

/** Judges that exactly one trace carries the correlation ID, naming the hop of any second root. */
export function judgeOneTrace(view: TraceView, hops: readonly Hop[]): TraceRuleVerdict {
  const traces = new Set(view.related.map((s) => s.traceId));
  const base = { rule: 'one-trace', name: 'one trace', bound: '1 trace', unit: 'traces' };
  if (traces.size === 0) {
    return { ...base, passed: false, observed: 0, message: `no span carries correlation.id ${view.correlationId}` };
  }
  if (traces.size === 1) {
    return { ...base, passed: true, observed: 1, message: `one trace (${view.traceId}) carries the correlation ID` };
  }
  const problems: string[] = [];
  for (const traceId of traces) {
    if (traceId === view.traceId) continue;
    const spans = view.related.filter((s) => s.traceId === traceId).sort((a, b) => a.startTime - b.startTime);
    const root = spans.find((s) => s.parentSpanId === undefined) ?? spans[0]!;
    const hop = hops.find((h) => h.to === root.service);
    const where = hop ? `${hopLabel(hop)}: ` : `${root.service}: `;
    const how = root.parentSpanId === undefined ? 'starts a new trace (no parent)' : `belongs to trace ${traceId}`;
    problems.push(`${where}${possessive(root.service)} ${root.kind} span ${how}; traceparent was not propagated`);
  }
  return { ...base, passed: false, observed: traces.size, message: problems.join('; ') };
}
