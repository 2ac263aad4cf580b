import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FixtureProcess, readSpans, startFixture } from '../support/instrument-process.ts';
import { waitFor } from '../support/net.ts';
import { serviceUrls } from '../support/services.ts';

// Three real processes with the preload: front (HTTP) -> back (HTTP) -> RabbitMQ or Kafka -> consumer.
// The consumer logs with pino behind RabbitMQ and with winston behind Kafka.
describe.each([
  ['cjs', 'amqp'],
  ['mjs', 'amqp'],
  ['cjs', 'kafka'],
  ['mjs', 'kafka'],
] as const)('preload across processes (%s, %s)', (ext, transport) => {
  const started: FixtureProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });

  it('keeps one trace and one correlation id from HTTP to the message consumer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'msav-instr-'));
    const file = path.join(dir, 'spans.jsonl');
    const queue = `msav-instrument-${ext}-${randomUUID()}`;
    const { RABBITMQ_URL, KAFKA_BROKERS } = serviceUrls();
    const common = { RABBITMQ_URL, KAFKA_BROKERS, TRANSPORT: transport, QUEUE: queue, MSA_VERIFY_TRACES_FILE: file };
    const consumer = await startFixture(ext, { ...common, ROLE: 'consumer', OTEL_SERVICE_NAME: 'consumer' });
    started.push(consumer);
    const back = await startFixture(ext, { ...common, ROLE: 'back', OTEL_SERVICE_NAME: 'back' });
    started.push(back);
    const front = await startFixture(ext, { ...common, ROLE: 'front', OTEL_SERVICE_NAME: 'front', BACK_URL: back.url });
    started.push(front);

    const cid = `it-${ext}-${transport}-${Date.now()}`;
    const res = await fetch(`${front.url}/order`, { headers: { 'x-correlation-id': cid } });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-correlation-id')).toBe(cid);
    expect(await res.json()).toMatchObject({ published: true, cid });

    await waitFor(() => readSpans(file).some((s) => s.kind === 'CONSUMER' && s.attributes['correlation.id'] === cid));
    const consumedLine = () =>
      consumer
        .stdout()
        .split('\n')
        .find((l) => l.includes('"consumed"'));
    await waitFor(() => consumedLine() !== undefined);
    const spans = readSpans(file).filter((s) => s.attributes['correlation.id'] === cid);
    const traceIds = new Set(spans.map((s) => s.traceId));
    expect(traceIds.size).toBe(1);
    expect(new Set(spans.map((s) => s.resource['service.name']))).toEqual(new Set(['front', 'back', 'consumer']));

    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const frontServer = spans.find((s) => s.kind === 'SERVER' && s.resource['service.name'] === 'front')!;
    const backServer = spans.find((s) => s.kind === 'SERVER' && s.resource['service.name'] === 'back')!;
    const producer = spans.find((s) => s.kind === 'PRODUCER')!;
    const consumerSpan = spans.find((s) => s.kind === 'CONSUMER')!;
    expect(frontServer.name).toBe('GET /order');
    expect(frontServer.parentSpanId).toBe('');
    // back's server span is a child of front's fetch client span, a child of front's server span:
    // by default express layers get no span of their own (MSA_VERIFY_EXPRESS_SPANS=route).
    const client = byId.get(backServer.parentSpanId)!;
    expect(client.kind).toBe('CLIENT');
    expect(client.resource['service.name']).toBe('front');
    expect(client.parentSpanId).toBe(frontServer.spanId);
    expect(spans.filter((s) => 'express.type' in s.attributes)).toEqual([]);
    expect(producer.resource['service.name']).toBe('back');
    expect(producer.attributes['messaging.system']).toBe(transport === 'kafka' ? 'kafka' : 'rabbitmq');
    expect(consumerSpan.resource['service.name']).toBe('consumer');
    expect(consumerSpan.parentSpanId).toBe(producer.spanId);
    if (transport === 'amqp') {
      // Current messaging conventions (the queue is reached through the default exchange, "").
      expect(producer.attributes).toMatchObject({
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': '',
        'messaging.rabbitmq.destination.routing_key': queue,
        'network.protocol.name': 'amqp',
        'server.address': expect.any(String),
      });
      expect(consumerSpan.attributes).toMatchObject({
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'consume',
        'messaging.rabbitmq.destination.routing_key': queue,
        'messaging.rabbitmq.message.delivery_tag': expect.any(Number),
      });
      for (const span of [producer, consumerSpan]) {
        for (const old of ['messaging.destination_kind', 'messaging.destination', 'messaging.rabbitmq.routing_key']) {
          expect(span.attributes, `${span.name}: ${old}`).not.toHaveProperty([old]);
        }
      }
    }
    for (const s of spans) {
      if (s.parentSpanId) expect(byId.has(s.parentSpanId), `parent of ${s.name}`).toBe(true);
    }

    const log = JSON.parse(consumedLine()!) as Record<string, unknown>;
    expect(log[transport === 'kafka' ? 'message' : 'msg']).toBe('consumed');
    expect(log).toMatchObject({
      correlation_id: cid,
      cid,
      trace_id: consumerSpan.traceId,
      span_id: consumerSpan.spanId,
    });
  });
});

describe('express layer spans', () => {
  const started: FixtureProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });

  it.each([
    ['route', []],
    ['handlers', ['request_handler']],
  ] as const)('MSA_VERIFY_EXPRESS_SPANS=%s records %j layer spans under the server span', async (mode, types) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'msav-instr-'));
    const file = path.join(dir, 'spans.jsonl');
    const echo = await startFixture('cjs', {
      ROLE: 'echo',
      OTEL_SERVICE_NAME: 'echo',
      MSA_VERIFY_TRACES_FILE: file,
      MSA_VERIFY_EXPRESS_SPANS: mode,
    });
    started.push(echo);
    const cid = `layers-${mode}-${Date.now()}`;
    const res = await fetch(`${echo.url}/echo`, { headers: { 'x-correlation-id': cid } });
    expect(await res.json()).toEqual({ cid });
    await waitFor(() => readSpans(file).some((s) => s.kind === 'SERVER' && s.attributes['correlation.id'] === cid));
    const spans = readSpans(file).filter((s) => s.attributes['correlation.id'] === cid);
    const server = spans.find((s) => s.kind === 'SERVER')!;
    expect(server.name).toBe('GET /echo');
    expect(server.attributes['http.route']).toBe('/echo');
    const layers = spans.filter((s) => 'express.type' in s.attributes);
    expect(layers.map((s) => s.attributes['express.type'])).toEqual(types);
    for (const layer of layers) expect(layer.parentSpanId).toBe(server.spanId);

    // A route of a router mounted under /api: the mount path is part of the route.
    const nested = await fetch(`${echo.url}/api/items/7`, { headers: { 'x-correlation-id': `${cid}-nested` } });
    expect(await nested.json()).toEqual({ id: '7', cid: `${cid}-nested` });
    await waitFor(() =>
      readSpans(file).some((s) => s.kind === 'SERVER' && s.attributes['correlation.id'] === `${cid}-nested`),
    );
    const mounted = readSpans(file).find(
      (s) => s.kind === 'SERVER' && s.attributes['correlation.id'] === `${cid}-nested`,
    )!;
    expect(mounted.name).toBe('GET /api/items/:id');
    expect(mounted.attributes['http.route']).toBe('/api/items/:id');
  });
});
