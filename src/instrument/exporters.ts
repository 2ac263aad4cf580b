// Builds the span exporters named by the settings. OTLP exporters are required
// lazily: an app that only writes a traces file never loads them.
import { ConsoleSpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { JsonLinesFileExporter } from './file-exporter.js';
import { encodeTraceRequest } from './otlp-encode.js';
import type { InstrumentSettings } from './settings.js';

/** One exporter with a label for warnings. */
export interface NamedExporter {
  readonly name: string;
  readonly exporter: SpanExporter;
}

/** Creates exporters; a missing or broken exporter package is reported through `warn` and skipped. */
export function createExporters(
  settings: InstrumentSettings,
  require: NodeJS.Require,
  warn: (message: string) => void,
): NamedExporter[] {
  const out: NamedExporter[] = [];
  for (const name of settings.exporters) {
    try {
      if (name === 'file' && settings.tracesFile) {
        out.push({ name: `file ${settings.tracesFile}`, exporter: new JsonLinesFileExporter(settings.tracesFile) });
      } else if (name === 'console') {
        out.push({ name: 'console', exporter: new ConsoleSpanExporter() });
      } else if (name === 'otlp' && settings.otlpTracesUrl) {
        const json = settings.otlpProtocol === 'http/json';
        // Resolved now (a missing package is reported at start), loaded at the first export:
        // the exporter and its encoder stay off the start-up path.
        require.resolve(json ? '@opentelemetry/exporter-trace-otlp-http' : '@opentelemetry/otlp-exporter-base');
        const url = settings.otlpTracesUrl;
        out.push({
          name: `otlp ${settings.otlpProtocol} ${url}`,
          exporter: new LazyExporter(() => {
            if (!json) return protobufExporter(require, url);
            const { OTLPTraceExporter } =
              require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
            return new OTLPTraceExporter({ url });
          }),
        });
      }
    } catch (error) {
      warn(`exporter ${name} unavailable (${(error as Error).message}); spans for it are dropped`);
    }
  }
  return out;
}

/**
 * OTLP http/protobuf with OpenTelemetry's transport (OTEL_EXPORTER_OTLP_* headers,
 * timeout, compression, retries) and our encoder (otlp-encode.ts) in place of its serializer.
 */
function protobufExporter(require: NodeJS.Require, url: string): SpanExporter {
  const base = require('@opentelemetry/otlp-exporter-base') as typeof import('@opentelemetry/otlp-exporter-base');
  const http =
    require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const { ProtobufTraceSerializer, TraceExporterMetricsHelper } =
    require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const options = http.convertLegacyHttpOptions({ url }, 'TRACES', 'v1/traces', {
    'Content-Type': 'application/x-protobuf',
  });
  const serializer = {
    serializeRequest: (spans: ReadableSpan[]) => encodeTraceRequest(spans),
    deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  return new base.OTLPExporterBase(
    http.createOtlpHttpExportDelegate(
      options,
      serializer,
      'otlp_http_span_exporter',
      TraceExporterMetricsHelper,
      undefined,
    ),
  );
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
