// Reads the preload's JSON-lines trace file (MSA_VERIFY_TRACES_FILE): one span a
// line with traceId, spanId, parentSpanId, name, kind, startTime, endTime (epoch
// ms), attributes, status, resource['service.name']. Lenient about the forms the
// OpenTelemetry JS SDK uses (numeric kind/status enums, HrTime pairs), because a
// trace file from a slightly different preload should still be readable.

import { readFile } from 'node:fs/promises';
import { MsaVerifyError } from '../core/errors.js';
import type { SpanRecord, TraceSource } from './types.js';
import { overlaps } from './window.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// OpenTelemetry JS SpanKind: INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4.
const JS_KINDS: SpanRecord['kind'][] = ['internal', 'server', 'client', 'producer', 'consumer'];

function timeMs(v: unknown): number {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 2) return Number(v[0]) * 1000 + Number(v[1]) / 1e6; // HrTime
  if (typeof v === 'string') return Number.isNaN(Number(v)) ? Date.parse(v) : Number(v);
  return Number.NaN;
}

function kindOf(v: unknown): SpanRecord['kind'] {
  if (typeof v === 'number') return JS_KINDS[v] ?? 'internal';
  const k = typeof v === 'string' ? v.replace(/^SPAN_KIND_/, '').toLowerCase() : '';
  return (JS_KINDS as string[]).includes(k) ? (k as SpanRecord['kind']) : 'internal';
}

function statusOf(v: unknown): SpanRecord['status'] {
  const code = isObj(v) ? v.code : v;
  if (code === 1 || code === 'ok' || code === 'OK') return 'ok';
  if (code === 2 || code === 'error' || code === 'ERROR') return 'error';
  return 'unset';
}

/** Parses one line; undefined when it is not a span. */
export function parseSpanLine(line: string): SpanRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObj(v) || typeof v.traceId !== 'string' || typeof v.spanId !== 'string') return undefined;
  const resource = isObj(v.resource) ? v.resource : {};
  const resAttrs = isObj(resource.attributes) ? resource.attributes : resource;
  const service = resAttrs['service.name'] ?? v.service;
  const span: SpanRecord = {
    traceId: v.traceId,
    spanId: v.spanId,
    name: typeof v.name === 'string' ? v.name : '',
    kind: kindOf(v.kind),
    service: typeof service === 'string' ? service : 'unknown',
    startTime: timeMs(v.startTime),
    endTime: timeMs(v.endTime),
    attributes: isObj(v.attributes) ? v.attributes : {},
    status: statusOf(v.status),
  };
  if (typeof v.parentSpanId === 'string' && v.parentSpanId !== '') span.parentSpanId = v.parentSpanId;
  return span;
}

/** A {@link TraceSource} over a JSON-lines file; re-read on every query, so it sees spans appended meanwhile. */
export class JsonLinesTraceSource implements TraceSource {
  readonly name: string;
  /** Lines that were not spans in the last read (partial trailing line, garbage). */
  skippedLines = 0;

  readonly file: string;

  constructor(file: string) {
    this.file = file;
    this.name = `file:${file}`;
  }

  async spans(window: { from: number; to: number }): Promise<SpanRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return []; // no service wrote a span yet
      throw new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `cannot read trace file ${this.file}`, { cause });
    }
    const out: SpanRecord[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const span = parseSpanLine(line);
      if (span) {
        if (overlaps(span, window)) out.push(span);
      } else skipped++;
    }
    this.skippedLines = skipped;
    return out;
  }

  async close(): Promise<void> {}
}
