// Flushing at the process's `exit` event, where no callback, timer or promise
// runs any more: an app that calls process.exit() itself (in its own SIGTERM
// handler, or at the end of a script) would otherwise lose every span of the
// last batch delay. What each exporter does there, synchronously, bounded by
// MSA_VERIFY_FLUSH_TIMEOUT_MS:
//   file     appends the queued spans with appendFileSync;
//   console  prints them (ConsoleSpanExporter writes synchronously);
//   otlp http/protobuf (worker, default)  hands the last batch to the export
//            worker and blocks in Atomics.wait until the worker has answered
//            it and every batch it still holds;
//   otlp http/protobuf (MSA_VERIFY_EXPORT_THREAD=main)  the same through an
//            export worker started at exit; a request the main thread had
//            already started is not repeated;
//   otlp http/json  serialized to OTLP/JSON here and sent by an export worker
//            started at exit, the same way; an export the SDK's exporter had
//            already started is not repeated.
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { BatchSpanProcessor, type BatchSpanProcessorOptions } from '@opentelemetry/sdk-trace';

/** A span processor that can export what it holds without returning to the event loop. */
export interface SyncFlush {
  /** Exports what is still queued, blocking until `deadline` (performance.now() clock, ms) at most. Never throws. */
  flushSync(deadline: number): void;
}

/** Whether `processor` implements {@link SyncFlush}. */
export function canFlushSync(processor: SpanProcessor): processor is SpanProcessor & SyncFlush {
  return typeof (processor as Partial<SyncFlush>).flushSync === 'function';
}

/** Exports `spans` synchronously (or hands them to a thread and waits), by `deadline` at most. */
export type ExportSync = (spans: ReadableSpan[], deadline: number) => void;

/**
 * The SDK's BatchSpanProcessor plus {@link SyncFlush}: at exit it takes the
 * spans still in its queue (the processor's internal `_finishedSpans`, checked
 * by test/unit/instrument-exit-flush.test.ts) and gives them to `exportSync`.
 */
export class ExitFlushingBatchProcessor extends BatchSpanProcessor implements SyncFlush {
  readonly #exportSync: ExportSync;

  constructor(config: BatchSpanProcessorOptions, exportSync: ExportSync) {
    super(config);
    this.#exportSync = exportSync;
  }

  flushSync(deadline: number): void {
    try {
      const queue = (this as unknown as { _finishedSpans?: ReadableSpan[] })._finishedSpans;
      if (!Array.isArray(queue) || queue.length === 0) return;
      this.#exportSync(queue.splice(0), deadline);
    } catch {
      // Telemetry must never break the app, least of all on its way out.
    }
  }
}

/** Runs every processor's flushSync within `timeoutMs` in total. */
export function flushAllSync(processors: readonly SpanProcessor[], timeoutMs: number): void {
  const deadline = performance.now() + timeoutMs;
  for (const processor of processors) {
    if (!canFlushSync(processor)) continue;
    try {
      processor.flushSync(deadline);
    } catch {
      // next processor
    }
  }
}
