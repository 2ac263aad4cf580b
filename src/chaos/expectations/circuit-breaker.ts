// circuit-breaker: once the caller has seen its failure threshold, it stops
// calling the dependency and answers fast.
//
// Fault/fail-first phases: the "open window" starts `openWithin` after the fault
// started (default 5s: time to collect the threshold's failures) and ends with
// the fault. In it, two signals must hold:
//   1. calls to the dependency per request sent <= maxCallsPerRequest (default
//      0.2): half-open probes are a trickle, a caller without a breaker makes
//      >= 1 call per request and a retry storm many;
//   2. p95 latency of the requests in the window <= fastWithin (default 250ms):
//      an open breaker fails fast; a caller waiting on a slow dependency does not.
// Recovery phases: the breaker must half-open and close: from `closesWithin`
// after the fault ended (default 10s), the error ratio <= 1%: an open breaker
// would keep answering errors.
// Calls come from client spans (traces) or, without them, from the tap's call
// counts (HTTP request heads, reset connections) or, last, its accepted
// connections (each failed call under a fault costs a connection; healthy
// keep-alive calls do not, which is why the latency signal backs it up).

import { z } from 'zod';
import { durationField } from '../../core/config/fields.js';
import { percentile } from '../load/stats.js';
import {
  callSource,
  dependencyCalls,
  edgeShape,
  isError,
  ms,
  nameParam,
  nothingToJudge,
  parseDuration,
  pct,
  requestParam,
  selectSamples,
  sent,
  verdict,
} from './common.js';
import { errorBreakdown } from './error-rate.js';
import type { ExpectationDefinition } from './types.js';

export const circuitBreakerParams = z.strictObject({
  name: nameParam,
  request: requestParam,
  ...edgeShape,
  /** Time after the fault started by which the breaker must be open; default 5s. */
  openWithin: durationField.optional(),
  /** Calls reaching the dependency per request while open; default 0.2. */
  maxCallsPerRequest: z.number().min(0).optional(),
  /** p95 latency bound while open; default 250ms. */
  fastWithin: durationField.optional(),
  /** Recovery phases: time after the fault ended by which the breaker must be closed again; default 10s. */
  closesWithin: durationField.optional(),
});

export type CircuitBreakerParams = z.infer<typeof circuitBreakerParams>;

const TYPE = 'circuit-breaker';

/** `circuit-breaker`: open (few calls, fast answers) during faults; closed again in recovery. */
export const circuitBreakerExpectation: ExpectationDefinition<CircuitBreakerParams> = {
  type: TYPE,
  params: circuitBreakerParams,
  judge(p, evidence) {
    return evidence.phase.kind === 'recovery' ? judgeClosed(p, evidence) : judgeOpen(p, evidence);
  },
};

function judgeOpen(p: CircuitBreakerParams, evidence: Parameters<typeof circuitBreakerExpectation.judge>[1]) {
  const openWithin = p.openWithin ?? '5s';
  const maxRatio = p.maxCallsPerRequest ?? 0.2;
  const fastWithin = p.fastWithin ?? '250ms';
  const bound = `<= ${maxRatio} calls/request after ${openWithin}`;
  const faultStart = evidence.faultStartedAt ?? evidence.phase.startedAt;
  const from = faultStart + parseDuration(openWithin);
  const to = evidence.faultEndedAt ?? evidence.phase.endedAt;
  const calls = dependencyCalls(evidence, p);
  if (calls.source === 'none') return nothingToJudge(TYPE, evidence, p.name, bound, 'calls/request', calls.why);
  const requests = sent(selectSamples(evidence.samples, p.request)).filter(
    (s) => s.intendedAt >= from && s.intendedAt <= to,
  );
  if (requests.length === 0) {
    return nothingToJudge(
      TYPE,
      evidence,
      p.name,
      bound,
      'calls/request',
      `no requests were sent between ${openWithin} after the fault started and its end (fault too short?)`,
    );
  }
  const callsInWindow = calls.times.filter((t) => t >= from && t <= to).length;
  const ratio = callsInWindow / requests.length;
  const p95 = percentile(
    requests.map((s) => s.latencyMs).sort((a, b) => a - b),
    95,
  );
  const windowText = `${ms(to - from)} after the breaker should have opened`;
  if (ratio > maxRatio) {
    return verdict(TYPE, evidence, {
      name: p.name,
      passed: false,
      observed: ratio,
      bound,
      unit: 'calls/request',
      message:
        `the caller kept calling the dependency: ${callsInWindow} calls (${callSource(calls)}) for ${requests.length} requests ` +
        `= ${ratio.toFixed(2)} calls per request in the ${windowText}, above the bound of ${maxRatio}.`,
    });
  }
  if (p95 > parseDuration(fastWithin)) {
    return verdict(TYPE, evidence, {
      name: p.name,
      passed: false,
      observed: p95,
      bound: `p95 <= ${fastWithin} while open`,
      unit: 'ms',
      message:
        `responses did not fail fast: p95 latency ${ms(p95)} in the ${windowText}, above ${fastWithin} ` +
        `(calls per request ${ratio.toFixed(2)}, within ${maxRatio}).`,
    });
  }
  return verdict(TYPE, evidence, {
    name: p.name,
    passed: true,
    observed: ratio,
    bound,
    unit: 'calls/request',
    message:
      `breaker open: ${callsInWindow} calls (${callSource(calls)}) for ${requests.length} requests = ${ratio.toFixed(2)} ` +
      `calls per request (bound ${maxRatio}) and p95 latency ${ms(p95)} (bound ${fastWithin}) in the ${windowText}.`,
  });
}

function judgeClosed(p: CircuitBreakerParams, evidence: Parameters<typeof circuitBreakerExpectation.judge>[1]) {
  const closesWithin = p.closesWithin ?? '10s';
  const bound = `closed within ${closesWithin}`;
  const healedAt = evidence.faultEndedAt ?? evidence.phase.startedAt;
  const from = healedAt + parseDuration(closesWithin);
  const after = sent(selectSamples(evidence.samples, p.request)).filter((s) => s.intendedAt >= from);
  if (after.length === 0) {
    return nothingToJudge(
      TYPE,
      evidence,
      p.name,
      bound,
      'ratio',
      `no requests were sent ${closesWithin} after the fault ended (phase too short?)`,
    );
  }
  const errors = after.filter((s) => isError(s));
  const rate = errors.length / after.length;
  const passed = rate <= 0.01;
  return verdict(TYPE, evidence, {
    name: p.name,
    passed,
    observed: rate,
    bound,
    unit: 'ratio',
    message: passed
      ? `breaker closed: ${pct(rate)} errors in ${after.length} requests from ${closesWithin} after the fault ended.`
      : `breaker did not close within ${closesWithin}: ${pct(rate)} errors (${errorBreakdown(errors)}) in ${after.length} requests after that, above 1%.`,
  });
}
