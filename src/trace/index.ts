// trace: follow one request across services and name the broken hop.
//   traces/*.yaml -> loadTraceCheck -> openSpanFinder (Jaeger | OTLP receiver | trace file)
//   -> runTraceCheck: send with a fresh correlation ID -> wait for late spans (bounded)
//   -> rules: request, one trace, root, hops (+ order), correlation.id, errors, logs -> TraceCheckResult
export {
  type LoadedTraceCheck,
  loadTraceCheck,
  looksLikeTraceCheck,
  parseTraceCheckText,
  traceCheckProblems,
} from './load.js';
export { type RunTraceCheckOptions, runTraceCheck, servicesOf } from './run-check.js';
export { type Hop, type TraceCheck, TraceCheckSchema, traceCheckJsonSchema } from './schema.js';
export { type OpenSpanFinderOptions, openSpanFinder, type SpanFinder } from './span-finder.js';
export { buildTraceView, type TraceView } from './trace-view.js';
export { toTreeRows } from './tree.js';
