// What the preload's features cost per request, beside the floor
// (floor-preload.cjs), which has none of them: each piece of the per-request
// path run alone, in one process, with the same inputs a traced request gives
// it (the eleven server-span attributes, a traceparent, a correlation header).
// Pieces are interleaved round by round, and rounds are short (a few ms) and
// many, so that some of them run undisturbed on a loaded machine: the best
// round of each counts. The floor's own equivalent of
// a piece is measured next to it where it has one, so the difference is what
// the feature adds.
// Prints ns per request; asserts nothing.
// Usage: bash scripts/build && node bench/instrument/features.ts [rounds] [calls per round]
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Attributes, Context, TextMapGetter, TextMapPropagator } from '@opentelemetry/api';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';

const ROUNDS = Number(process.argv[2] ?? 300);
const CALLS = Number(process.argv[3] ?? 2000);
const require = createRequire(import.meta.url);
const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
const core = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');

const dist = '../../dist/instrument';
const { redactAttributes } = (await import(`${dist}/redact.js`)) as typeof import('../../src/instrument/redact.ts');
const { CHAIN_ROOT } = (await import(
  `${dist}/http-server/chain-context.js`
)) as typeof import('../../src/instrument/http-server/chain-context.ts');
const { W3CTraceContextLevel2 } = (await import(
  `${dist}/propagation/trace-context.js`
)) as typeof import('../../src/instrument/propagation/trace-context.ts');
const { CorrelationPropagator, correlationHeaders } = (await import(
  `${dist}/propagation/correlation.js`
)) as typeof import('../../src/instrument/propagation/correlation.ts');
const { BaggageCorrelation } = (await import(
  `${dist}/propagation/propagators.js`
)) as typeof import('../../src/instrument/propagation/propagators.ts');
const { ServerSpanFactory } = (await import(
  `${dist}/http-server/server-span.js`
)) as typeof import('../../src/instrument/http-server/server-span.ts');
const { MsaVerifySpanProcessor, correlationOfSpan } = (await import(
  `${dist}/span-processor.js`
)) as typeof import('../../src/instrument/span-processor.ts');
const { EncodingBatchProcessor } = (await import(
  `${dist}/export/otlp-processor.js`
)) as typeof import('../../src/instrument/export/otlp-processor.ts');

const headers: Record<string, string> = {
  host: '127.0.0.1:3000',
  'user-agent': 'autocannon',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03',
  'x-correlation-id': 'order-7f3a9c',
};
const getter: TextMapGetter<Record<string, string>> = api.defaultTextMapGetter;
const serverAttributes = (): Attributes => ({
  'http.request.method': 'GET',
  'url.scheme': 'http',
  'url.path': '/',
  'server.address': '127.0.0.1',
  'server.port': 3000,
  'client.address': '127.0.0.1',
  'network.protocol.version': '1.1',
  'user_agent.original': 'autocannon',
});

// The preload's propagator, as sdk.ts builds it.
const correlation = new CorrelationPropagator({
  headers: correlationHeaders(undefined),
  fromSpan: (ctx) => correlationOfSpan(api.trace.getSpan(ctx)),
});
const composite: TextMapPropagator = new core.CompositePropagator({
  propagators: [new W3CTraceContextLevel2(), new core.W3CBaggagePropagator(), new BaggageCorrelation(api, correlation)],
});
const level2 = new W3CTraceContextLevel2();
const baggageCorrelation = new BaggageCorrelation(api, correlation);
const baggage = new core.W3CBaggagePropagator();
const stockTraceContext = new core.W3CTraceContextPropagator();

// Server spans as the preload starts and ends them, with an exporter whose send does nothing.
const resource = resourceFromAttributes({ 'service.name': 'features' });
const scope = { name: 'msa-verify-http-server', version: undefined, schemaUrl: undefined };
function encodingProcessor(): SpanProcessor {
  return new EncodingBatchProcessor(() => Promise.resolve(), {
    // No drops inside a round: the sends resolve between rounds.
    maxQueueSize: 1e9,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 1000,
    exportTimeoutMillis: 30000,
    untraced: (send) => send(),
    warn: () => {},
    exportError: () => {},
  });
}
function factory(sampler: Sampler, processors: SpanProcessor[]) {
  return new ServerSpanFactory({ api, core, sampler, processors, resource, scope });
}
const parentBased = new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
const withProcessor = factory(parentBased, [new MsaVerifySpanProcessor([]), encodingProcessor()]);
const encodeOnly = factory(parentBased, [encodingProcessor()]);
const alwaysOn = factory(new sdk.AlwaysOnSampler(), [encodingProcessor()]);
const extracted = composite.extract(CHAIN_ROOT, headers, getter);
// What bench/instrument/run.ts sends: no traceparent, no correlation header (the id is generated).
const bare = { host: headers.host, 'user-agent': headers['user-agent'] };
const extractedBare = composite.extract(CHAIN_ROOT, bare, getter);
function serverSpan(f: InstanceType<typeof ServerSpanFactory>, parent: Context): void {
  const span = f.start('GET', parent, serverAttributes);
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('http.route', '/');
  span.updateName('GET /');
  span.end();
}

