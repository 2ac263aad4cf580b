import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { AddAttributeDecision, ExportResultCode } from '@opentelemetry/core';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import * as local from '../../src/instrument/otel-enums.ts';

// The preload keeps OpenTelemetry enum values as plain numbers
// (src/instrument/otel-enums.ts); they must stay equal to the packages' own.
describe('OpenTelemetry enum values copied into the preload', () => {
  it('equal the enums of @opentelemetry/api, core and sdk-trace', () => {
    expect({ ...local }).toEqual({
      SPAN_KIND_SERVER: SpanKind.SERVER,
      SPAN_KIND_CLIENT: SpanKind.CLIENT,
      STATUS_UNSET: SpanStatusCode.UNSET,
      STATUS_OK: SpanStatusCode.OK,
      STATUS_ERROR: SpanStatusCode.ERROR,
      TRACE_FLAG_SAMPLED: TraceFlags.SAMPLED,
      SAMPLING_NOT_RECORD: SamplingDecision.NOT_RECORD,
      SAMPLING_RECORD_AND_SAMPLED: SamplingDecision.RECORD_AND_SAMPLED,
      ATTRIBUTE_DROP_LIMIT_REACHED: AddAttributeDecision.DROP_LIMIT_REACHED,
      ATTRIBUTE_ADD_NEW: AddAttributeDecision.ADD_NEW,
      EXPORT_SUCCESS: ExportResultCode.SUCCESS,
      EXPORT_FAILED: ExportResultCode.FAILED,
    });
  });

  // Name tables indexed by SpanKind: src/instrument/export/file-exporter.ts (KINDS),
  // src/evidence/file-source.ts (JS_KINDS, "INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4");
  // src/instrument/export/otlp-encode.ts writes the OTLP kind as SpanKind + 1.
  it('SpanKind numbers run INTERNAL 0 .. CONSUMER 4, in the order the name tables assume', () => {
    const names = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
    expect(names.map((n) => SpanKind[n])).toEqual([0, 1, 2, 3, 4]);
  });

  // src/evidence/file-source.ts and otlp-convert.ts read status codes 1 as ok and 2 as error.
  it('SpanStatusCode numbers are the ones the chaos evidence readers compare with', () => {
    expect([SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR]).toEqual([0, 1, 2]);
  });
});
