// Reads spans from Jaeger's HTTP query API (the one its UI uses):
//   GET {url}/api/traces?service=S&start=<µs>&end=<µs>&limit=N
//   -> { data: [ { traceID, spans: [ { traceID, spanID, operationName, references,
//        startTime µs, duration µs, tags: [{key,type,value}], processID } ],
//        processes: { p1: { serviceName, tags } } } ] }
// One query per service; spans are de-duplicated by span id. Jaeger answers at
// most `limit` traces per query and has no offset, so a full page is split into
// two half windows and each is asked again (paging by time), down to 1 ms.

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
  /** Only traces with a span carrying these tags, e.g. `{ 'correlation.id': id }` (Jaeger's `tags` filter). */
  tags?: Record<string, string>;
}

/** Jaeger's UI address of one trace: `{url}/trace/{traceId}`. */
export function jaegerTraceUrl(url: string, traceId: string): string {
  return `${url.replace(/\/$/, '')}/trace/${traceId}`;
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

  /** Queries issued so far (pages included). */
  queries = 0;

  async spans(window: { from: number; to: number }): Promise<SpanRecord[]> {
    const bySpan = new Map<string, SpanRecord>();
    for (const service of this.options.services) {
      for (const trace of await this.page(service, window.from * 1000, window.to * 1000, 0)) {
        for (const span of jaegerTraceToSpans(trace)) {
          if (overlaps(span, window)) bySpan.set(`${span.traceId}/${span.spanId}`, span);
        }
      }
    }
    return [...bySpan.values()];
  }

  /** Traces of `service` in `[fromUs, toUs]`; a full page is split in two halves. */
  private async page(service: string, fromUs: number, toUs: number, depth: number): Promise<unknown[]> {
    const limit = this.options.limit ?? 1000;
    const traces = await this.query(service, Math.floor(fromUs), Math.ceil(toUs), limit);
    if (traces.length < limit || toUs - fromUs <= 1000 || depth >= 24) return traces;
    const mid = Math.floor((fromUs + toUs) / 2);
    return [...(await this.page(service, fromUs, mid, depth + 1)), ...(await this.page(service, mid, toUs, depth + 1))];
  }

  private async query(service: string, startUs: number, endUs: number, limit: number): Promise<unknown[]> {
    const url = new URL('/api/traces', this.options.url);
    url.searchParams.set('service', service);
    url.searchParams.set('start', String(startUs));
    url.searchParams.set('end', String(endUs));
    url.searchParams.set('limit', String(limit));
    if (this.options.tags) url.searchParams.set('tags', JSON.stringify(this.options.tags));
    this.queries++;
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
    return arr(isObj(body) ? body.data : undefined);
  }

  async close(): Promise<void> {}
}
