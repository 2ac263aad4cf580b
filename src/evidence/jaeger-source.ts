// Reads spans from Jaeger's HTTP query API (the one its UI uses):
//   GET {url}/api/traces?service=S&start=<µs>&end=<µs>&limit=N
//   -> { data: [ { traceID, spans: [ { traceID, spanID, operationName, references,
//        startTime µs, duration µs, tags: [{key,type,value}], processID } ],
//        processes: { p1: { serviceName, tags } } } ] }
// One query per service; spans are de-duplicated by span id.

import { MsaVerifyError } from '../core/errors.js';
import type { SpanRecord, TraceSource } from './types.js';
import { overlaps } from './window.js';

/** Options of {@link JaegerTraceSource}. */
export interface JaegerSourceOptions {
  /** Jaeger query base URL, e.g. `http://jaeger:16686`. */
  url: string;
  /** Services to query (Jaeger requires one per query). */
  services: string[];
  /** Max traces per query; default 1000. */
  limit?: number;
  /** Per-request timeout in ms; default 10000. */
  timeoutMs?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const KINDS = new Set(['server', 'client', 'producer', 'consumer', 'internal']);

function tagsOf(v: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of arr(v)) if (isObj(t) && typeof t.key === 'string') out[t.key] = t.value;
  return out;
}

/** Converts one Jaeger API trace into SpanRecords. */
export function jaegerTraceToSpans(trace: unknown): SpanRecord[] {
  if (!isObj(trace)) return [];
  const processes = isObj(trace.processes) ? trace.processes : {};
  const out: SpanRecord[] = [];
  for (const s of arr(trace.spans)) {
    if (!isObj(s) || typeof s.traceID !== 'string' || typeof s.spanID !== 'string') continue;
    const tags = tagsOf(s.tags);
    const proc = processes[String(s.processID)];
    const service = isObj(proc) && typeof proc.serviceName === 'string' ? proc.serviceName : 'unknown';
    const kindTag = String(tags['span.kind'] ?? 'internal').toLowerCase();
    const statusTag = String(tags['otel.status_code'] ?? '').toUpperCase();
    const start = Number(s.startTime) / 1000;
    const span: SpanRecord = {
      traceId: s.traceID,
      spanId: s.spanID,
      name: typeof s.operationName === 'string' ? s.operationName : '',
      kind: (KINDS.has(kindTag) ? kindTag : 'internal') as SpanRecord['kind'],
      service,
      startTime: start,
      endTime: start + Number(s.duration ?? 0) / 1000,
      attributes: tags,
      status: tags.error === true || statusTag === 'ERROR' ? 'error' : statusTag === 'OK' ? 'ok' : 'unset',
    };
    const parent = arr(s.references).find((r) => isObj(r) && r.refType === 'CHILD_OF') as Obj | undefined;
    if (parent && typeof parent.spanID === 'string') span.parentSpanId = parent.spanID;
    out.push(span);
  }
  return out;
}

/** A {@link TraceSource} backed by Jaeger's HTTP query API (for staging, where services export to Jaeger). */
export class JaegerTraceSource implements TraceSource {
  readonly name: string;
  private readonly options: JaegerSourceOptions;

  constructor(options: JaegerSourceOptions) {
    if (options.services.length === 0) {
      throw new MsaVerifyError('MSAV_USAGE', 'Jaeger trace source needs at least one service to query');
    }
    this.options = options;
    this.name = `jaeger:${options.url}`;
  }

  async spans(window: { from: number; to: number }): Promise<SpanRecord[]> {
    const bySpan = new Map<string, SpanRecord>();
    for (const service of this.options.services) {
      const url = new URL('/api/traces', this.options.url);
      url.searchParams.set('service', service);
      url.searchParams.set('start', String(Math.floor(window.from * 1000)));
      url.searchParams.set('end', String(Math.ceil(window.to * 1000)));
      url.searchParams.set('limit', String(this.options.limit ?? 1000));
      let body: unknown;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        body = await res.json();
      } catch (cause) {
        throw new MsaVerifyError(
          'MSAV_COMPONENT_UNAVAILABLE',
          `Jaeger query ${url.origin}/api/traces?service=${service} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
      }
      for (const trace of arr(isObj(body) ? body.data : undefined)) {
        for (const span of jaegerTraceToSpans(trace)) {
          if (overlaps(span, window)) bySpan.set(`${span.traceId}/${span.spanId}`, span);
        }
      }
    }
    return [...bySpan.values()];
  }

  async close(): Promise<void> {}
}
