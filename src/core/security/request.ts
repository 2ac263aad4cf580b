// One HTTP(S) request over node:http(s), for the places where msa-verify talks
// to secured services (trace checks, probes, token endpoints): fetch cannot
// present a client certificate without a separate undici, node:https can.
import type http from 'node:http';
import { createRequire } from 'node:module';
import type { ClientTls } from './client-tls.js';

// Required, not imported: an ESM import of node:http builds its ESM facade, which
// reads every export, and Node 24's lazy WebSocket/EventSource getters there load
// undici, http2 and tls (20 to 40 ms of CPU per process that loads this file, the
// contracts verification process among them).
const require = createRequire(import.meta.url);
const httpModule = require('node:http') as typeof import('node:http');
const httpsModule = require('node:https') as typeof import('node:https');

/** Options of {@link sendRequest}. */
export interface SendRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Give up after this long (error name `TimeoutError`), ms. Default 10000. */
  readonly timeoutMs?: number;
  /** CA to trust and client certificate to present, for https: URLs. */
  readonly tls?: ClientTls;
  readonly signal?: AbortSignal;
}

/** Status, headers and the body as text. */
export interface SentAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/**
 * Sends one request and reads the whole answer. Rejects with the socket's
 * error (its `code`, e.g. `ECONNREFUSED`, a TLS alert) or a `TimeoutError`.
 */
export function sendRequest(url: string, options: SendRequestOptions = {}): Promise<SentAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsModule : httpModule).request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
        ...(secure ? { ...options.tls } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => {
      const error = new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`);
      error.name = 'TimeoutError';
      req.destroy(error);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
