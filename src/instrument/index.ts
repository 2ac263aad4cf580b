// msa-verify/instrument: OpenTelemetry tracing and correlation IDs for an
// existing Node service, with no code change:
//   node --import msa-verify/instrument app.js
// Importing this module starts the preload once per process (see sdk.ts for
// the flow); application code may import getCorrelationId from it.
import { context } from '@opentelemetry/api';
import { startPreload } from './sdk.js';
import { correlationOf } from './span-processor.js';

export { CORRELATION_ID_PATTERN, DEFAULT_CORRELATION_HEADER, isValidCorrelationId } from '../core/correlation-id.js';
export type { SpanLine } from './export/file-exporter.js';
export { CLIENT_DURATION, SERVER_DURATION } from './metrics.js';
export { CORRELATION_ATTRIBUTE } from './propagation/correlation.js';
export type { InstrumentationReportEntry, InstrumentationStatus, InstrumentReport } from './report.js';

/**
 * The correlation ID of the request or message being handled (from its
 * `x-correlation-id`/`x-request-id` header, or generated), or undefined
 * outside any traced work or when the preload is not active.
 */
export function getCorrelationId(): string | undefined {
  return correlationOf(context.active());
}

startPreload();
