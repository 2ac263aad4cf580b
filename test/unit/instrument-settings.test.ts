import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/instrument/settings.ts';

function read(env: NodeJS.ProcessEnv) {
  const warnings: string[] = [];
  return { settings: readSettings(env, (m) => warnings.push(m)), warnings };
}

describe('instrument settings', () => {
  it('defaults: no exporter, parent-based always-on, x-correlation-id then x-request-id', () => {
    const { settings, warnings } = read({});
    expect(settings.disabled).toBe(false);
    expect(settings.exporters).toEqual([]);
    expect(settings.sampler).toEqual({ kind: 'parentbased_always_on' });
    expect(settings.correlationHeaders).toEqual(['x-correlation-id', 'x-request-id']);
    expect(settings.otlpProtocol).toBe('http/protobuf');
    expect(warnings).toEqual([]);
  });

  it('reads the standard OTEL_* variables', () => {
    const { settings } = read({
      OTEL_SDK_DISABLED: 'TRUE',
      OTEL_SERVICE_NAME: 'orders',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,team=shop%20core,service.name=ignored',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,@opentelemetry/instrumentation-express',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pino',
      MSA_VERIFY_TRACES_FILE: '/tmp/x.jsonl',
    });
    expect(settings.disabled).toBe(true);
    expect(settings.serviceName).toBe('orders');
    expect(settings.resourceAttributes).toMatchObject({ 'deployment.environment': 'test', team: 'shop core' });
    expect(settings.exporters).toEqual(['otlp', 'file']);
    expect(settings.otlpTracesUrl).toBe('http://127.0.0.1:4318/v1/traces');
    expect(settings.otlpProtocol).toBe('http/json');
    expect(settings.sampler).toEqual({ kind: 'parentbased_traceidratio', ratio: 0.25 });
    expect([...(settings.enabledInstrumentations ?? [])]).toEqual(['http', 'express']);
    expect([...settings.disabledInstrumentations]).toEqual(['pino']);
  });

  it('service.name falls back to OTEL_RESOURCE_ATTRIBUTES; OTEL_TRACES_EXPORTER=console,none', () => {
    expect(read({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).settings.serviceName).toBe('from-attrs');
    expect(read({ OTEL_TRACES_EXPORTER: 'console' }).settings.exporters).toEqual(['console']);
    expect(read({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }).settings.exporters).toEqual(
      [],
    );
  });

  it('bad values become warnings and defaults, never throws', () => {
    const { settings, warnings } = read({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_BSP_MAX_QUEUE_SIZE: '-5',
      MSA_VERIFY_METRICS_PORT: '99999',
      OTEL_RESOURCE_ATTRIBUTES: 'novalue,bad=%E0%A4%A',
      MSA_VERIFY_CORRELATION_HEADER: 'bad header\r\n',
      OTEL_TRACES_EXPORTER: 'zipkin',
    });
    expect(settings.otlpProtocol).toBe('http/protobuf');
    expect(settings.sampler).toEqual({ kind: 'parentbased_always_on' });
    expect(settings.batch.maxQueueSize).toBe(2048);
    expect(settings.metricsPort).toBeUndefined();
    expect(settings.correlationHeaders).toEqual(['x-correlation-id', 'x-request-id']);
    expect(settings.exporters).toEqual([]);
    expect(warnings.length).toBe(7);
  });

  it('MSA_VERIFY_EXPRESS_SPANS: route by default, handlers/all accepted, anything else warns', () => {
    expect(read({}).settings.expressSpans).toBe('route');
    expect(read({ MSA_VERIFY_EXPRESS_SPANS: 'Handlers' }).settings.expressSpans).toBe('handlers');
    const bad = read({ MSA_VERIFY_EXPRESS_SPANS: 'every' });
    expect(bad.settings.expressSpans).toBe('route');
    expect(bad.warnings).toEqual([expect.stringContaining('MSA_VERIFY_EXPRESS_SPANS: "every"')]);
  });

  it('MSA_VERIFY_EXPORT_THREAD: worker by default, main accepted, anything else warns', () => {
    expect(read({}).settings.exportThread).toBe('worker');
    expect(read({ MSA_VERIFY_EXPORT_THREAD: 'Main' }).settings.exportThread).toBe('main');
    const bad = read({ MSA_VERIFY_EXPORT_THREAD: 'thread' });
    expect(bad.settings.exportThread).toBe('worker');
    expect(bad.warnings).toEqual([expect.stringContaining('MSA_VERIFY_EXPORT_THREAD: "thread"')]);
  });

  it('MSA_VERIFY_CORRELATION_HEADER replaces the primary header', () => {
    expect(read({ MSA_VERIFY_CORRELATION_HEADER: 'X-Trace-Ref' }).settings.correlationHeaders).toEqual([
      'x-trace-ref',
      'x-request-id',
    ]);
  });
});
