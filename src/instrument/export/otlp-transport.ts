// Sends OTLP/protobuf requests our encoder already wrote (otlp-encode.ts), or
// OTLP/JSON ones serialized at exit (exit-flush.ts),
// through OpenTelemetry's HTTP transport, which brings the OTEL_EXPORTER_OTLP_*
// headers, timeout, compression and retries. Used inside the export worker
// (export-worker.ts) and, where that cannot run, on the app's own thread.
import { EXPORT_SUCCESS } from '../otel-enums.js';

/** One encoded ExportTraceServiceRequest and the number of spans in it. */
export interface EncodedBatch {
  readonly body: Uint8Array;
  readonly count: number;
}

/** Sends one request; resolves when the collector accepted it, rejects otherwise. */
export type SendBatch = (batch: EncodedBatch) => Promise<void>;

/** Wire format of an encoded batch: our OTLP/protobuf encoder's, or OTLP/JSON (http/json at exit, exit-flush.ts). */
export type BatchFormat = 'protobuf' | 'json';

/** The transport for `url`; `require` loads the OpenTelemetry packages (the first call pays for that). */
export function protobufTransport(require: NodeJS.Require, url: string, format: BatchFormat = 'protobuf'): SendBatch {
  const http =
    require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const { JsonTraceSerializer, ProtobufTraceSerializer, TraceExporterMetricsHelper } =
    require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const json = format === 'json';
  const options = http.convertLegacyHttpOptions({ url }, 'TRACES', 'v1/traces', {
    'Content-Type': json ? 'application/json' : 'application/x-protobuf',
  });
  const serializer = {
    serializeRequest: (batch: EncodedBatch) => batch.body,
    deserializeResponse: (data: Uint8Array) =>
      (json ? JsonTraceSerializer : ProtobufTraceSerializer).deserializeResponse(data),
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
        if (result.code === EXPORT_SUCCESS) resolve();
        else reject(result.error ?? new Error('OTLP export failed'));
      });
    });
}
