// Builds the span exporters named by the settings, each behind its span
// processor: OTLP/protobuf behind our encoding batch processor
// (otlp-processor.ts), sent from a worker thread (worker-send.ts) unless
// MSA_VERIFY_EXPORT_THREAD=main; the others behind the SDK's
// BatchSpanProcessor (with a synchronous flush at exit, exit-flush.ts). OTLP
// packages are required lazily: an app that only writes a traces file never
// loads them.
import {
  ConsoleSpanExporter,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { EXPORT_FAILED } from '../otel-enums.js';
import type { InstrumentSettings } from '../settings.js';
import { ExitFlushingBatchProcessor, type ExportSync } from './exit-flush.js';
import { JsonLinesFileExporter } from './file-exporter.js';
import { EncodingBatchProcessor } from './otlp-processor.js';
import { type EncodedBatch, protobufTransport, type SendBatch } from './otlp-transport.js';
import { WorkerSend } from './worker-send.js';

/** Batch limits of the span processors (OTEL_BSP_*). */
export type BatchSettings = InstrumentSettings['batch'];

/** One exporter with a label for warnings, and the span processor that feeds it. */
export interface NamedExporter {
  readonly name: string;
  readonly processor: (batch: BatchSettings) => SpanProcessor;
}

/** What the OTLP/protobuf processor needs from the SDK around it. */
export interface ProtobufHooks {
  /** Runs the export's own HTTP request outside the app's trace. */
  readonly untraced: <T>(fn: () => T) => T;
  /** The SDK's global error handler, for failed exports. */
  readonly exportError: (error: unknown) => void;
  /**
   * The export worker's entry (compiled export-worker.js). Default: the one
   * next to this module, which is right unbundled only: inside the preload
   * bundle `import.meta.url` is the bundle's, so the preload passes its own.
   */
  readonly workerFile?: URL;
}

/** Creates exporters; a missing or broken exporter package is reported through `warn` and skipped. */
export function createExporters(
  settings: InstrumentSettings,
  require: NodeJS.Require,
  warn: (message: string) => void,
  hooks: ProtobufHooks = { untraced: (fn) => fn(), exportError: (e) => warn(`export error: ${(e as Error)?.message}`) },
): NamedExporter[] {
  const out: NamedExporter[] = [];
  const batched = (exporter: SpanExporter, exportSync: ExportSync) => (batch: BatchSettings) =>
    new ExitFlushingBatchProcessor({ exporter, ...limits(batch) }, exportSync);
  for (const name of settings.exporters) {
    try {
      if (name === 'file' && settings.tracesFile) {
        const exporter = new JsonLinesFileExporter(settings.tracesFile);
        out.push({ name: `file ${settings.tracesFile}`, processor: batched(exporter, (s) => exporter.exportSync(s)) });
      } else if (name === 'console') {
        // ConsoleSpanExporter writes synchronously.
        const exporter = new ConsoleSpanExporter();
        out.push({ name: 'console', processor: batched(exporter, (s) => exporter.export(s, () => {})) });
      } else if (name === 'otlp' && settings.otlpTracesUrl) {
        const json = settings.otlpProtocol === 'http/json';
        // Resolved now (a missing package is reported at start), loaded at the first export:
        // the exporter and its transport stay off the start-up path.
        require.resolve(json ? '@opentelemetry/exporter-trace-otlp-http' : '@opentelemetry/otlp-exporter-base');
        const url = settings.otlpTracesUrl;
        const label = `otlp ${settings.otlpProtocol} ${url}`;
        const workerFile = hooks.workerFile ?? new URL('./export-worker.js', import.meta.url);
        const onThisThread = () => protobufTransport(require, url);
        const newWorker = () => new WorkerSend({ url, workerFile, fallback: onThisThread, warn });
        // At exit a worker sends what the main thread no longer can: the export worker, or one started then.
        let exitWorker: WorkerSend | undefined;
        if (json) {
          const exporter = new LazyExporter(() => {
            const { OTLPTraceExporter } =
              require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
            return new OTLPTraceExporter({ url });
          });
          const exportSync: ExportSync = (spans, deadline) => {
            const { JsonTraceSerializer } =
              require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
            const body = JsonTraceSerializer.serializeRequest(spans);
            if (body === undefined) return;
            exitWorker ??= newWorker();
            exitWorker.sendSync({ body, count: spans.length }, deadline, 'json');
          };
          out.push({ name: label, processor: batched(exporter, exportSync) });
        } else {
          // From the export worker by default; on the app's thread with MSA_VERIFY_EXPORT_THREAD=main.
          const worker = settings.exportThread === 'worker' ? newWorker() : undefined;
          let direct: SendBatch | undefined;
          const send: SendBatch =
            worker?.send ??
            ((b) => {
              direct ??= onThisThread();
              return direct(b);
            });
          const exitSend = {
            send: (b: EncodedBatch, deadline: number) => {
              exitWorker ??= worker ?? newWorker();
              exitWorker.sendSync(b, deadline);
            },
            waitIdle: (deadline: number) => (worker ?? exitWorker)?.waitIdle(deadline),
          };
          out.push({
            name: label,
            processor: (batch) =>
              new EncodingBatchProcessor(send, {
                ...limits(batch),
                untraced: hooks.untraced,
                exportError: hooks.exportError,
                warn,
                exitSend,
                ...(worker ? { close: () => worker.close() } : {}),
              }),
          });
        }
      }
    } catch (error) {
      warn(`exporter ${name} unavailable (${(error as Error).message}); spans for it are dropped`);
    }
  }
  return out;
}

function limits(batch: BatchSettings) {
  return {
    maxQueueSize: batch.maxQueueSize,
    maxExportBatchSize: Math.min(batch.maxExportBatchSize, batch.maxQueueSize),
    scheduledDelayMillis: batch.scheduledDelayMillis,
    exportTimeoutMillis: batch.exportTimeoutMillis,
  };
}

/** Creates the real exporter on the first export; a creation failure fails that export (reported once). */
export class LazyExporter implements SpanExporter {
  readonly #create: () => SpanExporter;
  #inner: SpanExporter | undefined;

  constructor(create: () => SpanExporter) {
    this.#create = create;
  }

  export(spans: ReadableSpan[], resultCallback: (result: { code: number; error?: Error }) => void): void {
    try {
      this.#inner ??= this.#create();
    } catch (error) {
      resultCallback({ code: EXPORT_FAILED, error: error as Error });
      return;
    }
    this.#inner.export(spans, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.#inner?.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#inner?.shutdown() ?? Promise.resolve();
  }
}
