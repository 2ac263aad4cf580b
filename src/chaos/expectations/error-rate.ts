// error-rate: the share of requests that failed (transport error, client
// timeout, dropped, 5xx; 4xx too with include4xx) stays under a bound.

import { z } from 'zod';
import {
  isError,
  nameParam,
  nothingToJudge,
  pct,
  ratioParam,
  requestParam,
  selectSamples,
  toRatio,
  verdict,
} from './common.js';
import type { ExpectationDefinition } from './types.js';

export const errorRateParams = z.strictObject({
  name: nameParam,
  request: requestParam,
  /** Highest acceptable error ratio: 0.01 or "1%". */
  max: ratioParam,
  include4xx: z.boolean().optional(),
});

export type ErrorRateParams = z.infer<typeof errorRateParams>;

/** Summarises the errors as `503 x12, timeout x3` for messages. */
export function errorBreakdown(samples: { status: number; error?: string }[], limit = 4): string {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const key = s.status === 0 ? (s.error ?? 'error') : String(s.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, n]) => `${k} x${n}`)
    .join(', ');
}

/** `error-rate`: failed requests / all requests of the phase <= max. */
export const errorRateExpectation: ExpectationDefinition<ErrorRateParams> = {
  type: 'error-rate',
  params: errorRateParams,
  judge(p, evidence) {
    const max = toRatio(p.max);
    const bound = `<= ${pct(max)}`;
    const samples = selectSamples(evidence.samples, p.request);
    if (samples.length === 0)
      return nothingToJudge('error-rate', evidence, p.name, bound, 'ratio', 'no requests were sent');
    const errors = samples.filter((s) => isError(s, p.include4xx));
    const rate = errors.length / samples.length;
    const passed = rate <= max;
    const detail = errors.length > 0 ? `; ${errorBreakdown(errors)}` : '';
    return verdict('error-rate', evidence, {
      name: p.name,
      passed,
      observed: rate,
      bound,
      unit: 'ratio',
      message: `error rate ${pct(rate)} (${errors.length} of ${samples.length} requests${detail}) ${passed ? 'is within' : 'exceeds'} the bound of ${pct(max)}.`,
    });
  },
};
