import { createHttpSender, type HttpSender, type HttpSenderOptions } from './http-sender.js';
import { createRawHttpSender } from './raw-http-sender.js';
import type { LoadPlan } from './types.js';

/** Picks the client: the raw sender (http: and https:) unless `node-http` is asked for. */
export function createSender(
  plan: LoadPlan,
  options: HttpSenderOptions & { client?: 'raw' | 'node-http' } = {},
): HttpSender {
  const { client, ...rest } = options;
  return client === 'node-http' ? createHttpSender(plan, rest) : createRawHttpSender(plan, rest);
}
