// latency: client-side latency percentiles (from the intended send time, so
// queueing is included) stay under their bounds. Dropped requests are left out
// (they are errors, judged by error-rate).

import { z } from 'zod';
import { durationField } from '../../core/config/fields.js';
import { percentile } from '../load/stats.js';
import { ms, nameParam, nothingToJudge, parseDuration, requestParam, selectSamples, sent, verdict } from './common.js';
import type { ExpectationDefinition } from './types.js';

const KEYS = ['p50', 'p95', 'p99', 'max'] as const;

export const latencyParams = z
  .strictObject({
    name: nameParam,
    request: requestParam,
    p50: durationField.optional(),
    p95: durationField.optional(),
    p99: durationField.optional(),
    max: durationField.optional(),
  })
  .refine((p) => KEYS.some((k) => p[k] !== undefined), { message: 'give at least one of p50, p95, p99, max' });

export type LatencyParams = z.infer<typeof latencyParams>;

/** `latency`: p50/p95/p99/max of `latencyMs` within their bounds; the first bound exceeded decides. */
export const latencyExpectation: ExpectationDefinition<LatencyParams> = {
  type: 'latency',
  params: latencyParams,
  judge(p, evidence) {
    const given = KEYS.filter((k) => p[k] !== undefined);
    const boundText = given.map((k) => `${k} <= ${p[k]}`).join(', ');
    const samples = sent(selectSamples(evidence.samples, p.request));
    if (samples.length === 0) {
      return nothingToJudge('latency', evidence, p.name, boundText, 'ms', 'no requests were sent');
    }
    const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const observed = (k: (typeof KEYS)[number]) =>
      k === 'max' ? sorted[sorted.length - 1]! : percentile(sorted, Number(k.slice(1)));
    const failing = given.find((k) => observed(k) > parseDuration(p[k]!));
    const key = failing ?? given[given.length - 1]!;
    const all = given.map((k) => `${k} ${ms(observed(k))}`).join(', ');
    const message = failing
      ? `${key} latency ${ms(observed(key))} exceeds the bound of ${p[key]} (${all}; ${samples.length} requests).`
      : `latency within bounds: ${all} against ${boundText} (${samples.length} requests).`;
    return verdict('latency', evidence, {
      name: p.name,
      passed: failing === undefined,
      observed: observed(key),
      bound: `${key} <= ${p[key]}`,
      unit: 'ms',
      message,
    });
  },
};
