import { context, SpanKind, SpanStatusCode, TraceFlags, type Tracer, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeOtlpProtobuf } from '../../src/evidence/otlp-proto.ts';
import { encodeTraceRequest, SpanBatch } from '../../src/instrument/export/otlp-encode.ts';

// Our encoder against OpenTelemetry's own serializer: both outputs decoded by
// the chaos runner's OTLP decoder must be the same request.
async function finishedSpans(variant = 0): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'é-1', 'host.cpus': 2 }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const http = provider.getTracer('msa-verify-http-server', '1.2.3');
  const amqp = provider.getTracer('@opentelemetry/instrumentation-amqplib', undefined, { schemaUrl: 'https://x/1.0' });
  const remote = trace.setSpanContext(context.active(), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=a,other=b'),
  });
  const server = http.startSpan(
    'GET /orders/:id',
    {
      kind: SpanKind.SERVER,
      startTime: [1_764_000_000, 123_456_789],
      attributes: {
        'http.request.method': 'GET',
        'url.path': `/orders/${'x'.repeat(200)}`,
        'user_agent.original': 'ünïcødé ✓ 𝄞',
        'server.port': 8080,
        'big.int': 2 ** 40 + variant,
        'negative.int': -42,
        ratio: 0.25,
        ok: true,
        off: false,
        tags: ['a', 'b', ''],
        numbers: [1, -2, 3.5],
        flags: [true, false],
        huge: 'y'.repeat(20_000),
      },
      links: [
        {
          context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 0, isRemote: true },
          attributes: { 'link.kind': 'batch' },
        },
      ],
    },
    remote,
  );
  server.addEvent('retry', { attempt: 2, delay_ms: 150.5 }, [1_764_000_000, 200_000_000]);
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 503' });
  server.end([1_764_000_001, 999_999_999]);
  const child = amqp.startSpan(
    'orders publish',
    { kind: SpanKind.PRODUCER, startTime: [1_764_000_001, 5] },
    trace.setSpan(context.active(), server),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.end([1_764_000_002, 0]);
  const plain = http.startSpan('HEAD', { startTime: [0, 0] });
  plain.end([0, 1]);
  await provider.forceFlush();
  return memory.getFinishedSpans();
}

/** Spans that `build` ends on a tracer of a fresh provider. */
async function spansOf(build: (tracer: Tracer) => void): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'edges' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  build(provider.getTracer('t'));
  await provider.forceFlush();
  return memory.getFinishedSpans();
}

type Decoded = { resourceSpans: { scopeSpans: { scope?: { name?: string } }[] }[] };

/** A decoded request with each resource's scopes sorted by name (their order carries no meaning). */
function scopesSorted(request: unknown): Decoded {
  const name = (x: { scope?: { name?: string } }) => x.scope?.name ?? '';
  const { resourceSpans } = request as Decoded;
  return {
    resourceSpans: resourceSpans.map((r) => ({
      ...r,
      scopeSpans: [...r.scopeSpans].sort((a, b) => name(a).localeCompare(name(b))),
    })),
  };
}

