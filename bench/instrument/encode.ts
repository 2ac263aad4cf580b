// OTLP/protobuf encoding of finished spans: msa-verify's encoder
// (src/instrument/otlp-encode.ts) against OpenTelemetry's ProtobufTraceSerializer,
// on the same 512 server spans, in one run. Prints ns per span and the ratio.
// With --baseline DIR (an earlier build's dist/, inside this repository), that
// build's encoder runs too, interleaved: before and after in one run.
// With --instructions, each encoder instead runs alone under valgrind (cachegrind, V8
// single-threaded) for 40 and for 120 rounds, and the script prints the difference in
// instructions per span: a count that does not depend on how busy the machine is.
// Usage: bash scripts/build && node bench/instrument/encode.ts [rounds] [--baseline dist/.baseline] [--instructions]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const { values, positionals } = parseArgs({
  options: {
    baseline: { type: 'string' },
    instructions: { type: 'boolean', default: false },
    // Internal (--instructions): run only the encoder at this index, for `rounds` rounds.
    only: { type: 'string' },
  },
  allowPositionals: true,
});
const ROUNDS = Number(positionals[0] ?? 400);
const require = createRequire(import.meta.url);
const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
const { ProtobufTraceSerializer } =
  require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
// The exporter's path: one SpanBatch for the life of the process (requests in shared memory, as the
// processor takes them), each span added as it ends, then taken.
interface Batch {
  add(span: ReadableSpan): void;
  take(): Uint8Array;
}
type BatchClass = new (options?: { sharedMemory?: boolean }) => Batch;
const load = async (dist: string) =>
  (
    (await import(pathToFileURL(path.resolve(dist, 'instrument/export/otlp-encode.js')).href)) as {
      SpanBatch: BatchClass;
    }
  ).SpanBatch;
const batch = new (await load(path.join(import.meta.dirname, '../../dist')))({ sharedMemory: true });
const baseline = values.baseline === undefined ? undefined : new (await load(values.baseline))({ sharedMemory: true });

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

// Interleaved twice so that warm-up and machine noise hit all alike; the better round of each counts.
const encoders: [string, () => Uint8Array][] = [
  ['msa-verify encoder', () => takeAll(batch)],
  ...(baseline ? [['baseline encoder', () => takeAll(baseline)] as [string, () => Uint8Array]] : []),
  ['OpenTelemetry serializer', () => ProtobufTraceSerializer.serializeRequest(spans)!],
];
function takeAll(b: Batch): Uint8Array {
  for (const span of spans) b.add(span);
  return b.take();
}
if (values.only !== undefined) {
  const encode = encoders[Number(values.only)]![1];
  for (let i = 0; i < ROUNDS; i++) encode();
  process.exit(0);
}
if (values.instructions) {
  const [few, many] = [40, 120];
  /** Instructions valgrind counted for encoder `index` run alone for `rounds` rounds (start-up included). */
  const count = (index: number, rounds: number): number => {
    const args = [process.execPath, '--single-threaded', import.meta.filename, String(rounds), '--only', String(index)];
    if (values.baseline) args.push('--baseline', values.baseline);
    const run = spawnSync(
      'valgrind',
      ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', ...args],
      {
        encoding: 'utf8',
      },
    );
    const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr ?? '');
    if (run.status !== 0 || !refs) throw new Error(`valgrind failed (is it installed?): ${run.error ?? run.stderr}`);
    return Number(refs[1]!.replaceAll(',', ''));
  };
  console.log(
    `node ${process.version}, ${spans.length} spans per round, instructions per span between ${few} and ${many} rounds`,
  );
  const perSpan = encoders.map(([name], i) => {
    const n = (count(i, many) - count(i, few)) / ((many - few) * spans.length);
    console.log(`${name.padEnd(25)} ${n.toFixed(0).padStart(6)} instructions/span`);
    return n;
  });
  console.log(`ratio msa-verify/OpenTelemetry ${(perSpan[0]! / perSpan[perSpan.length - 1]!).toFixed(2)}`);
  if (baseline) console.log(`ratio msa-verify/baseline ${(perSpan[0]! / perSpan[1]!).toFixed(2)}`);
  process.exit(0);
}
const best = encoders.map(() => ({ ns: Number.POSITIVE_INFINITY, bytes: 0 }));
for (let round = 0; round < 2; round++) {
  encoders.forEach(([, encode], i) => {
    const { ns, bytes } = measure(encode);
    best[i] = { ns: Math.min(best[i]!.ns, ns), bytes };
  });
}
console.log(`node ${process.version}, ${spans.length} spans x ${ROUNDS} rounds`);
encoders.forEach(([name], i) => {
  console.log(
    `${name.padEnd(25)} ${best[i]!.ns.toFixed(0).padStart(5)} ns/span  (${best[i]!.bytes} bytes per request)`,
  );
});
const theirs = best[best.length - 1]!.ns;
console.log(`ratio msa-verify/OpenTelemetry ${(best[0]!.ns / theirs).toFixed(2)}`);
if (baseline) console.log(`ratio msa-verify/baseline ${(best[0]!.ns / best[1]!.ns).toFixed(2)}`);
