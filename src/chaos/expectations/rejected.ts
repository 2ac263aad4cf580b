// rejected: requests that must be refused were refused, every one of them:
// e.g. load requests carrying an expired, forged or wrong-audience token, or
// any request while the identity provider is down (fail closed). A request
// that was accepted (any status outside `statuses`, 2xx above all) fails the
// expectation; so does a phase that sent no such request.

import { z } from 'zod';
import { nameParam, nothingToJudge, requestParam, selectSamples, sent, verdict } from './common.js';
import { errorBreakdown } from './error-rate.js';
import type { ExpectationDefinition } from './types.js';

const statusCode = z.number().int().min(100).max(599);

export const rejectedParams = z.strictObject({
  name: nameParam,
  /** The requests that must be refused (path prefix or `METHOD /path`); default every request. */
  request: requestParam,
  /** Statuses that count as refused. Default 401 and 403. */
  statuses: z.array(statusCode).min(1).default([401, 403]),
});

export type RejectedParams = z.infer<typeof rejectedParams>;

/** `rejected`: every selected request was answered with one of `statuses`. */
export const rejectedExpectation: ExpectationDefinition<RejectedParams> = {
  type: 'rejected',
  params: rejectedParams,
  judge(p, evidence) {
    const statuses = p.statuses ?? [401, 403];
    const bound = `every one ${statuses.join('/')}`;
    const which = p.request ? `requests to ${p.request}` : 'requests';
    const samples = sent(selectSamples(evidence.samples, p.request));
    if (samples.length === 0)
      return nothingToJudge('rejected', evidence, p.name, bound, 'requests', `no ${which} were sent`);
    const other = samples.filter((s) => !statuses.includes(s.status));
    const accepted = other.filter((s) => s.status >= 200 && s.status < 300);
    const passed = other.length === 0;
    const message = passed
      ? `all ${samples.length} ${which} were refused (${errorBreakdown(samples)}).`
      : accepted.length > 0
        ? `${accepted.length} of ${samples.length} ${which} were accepted (${errorBreakdown(other)}): they should have been refused with ${statuses.join('/')}.`
        : `${other.length} of ${samples.length} ${which} were answered ${errorBreakdown(other)}, not refused with ${statuses.join('/')}.`;
    return verdict('rejected', evidence, {
      name: p.name,
      passed,
      observed: other.length,
      bound,
      unit: 'requests',
      message,
    });
  },
};
