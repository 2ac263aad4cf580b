// Closed-model run for benchmarks: `connections` workers each send the next
// request as soon as the previous one answered, for `durationMs`. This is what
// autocannon and wrk measure; the chaos runner uses the open model (runLoad).

import { randomUUID } from 'node:crypto';
import { createSender } from './sender.js';
import type { LoadPlan, LoadRunOptions, RequestSpec } from './types.js';

/** Options of {@link runClosedLoad}. */
export interface ClosedLoadOptions {
  target: string;
  requests: RequestSpec[];
  /** Concurrent keep-alive connections (= workers). */
  connections: number;
  durationMs: number;
  /** Per-request client timeout in ms; default 10000. */
  timeoutMs?: number;
  /** HTTP client; see {@link LoadRunOptions.client}. */
  client?: 'raw' | 'node-http';
  /** CA and client certificate for an https: target. */
  tls?: LoadPlan['tls'];
  /** With a `grpc://host:port` target: the .proto declaring the methods (see {@link LoadPlan.proto}). */
  proto?: string;
}

/** Counts of a closed-model run; `latenciesMs` is per completed request. */
export interface ClosedLoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  latenciesMs: number[];
}

/** Sends as fast as `connections` keep-alive connections allow, for `durationMs`. */
export async function runClosedLoad(options: ClosedLoadOptions): Promise<ClosedLoadResult> {
  const sender = createSender(
    {
      target: options.target,
      requests: options.requests,
      ratePerSec: 1,
      durationMs: options.durationMs,
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.proto ? { proto: options.proto } : {}),
    },
    { maxSockets: options.connections, ...(options.client ? { client: options.client } : {}) },
  );
  const latenciesMs: number[] = [];
  let errors = 0;
  let seq = 0;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const o = await sender.send(seq++, randomUUID());
      latenciesMs.push(performance.now() - t0);
      if (o.status === 0 || o.status >= 500) errors++;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, worker));
  } finally {
    sender.close();
  }
  return { requests: latenciesMs.length, errors, elapsedMs: performance.now() - start, latenciesMs };
}
