// The Jaeger evidence source against the real Jaeger 1.76.0 that scripts/services
// runs (in-memory storage): spans go in over OTLP/HTTP, come back through the
// query API the UI uses; paging by time when a query returns a full page; late
// spans appear on the next read; the Services dashboard's UI links resolve.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { jaegerUiUrl } from '../../src/dashboards/services.js';
import { JaegerTraceSource, jaegerTraceUrl } from '../../src/evidence/jaeger-source.js';
import { freePort } from '../support/net.js';

const JAEGER = process.env.JAEGER_URL ?? 'http://127.0.0.1:16686';
const OTLP = process.env.JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

interface TestSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  start: number;
  end: number;
  attributes?: Record<string, string>;
  error?: boolean;
}

async function send(service: string, spans: TestSpan[]): Promise<void> {
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'msa-verify-test' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: nanos(s.start),
              endTimeUnixNano: nanos(s.end),
              attributes: Object.entries(s.attributes ?? {}).map(([key, v]) => ({ key, value: { stringValue: v } })),
              status: { code: s.error ? 2 : 0 },
            })),
          },
        ],
      },
    ],
  };
  const res = await fetch(OTLP, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

/** Reads until `count` spans are there (Jaeger stores asynchronously), at most 5 s. */
async function readUntil(source: JaegerTraceSource, window: { from: number; to: number }, count: number) {
  let spans = await source.spans(window);
  for (let i = 0; i < 50 && spans.length < count; i++) {
    await sleep(100);
    spans = await source.spans(window);
  }
  return spans;
}

describe('JaegerTraceSource against the real Jaeger', () => {
  it('reads spans back with kind, parent, status, service and attributes', async () => {
    const service = `svc-${hex(4)}`;
    const traceId = hex(16);
    const t0 = Date.now() - 5000;
    const root = { traceId, spanId: hex(8), name: 'POST /api/orders', kind: 2, start: t0, end: t0 + 40 };
    const child = {
      traceId,
      spanId: hex(8),
      parentSpanId: root.spanId,
      name: 'GET',
      kind: 3,
      start: t0 + 5,
      end: t0 + 20,
      error: true,
      attributes: { 'correlation.id': 'cid-1' },
    };
    await send(service, [root, child]);
    const source = new JaegerTraceSource({ url: JAEGER, services: [service] });
    const spans = await readUntil(source, { from: t0 - 1000, to: t0 + 1000 }, 2);
    const got = spans.find((s) => s.spanId === child.spanId);
    expect(got).toMatchObject({
      traceId,
      parentSpanId: root.spanId,
      kind: 'client',
      service,
      status: 'error',
      name: 'GET',
      attributes: expect.objectContaining({ 'correlation.id': 'cid-1' }),
    });
    expect(got!.startTime).toBeCloseTo(t0 + 5, 0);
    expect(got!.endTime - got!.startTime).toBeCloseTo(15, 0);
    expect(spans.find((s) => s.spanId === root.spanId)).toMatchObject({ kind: 'server', status: 'unset' });
  });

  it('pages by time when a query returns a full page: 23 traces with limit 5 are all read', async () => {
    const service = `svc-${hex(4)}`;
    const t0 = Date.now() - 60_000;
    const spans = Array.from({ length: 23 }, (_, i) => ({
      traceId: hex(16),
      spanId: hex(8),
      name: `op-${i}`,
      kind: 2,
      start: t0 + i * 1000,
      end: t0 + i * 1000 + 10,
    }));
    await send(service, spans);
    const window = { from: t0 - 1, to: t0 + 30_000 };
    await readUntil(new JaegerTraceSource({ url: JAEGER, services: [service] }), window, 23);
    const paged = new JaegerTraceSource({ url: JAEGER, services: [service], limit: 5 });
    const got = await paged.spans(window);
    expect(new Set(got.map((s) => s.name)).size).toBe(23);
    expect(paged.queries).toBeGreaterThan(5);
    // One query of 5 traces alone would have missed most of them.
    const single = await fetch(
      `${JAEGER}/api/traces?service=${service}&start=${window.from * 1000}&end=${window.to * 1000}&limit=5`,
    );
    expect(((await single.json()) as { data: unknown[] }).data).toHaveLength(5);
  });

  it('sees late spans on the next read, and filters by the correlation.id tag', async () => {
    const service = `svc-${hex(4)}`;
    const traceId = hex(16);
    const t0 = Date.now() - 2000;
    const root = {
      traceId,
      spanId: hex(8),
      name: 'root',
      kind: 2,
      start: t0,
      end: t0 + 100,
      attributes: { 'correlation.id': 'cid-late' },
    };
    await send(service, [root]);
    const tagged = new JaegerTraceSource({ url: JAEGER, services: [service], tags: { 'correlation.id': 'cid-late' } });
    const window = { from: t0 - 1000, to: Date.now() + 1000 };
    expect(await readUntil(tagged, window, 1)).toHaveLength(1);
    // A late child without the tag: it comes back with its trace (Jaeger returns whole traces).
    await send(service, [
      { traceId, spanId: hex(8), parentSpanId: root.spanId, name: 'late', kind: 1, start: t0 + 50, end: t0 + 60 },
    ]);
    const after = await readUntil(tagged, window, 2);
    expect(after.map((s) => s.name).sort()).toEqual(['late', 'root']);
    // Another trace of the same service without the tag is left out.
    await send(service, [{ traceId: hex(16), spanId: hex(8), name: 'other', kind: 2, start: t0 + 10, end: t0 + 20 }]);
    await readUntil(new JaegerTraceSource({ url: JAEGER, services: [service] }), window, 3);
    expect((await tagged.spans(window)).map((s) => s.name).sort()).toEqual(['late', 'root']);
  });

  it('an unreachable Jaeger is an environment error naming the query', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const source = new JaegerTraceSource({ url, services: ['orders'] });
    await expect(source.spans({ from: 0, to: 1 })).rejects.toMatchObject({
      code: 'MSAV_COMPONENT_UNAVAILABLE',
      message: expect.stringMatching(/Jaeger query .*\/api\/traces\?service=orders failed/),
    });
    expect(() => new JaegerTraceSource({ url, services: [] })).toThrow(/at least one service/);
  });

  it("the Services dashboard's Jaeger UI links use routes the running Jaeger serves", async () => {
    const service = `svc-${hex(4)}`;
    const traceId = hex(16);
    const t0 = Date.now() - 1000;
    await send(service, [{ traceId, spanId: hex(8), name: 'x', kind: 2, start: t0, end: t0 + 1 }]);
    await readUntil(new JaegerTraceSource({ url: JAEGER, services: [service] }), { from: t0 - 1000, to: t0 + 1000 }, 1);
    const traceUrl = jaegerUiUrl(JAEGER, { traceId });
    expect(traceUrl).toBe(jaegerTraceUrl(JAEGER, traceId));
    expect(traceUrl).toBe(`${JAEGER}/trace/${traceId}`);
    const page = await fetch(traceUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    // The UI page reads the same id from the API behind it.
    const api = (await (await fetch(`${JAEGER}/api/traces/${traceId}`)).json()) as { data: { traceID: string }[] };
    expect(api.data[0]?.traceID).toBe(traceId);
    const search = await fetch(jaegerUiUrl(JAEGER, { service }));
    expect(search.status).toBe(200);
    const services = (await (await fetch(`${JAEGER}/api/services`)).json()) as { data: string[] };
    expect(services.data).toContain(service);
  });
});
