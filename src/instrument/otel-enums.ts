// Values of the OpenTelemetry enums the preload compares with or produces,
// as plain numbers. Why not the enums themselves: the per-span paths skip an
// enum object lookup, modules that get the API passed in (server-span.ts) keep
// no runtime import of it, and the export worker's graph stays without
// @opentelemetry/core. test/unit/instrument-otel-enums.test.ts asserts that
// every value equals the enum's, so an SDK upgrade that changed one fails there.

/** `SpanKind.SERVER` (@opentelemetry/api). */
export const SPAN_KIND_SERVER = 1;
/** `SpanKind.CLIENT` (@opentelemetry/api). */
export const SPAN_KIND_CLIENT = 2;

/** `SpanStatusCode.UNSET` (@opentelemetry/api). */
export const STATUS_UNSET = 0;
/** `SpanStatusCode.OK` (@opentelemetry/api). */
export const STATUS_OK = 1;
/** `SpanStatusCode.ERROR` (@opentelemetry/api). */
export const STATUS_ERROR = 2;

/** `TraceFlags.SAMPLED` (@opentelemetry/api), a bit of `traceFlags`. */
export const TRACE_FLAG_SAMPLED = 1;

/** `SamplingDecision.NOT_RECORD` (@opentelemetry/sdk-trace). */
export const SAMPLING_NOT_RECORD = 0;
/** `SamplingDecision.RECORD_AND_SAMPLED` (@opentelemetry/sdk-trace). */
export const SAMPLING_RECORD_AND_SAMPLED = 2;

/** `AddAttributeDecision.DROP_LIMIT_REACHED` (@opentelemetry/core, from `maybeAddAttribute`). */
export const ATTRIBUTE_DROP_LIMIT_REACHED = 2;
/** `AddAttributeDecision.ADD_NEW` (@opentelemetry/core, from `maybeAddAttribute`). */
export const ATTRIBUTE_ADD_NEW = 3;

/** `ExportResultCode.SUCCESS` (@opentelemetry/core). */
export const EXPORT_SUCCESS = 0;
/** `ExportResultCode.FAILED` (@opentelemetry/core). */
export const EXPORT_FAILED = 1;
