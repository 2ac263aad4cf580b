import { ROOT_CONTEXT } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeOtlpProtobuf } from '../../src/evidence/otlp-proto.ts';
import {
  type EncodedBatch,
  EncodingBatchProcessor,
  type SendBatch,
} from '../../src/instrument/export/otlp-processor.ts';

// The encoding batch processor against the rules of the SDK's BatchSpanProcessor
// that users rely on: batch size, schedule, bounded queue, one export at a time,
// export timeout, failures reported and survived, flush on shutdown.
interface Harness {
  processor: EncodingBatchProcessor;
  sent: EncodedBatch[];
  warnings: string[];
  errors: unknown[];
  untraced: number;
  /** What happened at the transport, in order: `send <count>` and `close`. */
  transport: string[];
  end: (n: number, name?: string) => string[];
}

function harness(
  send: SendBatch | 'ok',
  limits: Partial<{
    maxQueueSize: number;
    maxExportBatchSize: number;
    scheduledDelayMillis: number;
    exportTimeoutMillis: number;
  }> = {},
): Harness {
  const h = { sent: [], warnings: [], errors: [], untraced: 0, transport: [] } as unknown as Harness;
  const deliver: SendBatch =
    send === 'ok'
      ? (batch) => {
          h.sent.push(batch);
          h.transport.push(`send ${batch.count}`);
          return Promise.resolve();
        }
      : (batch) => {
          h.sent.push(batch);
          h.transport.push(`send ${batch.count}`);
          return send(batch);
        };
  h.processor = new EncodingBatchProcessor(deliver, {
    maxQueueSize: 100,
    maxExportBatchSize: 3,
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 30_000,
    ...limits,
    untraced: (fn) => {
      h.untraced++;
      return fn();
    },
    warn: (m) => h.warnings.push(m),
    exportError: (e) => h.errors.push(e),
    close: async () => {
      h.transport.push('close');
    },
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders' }),
    spanProcessors: [h.processor],
  });
  const tracer = provider.getTracer('test');
  h.end = (n, name = 'op') => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const span = tracer.startSpan(`${name}-${i}`, { attributes: { i } }, ROOT_CONTEXT);
      ids.push(span.spanContext().spanId);
      span.end();
    }
    return ids;
  };
  return h;
}

function spanIds(batch: EncodedBatch): string[] {
  const request = decodeOtlpProtobuf(new Uint8Array(batch.body)) as {
    resourceSpans: { resource: unknown; scopeSpans: { spans: { spanId: Uint8Array }[] }[] }[];
  };
  return request.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => Buffer.from(s.spanId).toString('hex'))),
  );
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('encoding batch processor', () => {
  it('sends full batches at once, one at a time, the rest on flush; every span exactly once, in order', async () => {
    const h = harness('ok');
    const ids = h.end(7);
    await tick();
    expect(h.sent.map((b) => b.count)).toEqual([3, 3]);
    await h.processor.forceFlush();
    expect(h.sent.map((b) => b.count)).toEqual([3, 3, 1]);
    expect(h.sent.flatMap(spanIds)).toEqual(ids);
    expect(h.untraced).toBe(3);
    const first = decodeOtlpProtobuf(new Uint8Array(h.sent[0]!.body)) as {
      resourceSpans: { resource: { attributes: { key: string }[] } }[];
    };
    expect(first.resourceSpans[0]!.resource.attributes.map((a) => a.key)).toContain('service.name');
  });

  it('sends a partial batch after the schedule delay', async () => {
    const h = harness('ok', { scheduledDelayMillis: 20 });
    h.end(2);
    expect(h.sent).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(h.sent.map((b) => b.count)).toEqual([2]);
  });

  it('ignores spans that are not sampled', async () => {
    const h = harness('ok');
    const provider = new TracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [h.processor] });
    provider.getTracer('off').startSpan('x').end();
    await h.processor.forceFlush();
    expect(h.sent).toHaveLength(0);
  });

  it('while the collector hangs, at most maxQueueSize spans wait; the rest are dropped with one warning', async () => {
    let hold = true;
    const waiting: (() => void)[] = [];
    const h = harness(() => (hold ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve()), {
      maxQueueSize: 5,
    });
    h.end(20);
    await tick();
    // One batch of 3 in flight, 2 more waiting: 5 spans held, 15 dropped.
    expect(h.sent.map((b) => b.count)).toEqual([3]);
    expect(h.warnings).toHaveLength(15);
    expect(new Set(h.warnings).size).toBe(1);
    expect(h.warnings[0]).toContain('OTEL_BSP_MAX_QUEUE_SIZE=5');
    hold = false;
    for (const resolve of waiting) resolve();
    await h.processor.forceFlush();
    expect(h.sent.map((b) => b.count)).toEqual([3, 2]);
  });

  it('gives up an export after exportTimeoutMillis, reports it, and goes on with the next batch', async () => {
    const h = harness(() => new Promise<void>(() => {}), { exportTimeoutMillis: 30 });
    h.end(6);
    await new Promise((r) => setTimeout(r, 120));
    expect(h.sent.map((b) => b.count)).toEqual([3, 3]);
    expect(h.errors.map((e) => (e as Error).message)).toEqual([
      'export timed out after 30 ms',
      'export timed out after 30 ms',
    ]);
  });

  it('reports a rejected export and keeps exporting', async () => {
    let calls = 0;
    const h = harness(() => (++calls === 1 ? Promise.reject(new Error('503 from collector')) : Promise.resolve()));
    h.end(6);
    await h.processor.forceFlush();
    expect(h.sent.map((b) => b.count)).toEqual([3, 3]);
    expect(h.errors.map((e) => (e as Error).message)).toEqual(['503 from collector']);
  });

  it('shutdown sends what is left, closes the transport after it, then takes no more spans', async () => {
    const h = harness('ok');
    h.end(2);
    await h.processor.shutdown();
    expect(h.sent.map((b) => b.count)).toEqual([2]);
    expect(h.transport).toEqual(['send 2', 'close']);
    await h.processor.shutdown();
    expect(h.transport).toEqual(['send 2', 'close']);
    h.end(4);
    await h.processor.forceFlush();
    expect(h.sent.map((b) => b.count)).toEqual([2]);
  });
});
