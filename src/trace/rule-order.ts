import type { TraceRuleVerdict } from '../core/trace-results.js';
import { hopLabel } from './hop-label.js';
import type { MatchedHop } from './rule-hop.js';
import type { Hop } from './schema.js';

/** Judges that the hops found started in the order listed (by the start of the callee's span). */
export function judgeOrder(hops: readonly Hop[], matches: readonly (MatchedHop | undefined)[]): TraceRuleVerdict {
  const base = { rule: 'order', name: 'hops in order', bound: 'as listed', unit: 'hops' };
  let previous: { hop: Hop; start: number } | undefined;
  let checked = 0;
  for (const [i, hop] of hops.entries()) {
    const m = matches[i];
    if (!m) continue;
    checked++;
    if (previous && m.callee.startTime < previous.start) {
      return {
        ...base,
        passed: false,
        observed: checked,
        message: `${hopLabel(hop)} started before ${hopLabel(previous.hop)}`,
      };
    }
    previous = { hop, start: m.callee.startTime };
  }
  // Missing hops fail their own rule; the order is judged among the hops found.
  const missing = hops.length - checked;
  return {
    ...base,
    passed: true,
    observed: checked,
    message: `${checked} hops in the order listed${missing ? ` (${missing} missing, judged by their own rule)` : ''}`,
  };
}
