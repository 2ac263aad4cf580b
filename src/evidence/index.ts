// evidence: where spans come from, shared by chaos expectations and trace checks.
//   services --OTLP/HTTP--> OtlpReceiver ---+
//   preload --JSON lines--> JsonLinesTraceSource --+--> TraceSource.spans(window) -> SpanRecord[]
//   staging --Jaeger API--> JaegerTraceSource -----+
export { CORRELATION_ATTRIBUTE, spansOfRequests, traceIdsByCorrelation } from './correlate.js';
export { JsonLinesTraceSource, parseSpanLine } from './file-source.js';
export { type JaegerSourceOptions, JaegerTraceSource, jaegerTraceToSpans, jaegerTraceUrl } from './jaeger-source.js';
export { anyValue, idToHex, keyValues, nanosToMs, otlpToSpans } from './otlp-convert.js';
export { decodeOtlpProtobuf } from './otlp-proto.js';
export { encodeOtlpProtobuf, OtlpReceiver, type OtlpReceiverOptions } from './otlp-receiver.js';
export type { SpanRecord, TraceSource } from './types.js';
export { overlaps } from './window.js';
