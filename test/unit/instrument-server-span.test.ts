import * as api from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import * as core from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type Span as SdkSpan,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeOtlpProtobuf } from '../../src/evidence/otlp-proto.ts';
import { encodeTraceRequest } from '../../src/instrument/export/otlp-encode.ts';
import { ServerSpan, ServerSpanFactory } from '../../src/instrument/http-server/server-span.ts';

// The server span must be indistinguishable from an SDK span to processors,
// exporters and the encoder, only cheaper. Each test compares with the SDK or
// checks a rule the SDK applies.
const resource = resourceFromAttributes({ 'service.name': 'orders' });
const scope = { name: 'msa-verify-http-server', version: undefined, schemaUrl: undefined };

class Recorder implements SpanProcessor {
  readonly started: { span: SdkSpan; attributes: Record<string, unknown> }[] = [];
  readonly ended: { span: ReadableSpan; recording: boolean }[] = [];
  onStart(span: SdkSpan): void {
    this.started.push({ span, attributes: { ...span.attributes } });
    span.setAttribute('correlation.id', 'c-1');
  }
  onEnd(span: ReadableSpan): void {
    this.ended.push({ span, recording: (span as unknown as SdkSpan).isRecording() });
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function factory(sampler: Sampler = new AlwaysOnSampler()) {
  const recorder = new Recorder();
  return { recorder, spans: new ServerSpanFactory({ api, core, sampler, processors: [recorder], resource, scope }) };
}

const REMOTE = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new core.TraceState('vendor=a'),
});

function decodeSpan(span: ReadableSpan) {
  const request = decodeOtlpProtobuf(encodeTraceRequest([span])) as {
    resourceSpans: {
      scopeSpans: { spans: { traceId: Uint8Array; spanId: Uint8Array; parentSpanId?: Uint8Array }[] }[];
    }[];
  };
  return request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
}

const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('hex');

