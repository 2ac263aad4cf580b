// Sends one request of a plan over node:http(s) with a keep-alive agent.
// node:http was chosen over fetch (undici) because it holds a fixed rate with
// less per-request overhead here; see bench/chaos and docs/benchmarks.md.

import http from 'node:http';
import https from 'node:https';
import type { SendOutcome } from './dispatch.js';
import type { LoadPlan } from './types.js';

const SNIPPET_BYTES = 512;

interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The request sets its own Authorization (e.g. a deliberately bad token): the plan's is not added. */
  ownAuthorization: boolean;
}

/** A sender bound to one plan; `close()` destroys its keep-alive sockets. */
export interface HttpSender {
  send(seq: number, correlationId: string): Promise<SendOutcome>;
  close(): void;
}

/** Options of {@link createHttpSender}. */
export interface HttpSenderOptions {
  /** Aborts requests in flight (outcome error `aborted`). */
  signal?: AbortSignal;
  /** Socket pool size; default unbounded (the dispatcher bounds in-flight requests). */
  maxSockets?: number;
}

/** Builds a sender for `plan`; requests go round-robin over `plan.requests`. */
export function createHttpSender(plan: LoadPlan, options: HttpSenderOptions = {}): HttpSender {
  const base = new URL(plan.target);
  const isHttps = base.protocol === 'https:';
  const mod = isHttps ? https : http;
  const agent = new mod.Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? Number.POSITIVE_INFINITY,
    ...(isHttps ? plan.tls : {}),
  });
  const authorization = plan.authorization;
  const basePath = base.pathname.replace(/\/$/, '');
  const prepared: PreparedRequest[] = plan.requests.map((r) => {
    const headers: Record<string, string> = { ...plan.headers, ...r.headers };
    let body: Buffer | undefined;
    if (r.body !== undefined) {
      body = Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
      headers['content-length'] = String(body.length);
    }
    const ownAuthorization = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    return { method: r.method, path: basePath + r.path, headers, body, ownAuthorization };
  });

  const send = (seq: number, correlationId: string): Promise<SendOutcome> =>
    new Promise((resolve) => {
      const spec = prepared[seq % prepared.length]!;
      let settled = false;
      const finish = (o: SendOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const req = mod.request({
        host: base.hostname,
        port: base.port,
        method: spec.method,
        path: spec.path,
        agent,
        headers: {
          ...spec.headers,
          'x-correlation-id': correlationId,
          ...(authorization && !spec.ownAuthorization ? { authorization: authorization() } : {}),
        },
      });
      const timer = setTimeout(() => {
        finish({ status: 0, error: 'timeout' });
        req.destroy();
      }, plan.timeoutMs);
      const onAbort = (): void => {
        finish({ status: 0, error: 'aborted' });
        req.destroy();
      };
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, error: err.code ?? err.message }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < SNIPPET_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        res.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, error: err.code ?? err.message }));
        res.on('end', () => {
          const o: SendOutcome = { status: res.statusCode ?? 0 };
          if (kept > 0) o.bodySnippet = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
          finish(o);
        });
      });
      req.end(spec.body);
    });

  return { send, close: () => agent.destroy() };
}