// The floor's own span path: floor-preload.cjs compiled with its two span
// functions exported (it also patches http.Server here, which this process does
// not use; its batches go to a closed port and fail quietly, as a down collector).
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
const floorFile = fileURLToPath(new URL('./floor-preload.cjs', import.meta.url));
const floorModule = new Module(floorFile) as Module & { _compile(code: string, file: string): void };
floorModule._compile(`${readFileSync(floorFile, 'utf8')}\nmodule.exports = { writeSpan, randomBytes };`, floorFile);
const floor = floorModule.exports as {
  writeSpan(span: Record<string, unknown>, status: number): void;
  randomBytes(n: number): Buffer;
};
// The span object the floor builds per request (its emit wrapper), then written as it ends.
function floorSpan(): void {
  const span = {
    traceId: floor.randomBytes(16),
    spanId: floor.randomBytes(8),
    parentId: undefined,
    start: performance.timeOrigin * 1e6 + performance.now() * 1e6,
    method: 'GET',
    path: '/',
    host: '127.0.0.1',
    port: 3000,
    peer: '127.0.0.1',
    version: '1.1',
    agent: 'autocannon',
    correlation: randomUUID(),
  };
  floor.writeSpan(span, 200);
}

// The floor's equivalents (floor-preload.cjs): one regex for the traceparent, one for the correlation id.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const CORRELATION = /^[A-Za-z0-9._:+/=-]{1,64}$/;

const { AsyncLocalStorageContextManager } =
  require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
// As the preload registers it (sdk.ts).
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const storage = new AsyncLocalStorage<Context>();
const emitter = { emit: (_event: string, _a: unknown, _b: unknown) => true };
const attrs = {
  ...serverAttributes(),
  'correlation.id': 'order-7f3a9c',
  'http.response.status_code': 200,
  'http.route': '/',
};

let sink: unknown;
const pieces: Record<string, () => void> = {
  'redaction of the 11 server-span attributes (MsaVerifySpanProcessor.onEnd)': () => {
    redactAttributes(attrs, []);
  },
  'propagation extract, preload (W3C Level 2 + baggage + correlation, with baggage entry)': () => {
    sink = composite.extract(CHAIN_ROOT, headers, getter);
  },
  'correlation id: header validated, stored in context and baggage (BaggageCorrelation)': () => {
    sink = baggageCorrelation.extract(CHAIN_ROOT, headers, getter);
  },
  'baggage header (none sent): W3CBaggagePropagator': () => {
    sink = baggage.extract(CHAIN_ROOT, headers, getter);
  },
  'traceparent: W3C Level 2 propagator alone': () => {
    sink = level2.extract(CHAIN_ROOT, headers, getter);
  },
  'traceparent: stock W3CTraceContextPropagator': () => {
    sink = stockTraceContext.extract(CHAIN_ROOT, headers, getter);
  },
  'traceparent + correlation id: floor (two regexes, hex to bytes)': () => {
    const p = TRACEPARENT.exec(headers.traceparent ?? '');
    const inbound = headers['x-correlation-id'];
    sink = [
      p ? Buffer.from(p[1]!, 'hex') : undefined,
      p ? Buffer.from(p[2]!, 'hex') : undefined,
      typeof inbound === 'string' && CORRELATION.test(inbound) ? inbound : randomUUID(),
    ];
  },
  'server span start+end: ParentBased sampler, MsaVerifySpanProcessor, encoding': () =>
    serverSpan(withProcessor, extracted),
  'server span start+end, new trace (as run.ts): ParentBased sampler, MsaVerifySpanProcessor, encoding': () =>
    serverSpan(withProcessor, extractedBare),
  'server span, floor: span object, correlation id generated, written as OTLP (floor-preload.cjs)': floorSpan,
  'propagation extract, preload, as run.ts sends (no traceparent, id generated)': () => {
    sink = composite.extract(CHAIN_ROOT, bare, getter);
  },
  'server span start+end: ParentBased sampler, encoding only': () => serverSpan(encodeOnly, extracted),
  'server span start+end: AlwaysOn sampler, encoding only': () => serverSpan(alwaysOn, extracted),
  'handler in context: api.context.with(ctx, emit, server, ...) (AsyncLocalStorageContextManager)': () => {
    sink = api.context.with(extracted, emitter.emit, emitter, 'request', 1, 2);
  },
  'handler in context: floor (AsyncLocalStorage.run and a closure)': () => {
    sink = storage.run(extracted, () => emitter.emit.call(emitter, 'request', 1, 2));
  },
};

const best: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(pieces)) {
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) fn();
    const ns = ((performance.now() - t0) * 1e6) / CALLS;
    best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, ns);
    await new Promise((resolve) => setImmediate(resolve)); // the batches sent in the round finish
  }
}
void sink;
console.log(`node ${process.version}; best of ${ROUNDS} rounds of ${CALLS} calls; ns per request`);
for (const [name, ns] of Object.entries(best)) console.log(`${ns.toFixed(0).padStart(7)}  ${name}`);
