// Sends one request of a plan as a gRPC unary call (@grpc/grpc-js, one
// HTTP/2 channel). The plan's target is `grpc://host:port`, its `proto` the
// .proto file; a request's `path` is the method path (`/pkg.Service/Method`) and
// its `body` the request message as JSON. Outcomes map onto the HTTP-shaped
// samples the expectations judge: OK -> 200; DEADLINE_EXCEEDED -> a client
// timeout (status 0, error `timeout`), as an HTTP request that ran out of time;
// every other code -> status 0 with the code's name as error (UNAVAILABLE,
// INTERNAL, ...): a failed call, counted as an error.

import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { MsaVerifyError } from '../../core/errors.js';
import type { SendOutcome } from './dispatch.js';
import type { HttpSender, HttpSenderOptions } from './http-sender.js';
import type { LoadPlan } from './types.js';

const SNIPPET_BYTES = 512;

/** The methods a .proto declares, by path (`/pkg.Service/Method`). */
function methodsOf(proto: string): Map<string, grpc.MethodDefinition<unknown, unknown>> {
  let definition: protoLoader.PackageDefinition;
  try {
    definition = protoLoader.loadSync(proto, { keepCase: true, defaults: true, includeDirs: [path.dirname(proto)] });
  } catch (error) {
    throw new MsaVerifyError('MSAV_USAGE', `load plan: proto ${proto} does not load: ${(error as Error).message}`);
  }
  const out = new Map<string, grpc.MethodDefinition<unknown, unknown>>();
  for (const value of Object.values(definition)) {
    if ('format' in value) continue;
    for (const method of Object.values(value as grpc.ServiceDefinition)) {
      if (method && typeof method === 'object' && 'path' in method) out.set(method.path, method);
    }
  }
  return out;
}

/** Builds a gRPC sender for `plan` (target `grpc://host:port`, `proto` set); requests go round-robin. */
export function createGrpcSender(plan: LoadPlan, options: HttpSenderOptions = {}): HttpSender {
  if (!plan.proto) throw new MsaVerifyError('MSAV_USAGE', 'load plan: a grpc:// target needs proto');
  const methods = methodsOf(plan.proto);
  const prepared = plan.requests.map((r, i) => {
    const method = methods.get(r.path);
    if (!method) {
      throw new MsaVerifyError(
        'MSAV_USAGE',
        `load plan: requests[${i}].path ${r.path} is no unary method of ${plan.proto} (it has: ${[...methods.keys()].join(', ')})`,
      );
    }
    if (method.requestStream || method.responseStream) {
      throw new MsaVerifyError('MSAV_USAGE', `load plan: requests[${i}].path ${r.path} is a streaming method`);
    }
    return { method, body: r.body ?? {}, headers: { ...plan.headers, ...r.headers } };
  });
  const url = new URL(plan.target);
  const client = new grpc.Client(`${url.hostname}:${url.port}`, grpc.credentials.createInsecure());
  const pending = new Set<grpc.ClientUnaryCall>();
  const abort = (): void => {
    for (const call of pending) call.cancel();
  };
  options.signal?.addEventListener('abort', abort, { once: true });

  const send = (seq: number, correlationId: string): Promise<SendOutcome> =>
    new Promise((resolve) => {
      if (options.signal?.aborted) {
        resolve({ status: 0, error: 'aborted' });
        return;
      }
      const spec = prepared[seq % prepared.length]!;
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(spec.headers)) metadata.set(k.toLowerCase(), v);
      metadata.set('x-correlation-id', correlationId);
      const call = client.makeUnaryRequest(
        spec.method.path,
        spec.method.requestSerialize,
        spec.method.responseDeserialize,
        spec.body,
        metadata,
        { deadline: new Date(Date.now() + plan.timeoutMs) },
        (error, value) => {
          pending.delete(call);
          if (!error) {
            resolve({ status: 200, bodySnippet: JSON.stringify(value).slice(0, SNIPPET_BYTES) });
          } else if (error.code === grpc.status.DEADLINE_EXCEEDED) {
            resolve({ status: 0, error: 'timeout' });
          } else if (error.code === grpc.status.CANCELLED && options.signal?.aborted) {
            resolve({ status: 0, error: 'aborted' });
          } else {
            resolve({ status: 0, error: grpc.status[error.code] ?? String(error.code), bodySnippet: error.details });
          }
        },
      );
      pending.add(call);
    });

  return {
    send,
    close: () => {
      options.signal?.removeEventListener('abort', abort);
      client.close();
    },
  };
}
