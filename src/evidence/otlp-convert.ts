// OTLP (JSON, or protobuf decoded to the same camelCase shape) -> SpanRecord.
// OTLP/JSON ids are hex; protobuf ids arrive as bytes. Times are unix nanos as
// strings or numbers. Span kind follows the OTLP enum (1 internal .. 5 consumer).

import type { SpanRecord } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const OTLP_KINDS: Record<number, SpanRecord['kind']> = {
  1: 'internal',
  2: 'server',
  3: 'client',
  4: 'producer',
  5: 'consumer',
};

/** Hex id from hex text, base64 text, or bytes; '' when absent. */
export function idToHex(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v !== 'string' || v === '') return '';
  if (/^[0-9a-fA-F]+$/.test(v) && (v.length === 16 || v.length === 32)) return v.toLowerCase();
  return Buffer.from(v, 'base64').toString('hex');
}

/** Unix nanos (string, number or bigint) to epoch ms. */
export function nanosToMs(v: unknown): number {
  if (typeof v === 'bigint') return Number(v / 1000n) / 1000;
  if (typeof v === 'number') return v / 1e6;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(BigInt(v) / 1000n) / 1000;
  return Number.NaN;
}

/** An OTLP AnyValue as a plain JS value. */
export function anyValue(v: unknown): unknown {
  if (!isObj(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return arr((v.arrayValue as Obj | undefined)?.values).map(anyValue);
  if ('kvlistValue' in v) return keyValues((v.kvlistValue as Obj | undefined)?.values);
  if ('bytesValue' in v) return idToHex(v.bytesValue);
  return undefined;
}

/** OTLP `KeyValue[]` as a record. */
export function keyValues(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of arr(list)) {
    if (isObj(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  }
  return out;
}

function kindOf(v: unknown): SpanRecord['kind'] {
  if (typeof v === 'number') return OTLP_KINDS[v] ?? 'internal';
  if (typeof v === 'string') {
    const k = v.replace(/^SPAN_KIND_/, '').toLowerCase();
    if (k === 'server' || k === 'client' || k === 'producer' || k === 'consumer') return k;
  }
  return 'internal';
}

function statusOf(v: unknown): SpanRecord['status'] {
  const code = isObj(v) ? v.code : undefined;
  if (code === 1 || code === 'STATUS_CODE_OK') return 'ok';
  if (code === 2 || code === 'STATUS_CODE_ERROR') return 'error';
  return 'unset';
}

/**
 * Flattens an `ExportTraceServiceRequest` into SpanRecords; spans without a
 * trace or span id are skipped. Accepts the legacy `instrumentationLibrarySpans` too.
 */
export function otlpToSpans(request: unknown): SpanRecord[] {
  const out: SpanRecord[] = [];
  if (!isObj(request)) return out;
  for (const rs of arr(request.resourceSpans)) {
    if (!isObj(rs)) continue;
    const resource = keyValues(isObj(rs.resource) ? rs.resource.attributes : undefined);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown';
    for (const ss of [...arr(rs.scopeSpans), ...arr(rs.instrumentationLibrarySpans)]) {
      if (!isObj(ss)) continue;
      for (const s of arr(ss.spans)) {
        if (!isObj(s)) continue;
        const traceId = idToHex(s.traceId);
        const spanId = idToHex(s.spanId);
        if (!traceId || !spanId) continue;
        const span: SpanRecord = {
          traceId,
          spanId,
          name: typeof s.name === 'string' ? s.name : '',
          kind: kindOf(s.kind),
          service,
          startTime: nanosToMs(s.startTimeUnixNano),
          endTime: nanosToMs(s.endTimeUnixNano),
          attributes: keyValues(s.attributes),
          status: statusOf(s.status),
        };
        const parent = idToHex(s.parentSpanId);
        if (parent) span.parentSpanId = parent;
        out.push(span);
      }
    }
  }
  return out;
}
