import { createGrpcSender } from './grpc-sender.js';
import { createHttpSender, type HttpSender, type HttpSenderOptions } from './http-sender.js';
import { createRawHttpSender } from './raw-http-sender.js';
import type { LoadPlan } from './types.js';

/** Picks the client: gRPC for grpc:, else the raw sender (http: and https:) unless `node-http` is asked for. */
export function createSender(
  plan: LoadPlan,
  options: HttpSenderOptions & { client?: 'raw' | 'node-http' } = {},
): HttpSender {
  const { client, ...rest } = options;
  if (new URL(plan.target).protocol === 'grpc:') return createGrpcSender(plan, rest);
  return client === 'node-http' ? createHttpSender(plan, rest) : createRawHttpSender(plan, rest);
}
