// Builds the span exporters named by the settings, each behind its span
// processor: OTLP/protobuf behind our encoding batch processor
// (otlp-processor.ts), the others behind the SDK's BatchSpanProcessor. OTLP
// packages are required lazily: an app that only writes a traces file never
// loads them.
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { JsonLinesFileExporter } from './file-exporter.js';
import { type EncodedBatch, EncodingBatchProcessor, type SendBatch } from './otlp-processor.js';
import type { InstrumentSettings } from './settings.js';

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
}

/** Creates exporters; a missing or broken exporter package is reported through `warn` and skipped. */
export function createExporters(
  settings: InstrumentSettings,
  require: NodeJS.Require,
  warn: (message: string) => void,
  hooks: ProtobufHooks = { untraced: (fn) => fn(), exportError: (e) => warn(`export error: ${(e as Error)?.message}`) },
): NamedExporter[] {
  const out: NamedExporter[] = [];
  const batched = (exporter: SpanExporter) => (batch: BatchSettings) =>
    new BatchSpanProcessor({ exporter, ...limits(batch) });
  for (const name of settings.exporters) {
    try {
      if (name === 'file' && settings.tracesFile) {
        const exporter = new JsonLinesFileExporter(settings.tracesFile);
        out.push({ name: `file ${settings.tracesFile}`, processor: batched(exporter) });
      } else if (name === 'console') {
        out.push({ name: 'console', processor: batched(new ConsoleSpanExporter()) });
      } else if (name === 'otlp' && settings.otlpTracesUrl) {
        const json = settings.otlpProtocol === 'http/json';
        // Resolved now (a missing package is reported at start), loaded at the first export:
        // the exporter and its transport stay off the start-up path.
        require.resolve(json ? '@opentelemetry/exporter-trace-otlp-http' : '@opentelemetry/otlp-exporter-base');
        const url = settings.otlpTracesUrl;
        const label = `otlp ${settings.otlpProtocol} ${url}`;
        if (json) {
          const exporter = new LazyExporter(() => {
            const { OTLPTraceExporter } =
              require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
            return new OTLPTraceExporter({ url });
          });
          out.push({ name: label, processor: batched(exporter) });
        } else {
          let send: SendBatch | undefined;
          const lazySend: SendBatch = (b) => {
            send ??= protobufTransport(require, url);
            return send(b);
          };
          out.push({
            name: label,
            processor: (batch) => new EncodingBatchProcessor(lazySend, { ...limits(batch), ...hooks, warn }),
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

/**
 * OpenTelemetry's OTLP HTTP transport (OTEL_EXPORTER_OTLP_* headers, timeout,
 * compression, retries) for requests our encoder already wrote (otlp-encode.ts).
 */
function protobufTransport(require: NodeJS.Require, url: string): SendBatch {
  const http =
    require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const { ProtobufTraceSerializer, TraceExporterMetricsHelper } =
    require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const options = http.convertLegacyHttpOptions({ url }, 'TRACES', 'v1/traces', {
    'Content-Type': 'application/x-protobuf',
  });
  const serializer = {
    serializeRequest: (batch: EncodedBatch) => batch.body,
    deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const delegate = http.createOtlpHttpExportDelegate(
    options,
    serializer,
    'otlp_http_span_exporter',
    { ...TraceExporterMetricsHelper, countItems: (batch: EncodedBatch) => batch.count } as never,
    undefined,
  );
  return (batch) =>
    new Promise<void>((resolve, reject) => {
      delegate.export(batch, (result) => {
        if (result.code === 0) resolve();
        else reject(result.error ?? new Error('OTLP export failed'));
      });
    });
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
      resultCallback({ code: 1, error: error as Error });
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