describe('OTLP protobuf encoder', () => {
  it('encodes the same request as the OpenTelemetry serializer (resource, scopes, spans, events, links, status)', async () => {
    const spans = await finishedSpans();
    expect(spans).toHaveLength(3);
    // A plain Uint8Array copy: the decoder returns bytes fields in the input's class.
    const ours = decodeOtlpProtobuf(new Uint8Array(encodeTraceRequest(spans)));
    const theirs = decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(ours).toEqual(theirs);
    // The comparison sees a one-unit difference in one attribute.
    const other = decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(await finishedSpans(1))!);
    expect(ours).not.toEqual(other);
  });

  it('keeps nanosecond timestamps exact beyond 2^53', async () => {
    const [span] = await finishedSpans();
    const decoded = decodeOtlpProtobuf(encodeTraceRequest([span!])) as {
      resourceSpans: { scopeSpans: { spans: { startTimeUnixNano: string; endTimeUnixNano: string }[] }[] }[];
    };
    const s = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(s.startTimeUnixNano).toBe('1764000000123456789');
    expect(s.endTimeUnixNano).toBe('1764000001999999999');
  });

  it('an empty batch is an empty request, and consecutive encodes do not share bytes', async () => {
    expect(encodeTraceRequest([])).toHaveLength(0);
    const a = encodeTraceRequest(await finishedSpans());
    const copy = Buffer.from(a);
    encodeTraceRequest(await finishedSpans(1));
    expect(Buffer.from(a).equals(copy)).toBe(true);
  });

  it("writes lengths of every size: a batch over 2 MiB (four-byte lengths) decodes as the serializer's", async () => {
    const spans = await spansOf((tracer) => {
      for (const size of [100, 200, 20_000, 3_000_000])
        tracer.startSpan(`s${size}`, { attributes: { v: 'z'.repeat(size) } }).end();
    });
    const ours = encodeTraceRequest(spans);
    expect(ours.length).toBeGreaterThan(2 ** 21);
    expect(decodeOtlpProtobuf(new Uint8Array(ours))).toEqual(
      decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!),
    );
  });

  it("string attributes on both sides of the one-byte-length fast path decode as the serializer's", async () => {
    const spans = await spansOf((tracer) => {
      // Key 'v' takes 3 bytes, so a KeyValue's content is 7 + n: 127 at n = 120.
      for (const n of [0, 1, 119, 120, 121, 122, 200]) {
        const attributes = { v: 'a'.repeat(n), w: `${'b'.repeat(Math.max(0, n - 1))}é` };
        tracer.startSpan(`s${n}`, { attributes }).end();
      }
    });
    expect(decodeOtlpProtobuf(new Uint8Array(encodeTraceRequest(spans)))).toEqual(
      decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!),
    );
  });

  it("requests in shared memory decode as the serializer's, take after take", async () => {
    const spans = [...(await finishedSpans()), ...(await finishedSpans(1))];
    const shared = new SpanBatch({ sharedMemory: true });
    // Different mixes of resources and scopes shift where the spans start in the request, and so the
    // offset at which the request starts in its memory.
    for (let round = 0; round < 8; round++) {
      const some = spans.slice(round % spans.length);
      for (const s of some) shared.add(s);
      const request = shared.take();
      expect(request.buffer).toBeInstanceOf(SharedArrayBuffer);
      // A long-lived batch keeps each resource's scopes in the order it first saw them: compare by scope.
      expect(scopesSorted(decodeOtlpProtobuf(new Uint8Array(request)))).toEqual(
        scopesSorted(decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(some)!)),
      );
    }
  });

  it('a batch taken twice holds only the spans added since the last take, each time with its resource', async () => {
    const spans = await finishedSpans();
    const batch = new SpanBatch();
    batch.add(spans[0]!);
    batch.add(spans[1]!);
    const first = batch.take();
    expect(batch.count).toBe(0);
    batch.add(spans[2]!);
    const second = batch.take();
    expect(decodeOtlpProtobuf(new Uint8Array(first))).toEqual(
      decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans.slice(0, 2))!),
    );
    expect(decodeOtlpProtobuf(new Uint8Array(second))).toEqual(
      decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans.slice(2))!),
    );
    expect(batch.take()).toHaveLength(0);
  });

  it('a resource still waiting for asynchronous attributes is encoded again once they arrived', async () => {
    // Spans taken at onEnd, as the preload's processor takes them (an exporter would wait for the attributes).
    const ended: ReadableSpan[] = [];
    const processor: SpanProcessor = {
      onStart: () => {},
      onEnd: (span) => ended.push(span),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    let settle: (value: string) => void = () => {};
    const late = new Promise<string>((resolve) => {
      settle = resolve;
    });
    const resource = resourceFromAttributes({ 'service.name': 'slow', 'host.id': late });
    const tracer = new TracerProvider({ resource, spanProcessors: [processor] }).getTracer('t');
    const batch = new SpanBatch();
    tracer.startSpan('before').end();
    batch.add(ended[0]!);
    expect(JSON.stringify(decodeOtlpProtobuf(new Uint8Array(batch.take())))).not.toContain('h-1');
    settle('h-1');
    await resource.waitForAsyncAttributes?.();
    tracer.startSpan('after').end();
    batch.add(ended[1]!);
    expect(JSON.stringify(decodeOtlpProtobuf(new Uint8Array(batch.take())))).toContain('h-1');
  });
});
