import type { TraceRuleVerdict } from '../core/trace-results.js';
import { correlationOf, type TraceView } from './trace-view.js';

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
  const named = wrong.slice(0, 3).map((s) => {
    const id = correlationOf(s);
    return id === undefined
      ? `${s.service}: ${s.kind} span lacks correlation.id`
      : `${s.service}: ${s.kind} span carries correlation.id ${id}, not the one sent`;
  });
  const more = wrong.length > 3 ? `; and ${wrong.length - 3} more` : '';
  return { ...base, passed: false, observed: wrong.length, message: `${[...new Set(named)].join('; ')}${more}` };
}
