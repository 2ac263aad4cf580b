// The subset of the OTLP trace protobuf (opentelemetry/proto/collector/trace/v1,
// trace/v1, common/v1, resource/v1) the receiver needs. Field numbers follow the
// published .proto files; fields left out (events, links, flags) are skipped by
// the decoder as unknown fields.

import { parse, type Type } from 'protobufjs';

const OTLP_TRACE_PROTO = `
syntax = "proto3";
package msav.otlp;

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

let cached: Type | undefined;

/** The `ExportTraceServiceRequest` message type (parsed once). */
export function exportTraceServiceRequest(): Type {
  cached ??= parse(OTLP_TRACE_PROTO).root.lookupType('msav.otlp.ExportTraceServiceRequest');
  return cached;
}

/** Decodes an OTLP/protobuf trace export into the same camelCase shape as OTLP/JSON. */
export function decodeOtlpProtobuf(bytes: Uint8Array): unknown {
  const type = exportTraceServiceRequest();
  return type.toObject(type.decode(bytes), { longs: String, enums: Number, defaults: false, oneofs: false });
}
