// timeout: the caller gives up within its budget, so no request waits longer
// than `max`. Judged on the client's service time of every request sent
// (a client-side timeout counts as waiting its full client timeout) and, when
// traces are present, on the server spans of `service`.

import { z } from 'zod';
import { durationField } from '../../core/config/fields.js';
import { percentile } from '../load/stats.js';
import { ms, nameParam, nothingToJudge, parseDuration, requestParam, selectSamples, sent, verdict } from './common.js';
import type { ExpectationDefinition } from './types.js';

export const timeoutParams = z.strictObject({
  name: nameParam,
  request: requestParam,
  /** Longest acceptable wait. */
  max: durationField,
  /** `service.name` whose server spans must also end within `max` (when spans are present). */
  service: z.string().min(1).optional(),
  /** Judge this percentile instead of the maximum (to tolerate a few stragglers); default 100. */
  percentile: z.number().gt(0).max(100).optional(),
});

export type TimeoutParams = z.infer<typeof timeoutParams>;

/** `timeout`: slowest response (client service time, and server spans of `service`) <= max. */
export const timeoutExpectation: ExpectationDefinition<TimeoutParams> = {
  type: 'timeout',
  params: timeoutParams,
  judge(p, evidence) {
    const bound = `<= ${p.max}`;
    const limit = parseDuration(p.max);
    const q = p.percentile ?? 100;
    const qText = q === 100 ? 'slowest' : `p${q}`;
    const samples = sent(selectSamples(evidence.samples, p.request));
    if (samples.length === 0) return nothingToJudge('timeout', evidence, p.name, bound, 'ms', 'no requests were sent');
    const client = percentile(
      samples.map((s) => s.serviceTimeMs).sort((a, b) => a - b),
      q,
    );
    const clientTimeouts = samples.filter((s) => s.error === 'timeout').length;
    const serverSpans = p.service ? evidence.spans.filter((s) => s.kind === 'server' && s.service === p.service) : [];
    const server = serverSpans.length
      ? percentile(
          serverSpans.map((s) => s.endTime - s.startTime).sort((a, b) => a - b),
          q,
        )
      : undefined;
    const observed = Math.max(client, server ?? 0);
    const passed = observed <= limit;
    const parts = [
      `${qText} response ${ms(client)} at the client${clientTimeouts ? ` (${clientTimeouts} client timeouts)` : ''}`,
    ];
    if (p.service) {
      parts.push(
        server === undefined ? `no server spans of ${p.service}` : `${qText} ${p.service} server span ${ms(server)}`,
      );
    }
    return verdict('timeout', evidence, {
      name: p.name,
      passed,
      observed,
      bound,
      unit: 'ms',
      message: `${parts.join(', ')}: ${passed ? 'within' : 'above'} the timeout budget of ${p.max} (${samples.length} requests).`,
    });
  },
};
