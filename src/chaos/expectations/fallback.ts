// fallback: when the caller cannot serve a request normally, it serves the
// documented degraded response (status and/or body), not a timeout, a 500 or
// a gateway error. Judged on the responses that were not 2xx.

import { z } from 'zod';
import type { RequestSample } from '../load/types.js';
import { nameParam, nothingToJudge, pct, ratioParam, requestParam, selectSamples, toRatio, verdict } from './common.js';
import { errorBreakdown } from './error-rate.js';
import type { ExpectationDefinition } from './types.js';

const statusCode = z.number().int().min(100).max(599);

export const fallbackParams = z
  .strictObject({
    name: nameParam,
    request: requestParam,
    /** Documented degraded status (or statuses). */
    status: z.union([statusCode, z.array(statusCode).min(1)]).optional(),
    /** Fields the JSON body must contain (deep partial match). */
    body: z.record(z.string(), z.unknown()).optional(),
    /** Text the body must contain. */
    bodyContains: z.string().min(1).optional(),
    /** Least share of non-2xx responses that must be the documented one; default 95%. */
    minRatio: ratioParam.optional(),
    /** Fail when no degraded response was needed at all (the fault had no visible effect); default true. */
    requireDegraded: z.boolean().optional(),
  })
  .refine((p) => p.status !== undefined || p.body !== undefined || p.bodyContains !== undefined, {
    message: 'give at least one of status, body, bodyContains',
  });

export type FallbackParams = z.infer<typeof fallbackParams>;

/** True when every field of `expected` is in `actual` with an equal value (objects recursively). */
export function partialMatch(expected: unknown, actual: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return Object.is(expected, actual);
  if (typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => partialMatch(e, actual[i]))
    );
  }
  return Object.entries(expected).every(([k, v]) => partialMatch(v, (actual as Record<string, unknown>)[k]));
}

function matches(p: FallbackParams, s: RequestSample): boolean {
  const statuses = p.status === undefined ? undefined : Array.isArray(p.status) ? p.status : [p.status];
  if (statuses && !statuses.includes(s.status)) return false;
  if (p.bodyContains && !(s.bodySnippet ?? '').includes(p.bodyContains)) return false;
  if (p.body) {
    try {
      return partialMatch(p.body, JSON.parse(s.bodySnippet ?? ''));
    } catch {
      return false;
    }
  }
  return true;
}

function describe(p: FallbackParams): string {
  const parts: string[] = [];
  if (p.status !== undefined) parts.push(Array.isArray(p.status) ? p.status.join('|') : String(p.status));
  if (p.body) parts.push(JSON.stringify(p.body));
  if (p.bodyContains) parts.push(`body containing ${JSON.stringify(p.bodyContains)}`);
  return parts.join(' ');
}

/** `fallback`: share of non-2xx responses that are the documented degraded response >= minRatio. */
export const fallbackExpectation: ExpectationDefinition<FallbackParams> = {
  type: 'fallback',
  params: fallbackParams,
  judge(p, evidence) {
    const min = toRatio(p.minRatio ?? 0.95);
    const doc = describe(p);
    const bound = `>= ${pct(min)} ${doc}`;
    const samples = selectSamples(evidence.samples, p.request).filter((s) => s.error !== 'dropped');
    if (samples.length === 0)
      return nothingToJudge('fallback', evidence, p.name, bound, 'ratio', 'no requests were sent');
    const degraded = samples.filter((s) => s.status < 200 || s.status > 299);
    if (degraded.length === 0) {
      const required = p.requireDegraded ?? true;
      return verdict('fallback', evidence, {
        name: p.name,
        passed: !required,
        observed: null,
        bound,
        unit: 'ratio',
        message: `all ${samples.length} requests succeeded, so the fallback ${doc} was never served${required ? ' (requireDegraded: the fault had no visible effect)' : ''}.`,
      });
    }
    const good = degraded.filter((s) => matches(p, s));
    const bad = degraded.filter((s) => !matches(p, s));
    const ratio = good.length / degraded.length;
    const passed = ratio >= min;
    return verdict('fallback', evidence, {
      name: p.name,
      passed,
      observed: ratio,
      bound,
      unit: 'ratio',
      message: passed
        ? `${good.length} of ${degraded.length} degraded responses (${pct(ratio)}) were the documented ${doc}, bound ${pct(min)}.`
        : `only ${good.length} of ${degraded.length} degraded responses (${pct(ratio)}) were the documented ${doc}, below ${pct(min)}; others: ${errorBreakdown(bad)}.`,
    });
  },
};
