import { randomUUID } from 'node:crypto';
import { MsaVerifyError } from '../../core/errors.js';
import { type Clock, systemClock } from './clock.js';
import { dispatch } from './dispatch.js';
import { createHttpSender } from './http-sender.js';
import type { LoadPlan, LoadRunOptions, RequestSample } from './types.js';

/** Default bound on requests in flight. */
export const DEFAULT_MAX_IN_FLIGHT = 1000;

/** Throws `MSAV_USAGE` naming the field when a plan cannot be run. */
export function assertLoadPlan(plan: LoadPlan): void {
  const bad = (field: string, why: string): never => {
    throw new MsaVerifyError('MSAV_USAGE', `load plan: ${field} ${why}`);
  };
  let url: URL | undefined;
  try {
    url = new URL(plan.target);
  } catch {
    bad('target', `is not a URL: ${JSON.stringify(plan.target)}`);
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:') bad('target', 'must be http(s)');
  if (plan.requests.length === 0) bad('requests', 'must not be empty');
  plan.requests.forEach((r, i) => {
    if (!r.path.startsWith('/')) bad(`requests[${i}].path`, `must start with "/": ${JSON.stringify(r.path)}`);
  });
  if (!(plan.ratePerSec > 0) || !Number.isFinite(plan.ratePerSec)) bad('ratePerSec', 'must be a positive number');
  if (!(plan.durationMs >= 0) || !Number.isFinite(plan.durationMs)) bad('durationMs', 'must be >= 0');
  if (!(plan.timeoutMs > 0) || !Number.isFinite(plan.timeoutMs)) bad('timeoutMs', 'must be > 0');
  if (plan.maxInFlight !== undefined && !(Number.isInteger(plan.maxInFlight) && plan.maxInFlight > 0)) {
    bad('maxInFlight', 'must be a positive integer');
  }
}

/**
 * Drives `plan` at a constant arrival rate (open model) over node:http with a
 * keep-alive agent. Each request carries a unique `x-correlation-id` plus the
 * plan's and the request's headers. Latency is measured from the intended send
 * time. Resolves with every sample ordered by `seq`; never rejects for a
 * failed request (those are samples with status 0).
 */
export async function runLoad(
  plan: LoadPlan,
  options: LoadRunOptions = {},
  clock: Clock = systemClock,
): Promise<RequestSample[]> {
  assertLoadPlan(plan);
  const senderOptions = options.signal ? { signal: options.signal } : {};
  const sender = createHttpSender(plan, senderOptions);
  try {
    return await dispatch({
      ratePerSec: plan.ratePerSec,
      durationMs: plan.durationMs,
      maxInFlight: plan.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      clock,
      send: sender.send,
      newCorrelationId: randomUUID,
      label: (seq) => {
        const r = plan.requests[seq % plan.requests.length]!;
        return { method: r.method, path: r.path };
      },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onSample ? { onSample: options.onSample } : {}),
    });
  } finally {
    sender.close();
  }
}
