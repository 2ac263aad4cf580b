// Trace check benchmarks (results in docs/benchmarks.md):
//  1. latency: the shop with the preload exports to the real Jaeger (batch delay
//     200 ms); each run of traces/product-lookup.yaml and traces/order-created.yaml
//     reports the time from the end of the last span to the verdict. The peer is
//     the floor set by the pipeline itself: the time until the complete trace is
//     first readable from Jaeger's API (polled every 20 ms by the bench).
//  2. cost per span: the rules (one trace, hops, correlation, errors) on synthetic
//     traces of 10 to 20000 spans, against the peer cost of reading the same spans
//     from a Jaeger API answer (JSON.parse + conversion), per span.
// Usage: npm run build && node bench/trace/check.ts [runs=10]   (needs scripts/services up)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jaegerTraceToSpans } from '../../dist/evidence/jaeger-source.js';
import { loadTraceCheck } from '../../dist/trace/load.js';
import { judgeCorrelation } from '../../dist/trace/rule-correlation.js';
import { judgeErrors } from '../../dist/trace/rule-errors.js';
import { judgeHop, matchHop } from '../../dist/trace/rule-hop.js';
import { judgeOneTrace } from '../../dist/trace/rule-one-trace.js';
import { runTraceCheck } from '../../dist/trace/run-check.js';
import { openSpanFinder, type SpanFinder } from '../../dist/trace/span-finder.js';
import { buildTraceView } from '../../dist/trace/trace-view.js';
import { startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { readServicesEnv } from '../../examples/shop/run-files.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUNS = Number(process.argv[2] ?? 10);
const services = readServicesEnv();
const JAEGER = services.JAEGER_URL ?? 'http://127.0.0.1:16686';
const OTLP = services.JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function latency(): Promise<void> {
  const shop = await startShop({
    rabbitmqUrl: services.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    preload: true,
    tracesEndpoint: OTLP,
    messaging: uniqueMessaging('bench-trace'),
  });
  try {
    Object.assign(process.env, {
      SHOP_GATEWAY_URL: shop.urls.gateway,
      SHOP_EXCHANGE: shop.messaging.exchange,
      JAEGER_URL: JAEGER,
    });
    for (const file of ['traces/product-lookup.yaml', 'traces/order-created.yaml']) {
      const loaded = await loadTraceCheck(file, { cwd: ROOT });
      // The logs rule reads files; leave it out of the latency figure.
      const check = { ...loaded, check: { ...loaded.check, expect: { ...loaded.check.expect, logs: undefined } } };
      const ours: number[] = [];
      const floor: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const finder = await openSpanFinder(check.check.source, {
          cwd: ROOT,
          services: ['gateway', 'orders', 'products', 'delivery'],
        });
        // Peer: a watcher reads the request's spans from Jaeger every 20 ms; the first read that
        // already held every span the check ended with is when the pipeline delivered the trace.
        const correlationId = `msav-bench-${process.pid}-${Date.now()}-${i}`;
        const reads: { at: number; count: number }[] = [];
        let stop = false;
        const watcher = watch(finder, correlationId, reads, () => stop);
        const result = await runTraceCheck(check, { finder, cwd: ROOT, correlationId });
        stop = true;
        await watcher;
        const firstComplete = reads.find((r) => r.count >= result.spans.length)?.at ?? Number.NaN;
        if (!result.passed)
          throw new Error(`${file}: check failed: ${JSON.stringify(result.verdicts.filter((v) => !v.passed))}`);
        const lastEnd = result.endedAt - (result.lastSpanToVerdictMs ?? 0);
        ours.push(result.lastSpanToVerdictMs ?? Number.NaN);
        floor.push(firstComplete - lastEnd);
      }
      const o = median(ours);
      const f = median(floor);
      process.stdout.write(
        `${path.basename(file)}: last span end -> verdict median ${o.toFixed(0)} ms (min ${Math.min(...ours)}, max ${Math.max(...ours)}); ` +
          `last span end -> trace complete in Jaeger (peer floor) median ${f.toFixed(0)} ms; ratio ${(o / f).toFixed(2)}\n`,
      );
    }
  } finally {
    await shop.stop();
  }
}

/** Reads the spans of `correlationId` from Jaeger every 20 ms, recording when and how many. */
async function watch(
  finder: SpanFinder,
  correlationId: string,
  reads: { at: number; count: number }[],
  stopped: () => boolean,
): Promise<void> {
  const started = Date.now();
  while (!stopped()) {
    const related = await finder.related(correlationId, { from: started - 1000, to: Date.now() + 1000 });
    reads.push({ at: Date.now(), count: related.length });
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A request through `depth` services, 2 spans per hop, correlation ID on each. */
function syntheticJaegerTrace(spanCount: number): unknown {
  const traceID = 'ab'.repeat(16);
  const spans = [];
  const processes: Record<string, { serviceName: string; tags: [] }> = {};
  let parent: string | undefined;
  for (let i = 0; i < spanCount; i++) {
    const service = `svc-${Math.floor(i / 2)}`;
    processes[`p${i}`] = { serviceName: service, tags: [] };
    const spanID = i.toString(16).padStart(16, '0');
    spans.push({
      traceID,
      spanID,
      operationName: i % 2 ? 'GET' : 'GET /x',
      references: parent ? [{ refType: 'CHILD_OF', traceID, spanID: parent }] : [],
      startTime: 1_700_000_000_000_000 + i * 10,
      duration: 5,
      tags: [
        { key: 'span.kind', type: 'string', value: i % 2 ? 'client' : 'server' },
        { key: 'correlation.id', type: 'string', value: 'cid' },
      ],
      processID: `p${i}`,
    });
    parent = spanID;
  }
  return { data: [{ traceID, spans, processes }] };
}

function cost(): void {
  process.stdout.write('\nspans  read (JSON.parse + convert, peer) µs/span  rules µs/span  ratio\n');
  for (const n of [10, 100, 1000, 5000, 20000]) {
    const text = JSON.stringify(syntheticJaegerTrace(n));
    const hops = Array.from({ length: Math.floor(n / 2) - 1 }, (_, i) => ({
      from: `svc-${i}`,
      to: `svc-${i + 1}`,
      via: 'http' as const,
    }));
    const reps = Math.max(3, Math.floor(20000 / n));
    let read = 0;
    let judge = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const spans = (JSON.parse(text) as { data: unknown[] }).data.flatMap(jaegerTraceToSpans);
      const t1 = performance.now();
      const view = buildTraceView('cid', 'svc-0', spans);
      judgeOneTrace(view, hops);
      for (const h of hops) judgeHop(view, h, matchHop(view, h));
      judgeCorrelation(view);
      judgeErrors(view, []);
      const t2 = performance.now();
      read += t1 - t0;
      judge += t2 - t1;
    }
    const perRead = (read / reps / n) * 1000;
    const perJudge = (judge / reps / n) * 1000;
    process.stdout.write(
      `${String(n).padStart(5)}  ${perRead.toFixed(2).padStart(38)}  ${perJudge.toFixed(2).padStart(13)}  ${(perJudge / perRead).toFixed(2).padStart(5)}\n`,
    );
  }
}

process.stdout.write(
  `Node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? ''}\n`,
);
await latency();
cost();
