// Builds the span exporters named by the settings. OTLP exporters are required
// lazily: an app that only writes a traces file never loads them.
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { JsonLinesFileExporter } from './file-exporter.js';
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
        const { ConsoleSpanExporter } =
          require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
        out.push({ name: 'console', exporter: new ConsoleSpanExporter() });
      } else if (name === 'otlp' && settings.otlpTracesUrl) {
        const pkg =
          settings.otlpProtocol === 'http/json'
            ? '@opentelemetry/exporter-trace-otlp-http'
            : '@opentelemetry/exporter-trace-otlp-proto';
        const { OTLPTraceExporter } = require(pkg) as typeof import('@opentelemetry/exporter-trace-otlp-proto');
        out.push({
          name: `otlp ${settings.otlpProtocol} ${settings.otlpTracesUrl}`,
          exporter: new OTLPTraceExporter({ url: settings.otlpTracesUrl }),
        });
      }
    } catch (error) {
      warn(`exporter ${name} unavailable (${(error as Error).message}); spans for it are dropped`);
    }
  }
  return out;
}
