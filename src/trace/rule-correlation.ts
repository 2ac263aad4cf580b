import type { TraceRuleVerdict } from '../core/trace-results.js';
import type { SpanRecord } from '../evidence/types.js';
import { correlationOf, describeSpan, type TraceView } from './trace-view.js';

/** Judges that every span of the request (main trace and any split-off one) carries `correlation.id` equal to the one sent. */
export function judgeCorrelation(view: TraceView): TraceRuleVerdict {
  const wrong = view.related.filter((s) => correlationOf(s) !== view.correlationId);
  const base = {
    rule: 'correlation',
    name: 'correlation.id on every span',
    bound: '0 spans without it',
    unit: 'spans',
  };
  if (view.related.length === 0) return { ...base, passed: false, observed: null, message: 'no trace to check' };
  if (wrong.length === 0) {
    return {
      ...base,
      passed: true,
      observed: 0,
      message: `all ${view.related.length} spans carry ${view.correlationId}`,
    };
  }
  const byId = new Map(view.related.map((s) => [s.spanId, s] as const));
  const named = wrong.slice(0, 3).map((s) => {
    const id = correlationOf(s);
    const what = id === undefined ? 'lacks correlation.id' : `carries correlation.id ${id}, not the one sent`;
    const caller = s.parentSpanId === undefined ? undefined : byId.get(s.parentSpanId);
    return lostAtHop(s, caller, view.correlationId)
      ? `${caller!.service} → ${s.service}: ${describeSpan(s)} ${what}, under ${describeSpan(caller!)} that carries it: the correlation header was not forwarded on this hop`
      : `${s.service}: ${s.kind} span ${what}`;
  });
  const more = wrong.length > 3 ? `; and ${wrong.length - 3} more` : '';
  return { ...base, passed: false, observed: wrong.length, message: `${[...new Set(named)].join('; ')}${more}` };
}

// The ID was lost between two services: the callee's span is wrong while its
// caller, in another service, had the right one.
function lostAtHop(span: SpanRecord, caller: SpanRecord | undefined, expected: string): boolean {
  return caller !== undefined && caller.service !== span.service && correlationOf(caller) === expected;
}
