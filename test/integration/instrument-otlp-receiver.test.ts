// The preload's OTLP/protobuf export (our encoder, sent by the export worker)
// read back by the chaos runner's embedded OTLP receiver, as in a scenario with
// `traces: { otlp: ... }`: the two ends of the project meet without a collector.
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../../src/evidence/otlp-receiver.js';
import { type FixtureProcess, startFixture } from '../support/instrument-process.ts';
import { waitFor } from '../support/net.ts';

describe('preload -> export worker -> chaos OTLP receiver', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('delivers the server span with its remote parent, route, status and correlation id', async () => {
    const receiver = new OtlpReceiver({ port: 0 });
    const { endpoint } = await receiver.start();
    cleanup.push(() => receiver.close());
    const app: FixtureProcess = await startFixture('cjs', {
      ROLE: 'echo',
      OTEL_SERVICE_NAME: 'otlp-e2e',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
    });
    cleanup.push(() => app.stop());

    const t0 = Date.now();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const cid = `receiver-${t0}`;
    const res = await fetch(`${app.url}/api/items/7`, {
      headers: { traceparent: `00-${traceId}-${parent}-01`, 'x-correlation-id': cid },
    });
    expect(await res.json()).toEqual({ id: '7', cid });

    const find = async () =>
      (await receiver.spans({ from: t0 - 1000, to: Date.now() + 1000 })).find(
        (s) => s.kind === 'server' && s.attributes['correlation.id'] === cid,
      );
    await waitFor(async () => (await find()) !== undefined);
    const span = (await find())!;
    expect(span).toMatchObject({
      traceId,
      parentSpanId: parent,
      name: 'GET /api/items/:id',
      service: 'otlp-e2e',
      status: 'unset',
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/items/:id',
        'url.path': '/api/items/7',
        'http.response.status_code': 200,
        'correlation.id': cid,
      },
    });
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.startTime).toBeGreaterThanOrEqual(t0 - 5);
    expect(span.endTime).toBeGreaterThanOrEqual(span.startTime);
    expect(app.stderr()).not.toContain('export worker unavailable');
  });
});
