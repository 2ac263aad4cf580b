// recovers-within: after the fault ended, the error rate (and optionally a
// latency percentile) returns to steady-state bounds within `within` and stays
// there. Time after the heal is cut into buckets (default 1s) by intended send
// time; the recovery time is the end of the last bucket that broke a bound.

import { z } from 'zod';
import { durationField } from '../../core/config/fields.js';
import { percentile } from '../load/stats.js';
import {
  isError,
  ms,
  nameParam,
  nothingToJudge,
  parseDuration,
  pct,
  ratioParam,
  requestParam,
  selectSamples,
  toRatio,
  verdict,
} from './common.js';
import type { ExpectationDefinition } from './types.js';

export const recoversWithinParams = z.strictObject({
  name: nameParam,
  request: requestParam,
  /** Longest acceptable time from the end of the fault to steady state. */
  within: durationField,
  /** Steady error-rate bound; default 1%. */
  errorRate: ratioParam.optional(),
  /** Steady p99 latency bound (not judged when absent). */
  p99: durationField.optional(),
  /** Bucket width; default 1s. */
  bucket: durationField.optional(),
});

export type RecoversWithinParams = z.infer<typeof recoversWithinParams>;

/** `recovers-within`: measured recovery time (ms after the fault ended) <= within. */
export const recoversWithinExpectation: ExpectationDefinition<RecoversWithinParams> = {
  type: 'recovers-within',
  params: recoversWithinParams,
  judge(p, evidence) {
    const bound = `<= ${p.within}`;
    const within = parseDuration(p.within);
    const maxErr = toRatio(p.errorRate ?? 0.01);
    const p99 = p.p99 === undefined ? undefined : parseDuration(p.p99);
    const width = Math.max(1, parseDuration(p.bucket ?? '1s'));
    const healedAt = evidence.faultEndedAt ?? evidence.phase.startedAt;
    const samples = selectSamples(evidence.samples, p.request).filter((s) => s.intendedAt >= healedAt);
    if (samples.length === 0) {
      return nothingToJudge(
        'recovers-within',
        evidence,
        p.name,
        bound,
        'ms',
        'no requests were sent after the fault ended',
      );
    }
    const buckets = new Map<number, typeof samples>();
    for (const s of samples) {
      const i = Math.floor((s.intendedAt - healedAt) / width);
      buckets.set(i, [...(buckets.get(i) ?? []), s]);
    }
    let recoveredAt = 0;
    let lastReason = '';
    for (const [i, list] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
      const errRate = list.filter((s) => isError(s)).length / list.length;
      const lat = percentile(
        list.map((s) => s.latencyMs).sort((a, b) => a - b),
        99,
      );
      const reasons: string[] = [];
      if (errRate > maxErr) reasons.push(`error rate ${pct(errRate)} > ${pct(maxErr)}`);
      if (p99 !== undefined && lat > p99) reasons.push(`p99 ${ms(lat)} > ${p.p99}`);
      if (reasons.length) {
        recoveredAt = (i + 1) * width;
        lastReason = reasons.join(', ');
      }
    }
    const lastIndex = Math.max(...buckets.keys());
    const neverRecovered = recoveredAt === (lastIndex + 1) * width && lastReason !== '';
    const passed = !neverRecovered && recoveredAt <= within;
    const steady = `error rate <= ${pct(maxErr)}${p.p99 ? ` and p99 <= ${p.p99}` : ''}`;
    let message: string;
    if (neverRecovered) {
      message = `did not recover before the phase ended (${ms(recoveredAt)} after the fault): last second still had ${lastReason}; bound ${p.within}.`;
    } else if (passed) {
      message = `back to steady state (${steady}) ${ms(recoveredAt)} after the fault ended, within ${p.within}.`;
    } else {
      message = `took ${ms(recoveredAt)} after the fault ended to get back to ${steady}, above the bound of ${p.within} (last breach: ${lastReason}).`;
    }
    return verdict('recovers-within', evidence, {
      name: p.name,
      passed,
      observed: recoveredAt,
      bound,
      unit: 'ms',
      message,
    });
  },
};
