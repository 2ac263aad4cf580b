import { randomUUID } from 'node:crypto';
import { MsaVerifyError } from '../../core/errors.js';
import { type Clock, systemClock } from './clock.js';
import { dispatch } from './dispatch.js';
import { createSender } from './sender.js';
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
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'grpc:') {
    bad('target', 'must be http(s) or grpc');
  }
  if (url?.protocol === 'grpc:' && (!url.port || !plan.proto)) bad('target', 'grpc://host:port needs a port and proto');
  if (plan.requests.length === 0) bad('requests', 'must not be empty');
  plan.requests.forEach((r, i) => {
    if (!r.path.startsWith('/')) bad(`requests[${i}].path`, `must start with "/": ${JSON.stringify(r.path)}`);
  });
  const headerSets = [
    ['headers', plan.headers],
    ...plan.requests.map((r, i) => [`requests[${i}].headers`, r.headers]),
  ] as const;
  for (const [where, headers] of headerSets) {
    for (const [k, v] of Object.entries(headers ?? {})) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) bad(`${where}`, `has an invalid header name ${JSON.stringify(k)}`);
      if (/[\r\n\0]/.test(String(v))) bad(`${where}.${k}`, 'must not contain CR, LF or NUL');
    }
  }
  plan.requests.forEach((r, i) => {
    if (/[\s]/.test(r.path)) bad(`requests[${i}].path`, `must not contain whitespace: ${JSON.stringify(r.path)}`);
  });
  if (!(plan.ratePerSec > 0) || !Number.isFinite(plan.ratePerSec)) bad('ratePerSec', 'must be a positive number');
  if (!(plan.durationMs >= 0) || !Number.isFinite(plan.durationMs)) bad('durationMs', 'must be >= 0');
  if (!(plan.timeoutMs > 0) || !Number.isFinite(plan.timeoutMs)) bad('timeoutMs', 'must be > 0');
  if (plan.maxInFlight !== undefined && !(Number.isInteger(plan.maxInFlight) && plan.maxInFlight > 0)) {
    bad('maxInFlight', 'must be a positive integer');
  }
}

/**
 * Drives `plan` at a constant arrival rate (open model) over keep-alive
 * connections (the raw HTTP/1.1 client, over TLS for https:). Each request carries a unique `x-correlation-id` plus the
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
  const sender = createSender(plan, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.client ? { client: options.client } : {}),
  });
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
