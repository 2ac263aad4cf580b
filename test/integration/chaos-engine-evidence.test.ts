import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Writer } from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonLinesTraceSource } from '../../src/evidence/file-source.js';
import { OtlpReceiver } from '../../src/evidence/otlp-receiver.js';

const T0 = 1_764_400_000_000; // epoch ms
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const TRACE = '5b8efff798038103d269b633813fc60c';

const otlpJson = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] },
      scopeSpans: [
        {
          scope: { name: 'test' },
          spans: [
            {
              traceId: TRACE,
              spanId: 'eee19b7ec3c1b174',
              parentSpanId: 'eee19b7ec3c1b173',
              name: 'GET',
              kind: 3,
              startTimeUnixNano: nanos(T0 + 10),
              endTimeUnixNano: nanos(T0 + 25),
              attributes: [
                { key: 'http.response.status_code', value: { intValue: '503' } },
                { key: 'server.address', value: { stringValue: '127.0.0.1' } },
                { key: 'retry', value: { boolValue: true } },
                { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { doubleValue: 1.5 }] } } },
              ],
              status: { code: 2, message: 'boom' },
            },
          ],
        },
      ],
    },
  ],
};

/** Hand-encodes one span as OTLP protobuf on the wire, field numbers written out from trace.proto. */
function protobufExport(): Uint8Array {
  const kv = (key: string, value: (w: Writer) => void) => {
    const any = Writer.create();
    value(any);
    return Writer.create().uint32(10).string(key).uint32(18).bytes(any.finish()).finish();
  };
  const span = Writer.create()
    .uint32((1 << 3) | 2)
    .bytes(Buffer.from(TRACE, 'hex'))
    .uint32((2 << 3) | 2)
    .bytes(Buffer.from('00f067aa0ba902b7', 'hex'))
    .uint32((5 << 3) | 2)
    .string('POST /api/orders')
    .uint32((6 << 3) | 0)
    .int32(2) // SPAN_KIND_SERVER
    .uint32((7 << 3) | 1)
    .fixed64(nanos(T0 + 5))
    .uint32((8 << 3) | 1)
    .fixed64(nanos(T0 + 40))
    .uint32((9 << 3) | 2)
    .bytes(kv('http.route', (w) => w.uint32(10).string('/api/orders')))
    .uint32((9 << 3) | 2)
    .bytes(kv('attempt', (w) => w.uint32(24).int64(3)))
    .uint32((11 << 3) | 2) // an event: unknown to the receiver's schema, must be skipped
    .bytes(Writer.create().uint32(18).string('exception').finish())
    .uint32((15 << 3) | 2)
    .bytes(Writer.create().uint32(24).int32(1).finish()) // STATUS_CODE_OK
    .finish();
  const scopeSpans = Writer.create().uint32(18).bytes(span).finish();
  const resource = Writer.create()
    .uint32(10)
    .bytes(kv('service.name', (w) => w.uint32(10).string('gateway')))
    .finish();
  const resourceSpans = Writer.create().uint32(10).bytes(resource).uint32(18).bytes(scopeSpans).finish();
  return Writer.create().uint32(10).bytes(resourceSpans).finish();
}

async function post(endpoint: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(endpoint, { method: 'POST', body, headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('OtlpReceiver', () => {
  let receiver: OtlpReceiver;
  let endpoint: string;
  beforeAll(async () => {
    receiver = new OtlpReceiver();
    ({ endpoint } = await receiver.start());
  });
  afterAll(() => receiver.close());

  it('listens on 127.0.0.1 and accepts OTLP/JSON', async () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
    const r = await post(endpoint, JSON.stringify(otlpJson), { 'content-type': 'application/json' });
    expect(r).toMatchObject({ status: 200, text: '{}' });
    const spans = await receiver.spans({ from: T0, to: T0 + 100 });
    expect(spans).toEqual([
      {
        traceId: TRACE,
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        name: 'GET',
        kind: 'client',
        service: 'orders',
        startTime: T0 + 10,
        endTime: T0 + 25,
        attributes: { 'http.response.status_code': 503, 'server.address': '127.0.0.1', retry: true, tags: ['a', 1.5] },
        status: 'error',
      },
    ]);
  });

  it('accepts OTLP/protobuf, also gzip-compressed, and answers with an empty protobuf response', async () => {
    const r = await post(endpoint, protobufExport(), { 'content-type': 'application/x-protobuf' });
    expect(r).toMatchObject({ status: 200, type: 'application/x-protobuf', text: '' });
    const gz = await post(endpoint, gzipSync(protobufExport()), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(gz.status).toBe(200);
    const spans = (await receiver.spans({ from: T0, to: T0 + 100 })).filter((s) => s.service === 'gateway');
    expect(spans).toHaveLength(2);
    expect(spans[0]).toEqual({
      traceId: TRACE,
      spanId: '00f067aa0ba902b7',
      name: 'POST /api/orders',
      kind: 'server',
      service: 'gateway',
      startTime: T0 + 5,
      endTime: T0 + 40,
      attributes: { 'http.route': '/api/orders', attempt: 3 },
      status: 'ok',
    });
  });

  it('filters by window and refuses malformed or unsupported exports', async () => {
    expect(await receiver.spans({ from: T0 + 1000, to: T0 + 2000 })).toEqual([]);
    expect((await receiver.spans({ from: T0 + 30, to: T0 + 30 })).map((s) => s.spanId).sort()).toEqual([
      '00f067aa0ba902b7',
      '00f067aa0ba902b7',
    ]);
    const bad = await post(endpoint, '{nope', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/malformed export/);
    const badPb = await post(endpoint, Uint8Array.from([0x0a, 0xff, 0xff]), {
      'content-type': 'application/x-protobuf',
    });
    expect(badPb.status).toBe(400);
    expect((await post(endpoint, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await fetch(endpoint.replace('/v1/traces', '/v1/metrics'), { method: 'POST' })).status).toBe(404);
    expect(receiver.rejectedRequests).toBe(3);
  });
});

describe('JsonLinesTraceSource (the preload trace file)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'msav-traces-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads spans, skips garbage and partial lines, and sees appended spans', async () => {
    const file = path.join(dir, 'traces.jsonl');
    const source = new JsonLinesTraceSource(file);
    expect(await source.spans({ from: 0, to: Number.MAX_SAFE_INTEGER })).toEqual([]); // file not there yet
    const line = (spanId: string, start: number, extra: object = {}) =>
      `${JSON.stringify({
        traceId: TRACE,
        spanId,
        parentSpanId: '',
        name: 'GET /api/products',
        kind: 'client',
        startTime: start,
        endTime: start + 5,
        attributes: { 'http.response.status_code': 200 },
        status: 'ok',
        resource: { 'service.name': 'orders' },
        ...extra,
      })}\n`;
    await writeFile(file, `${line('a1', T0)}not json\n${line('a2', T0 + 500, { kind: 1, status: { code: 2 } })}`);
    await appendFile(file, `${line('a3', T0 + 5000)}{"traceId":"x`);
    const spans = await source.spans({ from: T0, to: T0 + 1000 });
    expect(spans.map((s) => [s.spanId, s.kind, s.status, s.service, s.parentSpanId])).toEqual([
      ['a1', 'client', 'ok', 'orders', undefined],
      ['a2', 'server', 'error', 'orders', undefined],
    ]);
    expect(source.skippedLines).toBe(2);
    expect(await source.spans({ from: T0 + 4000, to: T0 + 6000 })).toHaveLength(1);
  });
});

// JaegerTraceSource is tested against the real Jaeger in evidence-jaeger.test.ts.
