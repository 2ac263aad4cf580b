import { ROOT_CONTEXT } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { ExitFlushingBatchProcessor, flushAllSync } from '../../src/instrument/export/exit-flush.ts';
import { EncodingBatchProcessor } from '../../src/instrument/export/otlp-processor.ts';

// The synchronous flush at `exit` (src/instrument/export/exit-flush.ts). The batch
// processor reads the SDK BatchSpanProcessor's internal queue: this test is the
// guard that an SDK upgrade still keeps ended spans there.
function endSpans(processor: import('@opentelemetry/sdk-trace').SpanProcessor, n: number): void {
  const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('t');
  for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`, {}, ROOT_CONTEXT).end();
}

describe('flush at exit', () => {
  it('takes the spans still queued in the SDK batch processor and exports them synchronously, once', () => {
    const exported: string[] = [];
    const exporter = new InMemorySpanExporter();
    const processor = new ExitFlushingBatchProcessor(
      { exporter, scheduledDelayMillis: 60_000, maxExportBatchSize: 100 },
      (spans: ReadableSpan[]) => exported.push(...spans.map((s) => s.name)),
    );
    endSpans(processor, 3);
    flushAllSync([processor], 1000);
    expect(exported).toEqual(['s0', 's1', 's2']);
    flushAllSync([processor], 1000);
    expect(exported).toHaveLength(3);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('an exportSync that throws never reaches the app', () => {
    const processor = new ExitFlushingBatchProcessor({ exporter: new InMemorySpanExporter() }, () => {
      throw new Error('disk full');
    });
    endSpans(processor, 1);
    expect(() => flushAllSync([processor], 1000)).not.toThrow();
  });

  it('the OTLP/protobuf processor hands its waiting spans to exitSend, then waits for what is in flight', () => {
    const calls: string[] = [];
    const processor = new EncodingBatchProcessor(() => new Promise(() => {}), {
      maxQueueSize: 100,
      maxExportBatchSize: 50,
      scheduledDelayMillis: 60_000,
      exportTimeoutMillis: 30_000,
      untraced: (fn) => fn(),
      warn: () => {},
      exportError: () => {},
      exitSend: {
        send: (batch, deadline) => calls.push(`send ${batch.count} ${deadline}`),
        waitIdle: (deadline) => calls.push(`wait ${deadline}`),
      },
    });
    endSpans(processor, 4);
    processor.flushSync(1234);
    expect(calls).toEqual(['send 4 1234', 'wait 1234']);
  });
});
