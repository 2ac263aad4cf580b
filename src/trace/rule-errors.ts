import type { TraceRuleVerdict } from '../core/trace-results.js';
import type { TraceCheck } from './schema.js';
import type { TraceView } from './trace-view.js';

/** Judges that no span of the request has status ERROR, except the allowed ones. */
export function judgeErrors(view: TraceView, allow: TraceCheck['expect']['allowErrors']): TraceRuleVerdict {
  const errors = view.related.filter(
    (s) =>
      s.status === 'error' &&
      !allow.some((a) => a.service === s.service && (a.name === undefined || a.name === s.name)),
  );
  const bound = allow.length ? `0 besides ${allow.length} allowed` : '0';
  const base = { rule: 'errors', name: 'no error spans', bound, unit: 'spans' };
  if (view.related.length === 0) return { ...base, passed: false, observed: null, message: 'no trace to check' };
  if (errors.length === 0) return { ...base, passed: true, observed: 0, message: 'no span has status ERROR' };
  const named = errors.slice(0, 3).map((s) => `${s.service}: ${s.kind} span '${s.name}' has status ERROR`);
  return { ...base, passed: false, observed: errors.length, message: named.join('; ') };
}
