// Embedded OTLP/HTTP trace receiver: services of a run export to it
// (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=<endpoint>), the run reads the spans of
// each phase window back. Listens on 127.0.0.1 only.
//
//   POST /v1/traces (json | x-protobuf, optional gzip) -> otlpToSpans -> in-memory ring

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { MsaVerifyError } from '../core/errors.js';
import { otlpToSpans } from './otlp-convert.js';
import { decodeOtlpProtobuf, exportTraceServiceRequest } from './otlp-proto.js';
import type { SpanRecord, TraceSource } from './types.js';
import { overlaps } from './window.js';

/** Options of {@link OtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Spans kept in memory; the oldest are dropped beyond it. Default 200000. */
  maxSpans?: number;
  /** Largest accepted request body in bytes (after decompression). Default 16 MiB. */
  maxBodyBytes?: number;
}

/** An OTLP/HTTP receiver that is also a {@link TraceSource}. */
export class OtlpReceiver implements TraceSource {
  readonly name = 'otlp-receiver';
  private readonly store: SpanRecord[] = [];
  private readonly maxSpans: number;
  private readonly maxBodyBytes: number;
  private readonly port: number;
  private server: http.Server | undefined;
  private rejected = 0;

  constructor(options: OtlpReceiverOptions = {}) {
    this.port = options.port ?? 0;
    this.maxSpans = options.maxSpans ?? 200_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  }

  /** Starts listening; `endpoint` is the full traces URL, e.g. `http://127.0.0.1:4318/v1/traces`. */
  async start(): Promise<{ endpoint: string }> {
    if (this.server) throw new MsaVerifyError('MSAV_USAGE', 'OTLP receiver already started');
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(
          new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `OTLP receiver cannot listen on 127.0.0.1:${this.port}`, {
            cause,
          }),
        ),
      );
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return { endpoint: `http://127.0.0.1:${port}/v1/traces` };
  }

  /** Number of spans received so far (including any dropped from the ring). */
  received = 0;

  /** Export requests refused as malformed or unsupported. */
  get rejectedRequests(): number {
    return this.rejected;
  }

  async spans(window: { from: number; to: number }): Promise<SpanRecord[]> {
    return this.store.filter((s) => overlaps(s, window));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/traces') {
      reply(res, 404, 'application/json', '{"error":"not found"}');
      return;
    }
    if (req.method !== 'POST') {
      reply(res, 405, 'application/json', '{"error":"method not allowed"}');
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && type !== 'application/x-protobuf') {
      this.rejected++;
      reply(res, 415, 'application/json', '{"error":"unsupported content-type"}');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > this.maxBodyBytes) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) {
        this.rejected++;
        return reply(res, 413, 'application/json', '{"error":"payload too large"}');
      }
      let spans: SpanRecord[];
      try {
        let body = Buffer.concat(chunks);
        const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
        if (encoding === 'gzip') body = gunzipSync(body, { maxOutputLength: this.maxBodyBytes });
        else if (encoding === 'deflate') body = inflateSync(body, { maxOutputLength: this.maxBodyBytes });
        const decoded = type === 'application/json' ? JSON.parse(body.toString('utf8')) : decodeOtlpProtobuf(body);
        spans = otlpToSpans(decoded);
      } catch (error) {
        this.rejected++;
        const message = error instanceof Error ? error.message : String(error);
        return reply(res, 400, 'application/json', JSON.stringify({ error: `malformed export: ${message}` }));
      }
      this.add(spans);
      if (type === 'application/json') return reply(res, 200, 'application/json', '{}');
      // An empty ExportTraceServiceResponse encodes to zero bytes.
      return reply(res, 200, 'application/x-protobuf', Buffer.alloc(0));
    });
    req.on('error', () => undefined);
  }

  private add(spans: SpanRecord[]): void {
    this.received += spans.length;
    this.store.push(...spans);
    if (this.store.length > this.maxSpans) this.store.splice(0, this.store.length - this.maxSpans);
  }
}

function reply(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Encodes spans as an OTLP/protobuf export (for tests and benchmarks of the receiver). */
export function encodeOtlpProtobuf(request: unknown): Uint8Array {
  const type = exportTraceServiceRequest();
  return type.encode(type.fromObject(request as Record<string, unknown>)).finish();
}
