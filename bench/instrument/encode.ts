// OTLP/protobuf encoding of finished spans: msa-verify's encoder
// (src/instrument/otlp-encode.ts) against OpenTelemetry's ProtobufTraceSerializer,
// on the same 512 server spans, in one run. Prints ns per span and the ratio.
// Usage: bash scripts/build && node bench/instrument/encode.ts [rounds]
import { createRequire } from 'node:module';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const ROUNDS = Number(process.argv[2] ?? 400);
const require = createRequire(import.meta.url);
const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
const { ProtobufTraceSerializer } =
  require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
// The exporter's path: one SpanBatch for the life of the process, each span added as it ends, then taken.
const { SpanBatch } = (await import('../../dist/instrument/export/otlp-encode.js')) as {
  SpanBatch: new () => { add(span: ReadableSpan): void; take(): Uint8Array };
};
const batch = new SpanBatch();

const memory = new sdk.InMemorySpanExporter();
const provider = new sdk.TracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor({ exporter: memory })] });
const tracer = provider.getTracer('msa-verify-http-server');
for (let i = 0; i < 512; i++) {
  const span = tracer.startSpan('GET', {
    kind: 1,
    attributes: {
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': `/orders/${i}`,
      'server.address': '127.0.0.1',
      'server.port': 3000,
      'client.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'user_agent.original': 'autocannon',
      'correlation.id': crypto.randomUUID(),
    },
  });
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('http.route', '/orders/:id');
  span.end();
}
await provider.forceFlush();
const spans = memory.getFinishedSpans();

function measure(encode: () => Uint8Array): { ns: number; bytes: number } {
  for (let i = 0; i < 50; i++) encode();
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < ROUNDS; i++) bytes = encode().length;
  return { ns: Number(process.hrtime.bigint() - t0) / ROUNDS / spans.length, bytes };
}

// Interleaved twice so that warm-up and machine noise hit both alike; the better round of each counts.
const ours: number[] = [];
const theirs: number[] = [];
let sizes = { ours: 0, theirs: 0 };
for (let round = 0; round < 2; round++) {
  const a = measure(() => {
    for (const span of spans) batch.add(span);
    return batch.take();
  });
  const b = measure(() => ProtobufTraceSerializer.serializeRequest(spans)!);
  ours.push(a.ns);
  theirs.push(b.ns);
  sizes = { ours: a.bytes, theirs: b.bytes };
}
const o = Math.min(...ours);
const t = Math.min(...theirs);
console.log(`node ${process.version}, ${spans.length} spans x ${ROUNDS} rounds`);
console.log(`msa-verify encoder      ${o.toFixed(0).padStart(5)} ns/span  (${sizes.ours} bytes per request)`);
console.log(`OpenTelemetry serializer ${t.toFixed(0).padStart(4)} ns/span  (${sizes.theirs} bytes per request)`);
console.log(`ratio msa-verify/OpenTelemetry ${(o / t).toFixed(2)}`);
