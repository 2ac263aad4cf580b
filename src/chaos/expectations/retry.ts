// retry: the caller makes at most `maxAttempts` attempts per request, spaced by
// at least `minBackoff`.
// - With traces: the caller's client spans to the dependency, grouped per trace
//   (one inbound request = one trace); attempts = spans per trace, spacing = gap
//   from one attempt's end to the next one's start.
// - Without traces: call attempts counted by the proxy's tap (`evidence.calls`:
//   HTTP request heads + reset connections) per request sent, or else the
//   connections it accepted.
//   Under a fault every failed attempt costs a new connection (resets and
//   timeouts destroy the socket), so the ratio bounds attempts per request; a
//   retry storm shows as tens of connections per request. Spacing cannot be
//   attributed to requests from connection counts and is not judged then.

import { z } from 'zod';
import { durationField } from '../../core/config/fields.js';
import type { SpanRecord } from '../../evidence/types.js';
import {
  callSource,
  dependencyCalls,
  edgeShape,
  ms,
  nameParam,
  nothingToJudge,
  parseDuration,
  requestParam,
  selectSamples,
  sent,
  verdict,
} from './common.js';
import type { ExpectationDefinition } from './types.js';

export const retryParams = z.strictObject({
  name: nameParam,
  request: requestParam,
  ...edgeShape,
  /** Most attempts per request, the first included. */
  maxAttempts: z.number().int().min(1).max(1000),
  /** Least gap between consecutive attempts of one request (judged from spans only). */
  minBackoff: durationField.optional(),
});

export type RetryParams = z.infer<typeof retryParams>;

interface TraceAttempts {
  traceId: string;
  attempts: number;
  /** Smallest gap between consecutive attempts; undefined with one attempt. */
  minGapMs: number | undefined;
}

/** Groups client spans per trace and measures attempts and spacing. */
export function attemptsPerTrace(spans: readonly SpanRecord[]): TraceAttempts[] {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  return [...byTrace.entries()].map(([traceId, list]) => {
    list.sort((a, b) => a.startTime - b.startTime);
    let minGapMs: number | undefined;
    for (let i = 1; i < list.length; i++) {
      const gap = list[i]!.startTime - list[i - 1]!.endTime;
      minGapMs = minGapMs === undefined ? gap : Math.min(minGapMs, gap);
    }
    return { traceId, attempts: list.length, minGapMs };
  });
}

/** `retry`: attempts per request <= maxAttempts, and spacing >= minBackoff when traces allow. */
export const retryExpectation: ExpectationDefinition<RetryParams> = {
  type: 'retry',
  params: retryParams,
  judge(p, evidence) {
    const bound = `<= ${p.maxAttempts} attempts${p.minBackoff ? `, backoff >= ${p.minBackoff}` : ''}`;
    const calls = dependencyCalls(evidence, p);
    if (calls.source === 'none') return nothingToJudge('retry', evidence, p.name, bound, 'attempts', calls.why);

    if (calls.source === 'connections' || calls.source === 'requests') {
      const requests = sent(selectSamples(evidence.samples, p.request)).length;
      if (requests === 0) return nothingToJudge('retry', evidence, p.name, bound, 'attempts', 'no requests were sent');
      const perRequest = calls.times.length / requests;
      const passed = perRequest <= p.maxAttempts;
      return verdict('retry', evidence, {
        name: p.name,
        passed,
        observed: perRequest,
        bound: `<= ${p.maxAttempts} attempts`,
        unit: 'attempts',
        message:
          `${calls.times.length} ${calls.source === 'requests' ? 'HTTP requests' : 'connections'} through proxy ${calls.proxy} for ${requests} requests = ` +
          `${perRequest.toFixed(2)} attempts per request, ${passed ? 'within' : 'above'} the bound of ${p.maxAttempts}` +
          `${p.minBackoff ? ' (backoff not judged: no traces)' : ''}.`,
      });
    }

    const traces = attemptsPerTrace(calls.spans);
    const worst = traces.reduce((a, b) => (b.attempts > a.attempts ? b : a));
    const gaps = traces.map((t) => t.minGapMs).filter((g): g is number => g !== undefined);
    const minGap = gaps.length ? Math.min(...gaps) : undefined;
    const retried = traces.filter((t) => t.attempts > 1).length;
    const tooMany = worst.attempts > p.maxAttempts;
    const tooFast = p.minBackoff !== undefined && minGap !== undefined && minGap < parseDuration(p.minBackoff);
    const summary = `${traces.length} traces, ${retried} retried, most attempts ${worst.attempts} (trace ${worst.traceId})`;
    if (tooMany) {
      return verdict('retry', evidence, {
        name: p.name,
        passed: false,
        observed: worst.attempts,
        bound: `<= ${p.maxAttempts} attempts`,
        unit: 'attempts',
        message: `a request made ${worst.attempts} attempts, above the bound of ${p.maxAttempts} (${summary}, from ${callSource(calls)}).`,
      });
    }
    if (tooFast) {
      return verdict('retry', evidence, {
        name: p.name,
        passed: false,
        observed: minGap!,
        bound: `backoff >= ${p.minBackoff}`,
        unit: 'ms',
        message: `retries came ${ms(minGap!)} after the previous attempt, below the backoff bound of ${p.minBackoff} (${summary}).`,
      });
    }
    return verdict('retry', evidence, {
      name: p.name,
      passed: true,
      observed: worst.attempts,
      bound,
      unit: 'attempts',
      message: `at most ${worst.attempts} attempts per request${minGap !== undefined ? `, smallest backoff ${ms(minGap)}` : ''}, within ${bound} (${summary}).`,
    });
  },
};
