import { createHttpSender, type HttpSender, type HttpSenderOptions } from './http-sender.js';
import { createRawHttpSender } from './raw-http-sender.js';
import type { LoadPlan } from './types.js';

/** Picks the client: the raw sender for http: (unless `node-http` is asked for), node:http for https:. */
export function createSender(
  plan: LoadPlan,
  options: HttpSenderOptions & { client?: 'raw' | 'node-http' } = {},
): HttpSender {
  const { client, ...rest } = options;
  const https = new URL(plan.target).protocol === 'https:';
  return https || client === 'node-http' ? createHttpSender(plan, rest) : createRawHttpSender(plan, rest);
}
