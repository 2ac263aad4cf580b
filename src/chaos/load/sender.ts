import { createGrpcSender } from './grpc-sender.js';
import { createHttpSender, type HttpSender, type HttpSenderOptions } from './http-sender.js';
import { createRawHttpSender } from './raw-http-sender.js';
import type { LoadPlan } from './types.js';

/** Picks the client: gRPC for grpc:, the raw sender for http: (unless `node-http` is asked for), node:http for https:. */
export function createSender(
  plan: LoadPlan,
  options: HttpSenderOptions & { client?: 'raw' | 'node-http' } = {},
): HttpSender {
  const { client, ...rest } = options;
  if (new URL(plan.target).protocol === 'grpc:') return createGrpcSender(plan, rest);
  const https = new URL(plan.target).protocol === 'https:';
  return https || client === 'node-http' ? createHttpSender(plan, rest) : createRawHttpSender(plan, rest);
}