describe('server span', () => {
  it('a new trace: valid distinct ids, processors see the start attributes, and the encoder writes the same ids', () => {
    const { recorder, spans } = factory();
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const span = spans.start('GET', ROOT_CONTEXT, () => ({ 'url.path': `/${i}` }));
      const ctx = span.spanContext();
      expect(ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(trace.isSpanContextValid(ctx)).toBe(true);
      seen.add(ctx.traceId).add(ctx.spanId);
      span.end();
      if (i % 700 === 0) {
        const decoded = decodeSpan(span as ServerSpan);
        expect(hex(decoded.traceId)).toBe(ctx.traceId);
        expect(hex(decoded.spanId)).toBe(ctx.spanId);
        expect(decoded.parentSpanId?.length ?? 0).toBe(0);
      }
    }
    expect(seen.size).toBe(6000);
    expect(recorder.started[0]!.attributes).toEqual({ 'url.path': '/0' });
    expect(recorder.ended[0]!.span.attributes).toEqual({ 'url.path': '/0', 'correlation.id': 'c-1' });
    expect(recorder.ended.every((e) => e.recording === false)).toBe(true);
  });

  it('a continued trace keeps the parent trace id and trace state, and encodes the parent', () => {
    const { spans } = factory();
    const span = spans.start('POST', REMOTE, () => ({})) as ServerSpan;
    span.end();
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.spanContext().traceState?.serialize()).toBe('vendor=a');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    const decoded = decodeSpan(span);
    expect(hex(decoded.traceId)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(hex(decoded.spanId)).toBe(span.spanContext().spanId);
    expect(hex(decoded.parentSpanId)).toBe('b7ad6b7169203331');
  });

  it('encodes like an SDK span with the same content (OpenTelemetry serializer as reference)', () => {
    const { spans } = factory();
    const ours = spans.start('GET', REMOTE, () => ({
      'http.request.method': 'GET',
      'server.port': 8080,
    })) as ServerSpan;
    ours.setAttribute('tags', ['a', 'b']);
    ours.addEvent('retry', { attempt: 2 });
    ours.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    ours.updateName('GET /orders/:id');
    ours.end();
    const provider = new TracerProvider({ resource });
    const sdkSpan = provider.getTracer(scope.name).startSpan('x') as unknown as { [k: string]: unknown };
    // The same content on an SDK span: copy the readable fields over a real SpanImpl.
    for (const key of [
      'name',
      'kind',
      'parentSpanContext',
      'attributes',
      'links',
      'events',
      'status',
      'startTime',
      'endTime',
    ]) {
      sdkSpan[key] = (ours as unknown as Record<string, unknown>)[key];
    }
    sdkSpan._spanContext = ours.spanContext();
    sdkSpan._ended = true;
    const reference = ProtobufTraceSerializer.serializeRequest([sdkSpan as unknown as ReadableSpan])!;
    expect(decodeOtlpProtobuf(new Uint8Array(encodeTraceRequest([ours])))).toEqual(
      decodeOtlpProtobuf(new Uint8Array(reference)),
    );
  });

  it('follows the sampler: always_off and an unsampled parent give non-recording spans; suppressed tracing an invalid one', () => {
    const off = factory(new AlwaysOffSampler());
    const span = off.spans.start('GET', ROOT_CONTEXT, () => {
      throw new Error('attributes must not be computed for a span that does not record');
    });
    expect(span.isRecording()).toBe(false);
    expect(span).not.toBeInstanceOf(ServerSpan);
    expect(off.recorder.started).toHaveLength(0);

    const parentBased = factory(new ParentBasedSampler({ root: new AlwaysOnSampler() }));
    const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, {
      ...trace.getSpanContext(REMOTE)!,
      traceFlags: TraceFlags.NONE,
    });
    const child = parentBased.spans.start('GET', unsampledParent, () => ({}));
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(child.spanContext().traceFlags).toBe(TraceFlags.NONE);

    const suppressed = parentBased.spans.start('GET', core.suppressTracing(ROOT_CONTEXT), () => ({}));
    expect(trace.isSpanContextValid(suppressed.spanContext())).toBe(false);
  });

  it('applies the default limits and the SDK value rules to attributes', () => {
    const { spans } = factory();
    const many: Record<string, number> = {};
    for (let i = 0; i < 130; i++) many[`k${i}`] = i;
    const span = spans.start('GET', ROOT_CONTEXT, () => many) as ServerSpan;
    // 130 from the request: 128 kept; the processor's correlation.id is a new key over the limit.
    expect(Object.keys(span.attributes)).toHaveLength(128);
    expect(span.droppedAttributesCount).toBe(3);
    span.setAttribute('k0', 'replaced');
    expect(span.attributes.k0).toBe('replaced');

    const small = spans.start('GET', ROOT_CONTEXT, () => ({})) as ServerSpan;
    small.setAttribute('', 'empty key');
    small.setAttribute('fn', (() => 1) as never);
    small.setAttribute('nothing', undefined);
    small.setAttribute('list', [1, 2]);
    small.setAttributes({ a: 'x', b: true });
    expect(small.attributes).toEqual({ 'correlation.id': 'c-1', list: [1, 2], a: 'x', b: true });
  });

  it('events, exceptions, status, links and end behave as on an SDK span', () => {
    const { recorder, spans } = factory();
    const span = spans.start('GET', ROOT_CONTEXT, () => ({})) as ServerSpan;
    span.recordException(new TypeError('bad input'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'bad input' });
    span.setStatus({ code: SpanStatusCode.UNSET });
    span.addLink({ context: trace.getSpanContext(REMOTE)!, attributes: { why: 'batch' } });
    span.addEvent('at-start', span.startTime);
    span.end();
    span.end();
    span.setAttribute('late', 1);
    span.updateName('late');
    expect(span.events.map((e) => e.name)).toEqual(['exception', 'at-start']);
    expect(span.events[0]!.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'bad input',
    });
    expect(span.events[1]!.time).toEqual(span.startTime);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(span.links).toHaveLength(1);
    expect(span.links[0]!.attributes).toEqual({ why: 'batch' });
    expect(span.attributes.late).toBeUndefined();
    expect(span.name).toBe('GET');
    expect(span.ended).toBe(true);
    expect(span.duration[0] * 1e9 + span.duration[1]).toBeGreaterThanOrEqual(0);
    const endNanos = span.endTime[0] * 1e9 + span.endTime[1];
    expect(endNanos).toBeGreaterThanOrEqual(span.startTime[0] * 1e9 + span.startTime[1]);
    expect(Math.abs(endNanos / 1e6 - Date.now())).toBeLessThan(60_000);
    expect(recorder.ended).toHaveLength(1);
  });
});
