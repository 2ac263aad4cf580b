// msa-verify/instrument: OpenTelemetry tracing and correlation IDs for an
// existing Node service, with no code change:
//   node --import msa-verify/instrument app.js
// Importing this module starts the preload once per process (see sdk.ts for
// the flow); application code may import getCorrelationId from it.
import { CORRELATION_ATTRIBUTE, correlationFromContext } from './correlation.js';
import { otelApi } from './otel-api.js';
import { startPreload } from './sdk.js';

export {
  CORRELATION_ATTRIBUTE,
  CORRELATION_ID_PATTERN,
  DEFAULT_CORRELATION_HEADER,
  isValidCorrelationId,
} from './correlation.js';
export type { SpanLine } from './file-exporter.js';
export { CLIENT_DURATION, SERVER_DURATION } from './metrics.js';
export type { InstrumentationReportEntry, InstrumentationStatus, InstrumentReport } from './report.js';

/**
 * The correlation ID of the request or message being handled (from its
 * `x-correlation-id`/`x-request-id` header, or generated), or undefined
 * outside any traced work or when the preload is not active.
 */
export function getCorrelationId(): string | undefined {
  const ctx = otelApi().context.active();
  const fromContext = correlationFromContext(ctx);
  if (fromContext !== undefined) return fromContext;
  const attributes = (otelApi().trace.getSpan(ctx) as unknown as { attributes?: Record<string, unknown> } | undefined)
    ?.attributes;
  const value = attributes?.[CORRELATION_ATTRIBUTE];
  return typeof value === 'string' ? value : undefined;
}

startPreload();
