// The `tls: required` rule on synthetic spans: every client span (HTTP, gRPC,
// any other) must show TLS; a plain hop, a span without evidence, and a trace
// without client spans each fail with a message naming the hop.
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../src/evidence/types.js';
import { parseTraceCheckText } from '../../src/trace/load.js';
import { judgeTls, schemeOf, transportOf } from '../../src/trace/rule-tls.js';
import { buildTraceView } from '../../src/trace/trace-view.js';

const CID = 'msav-00000000000000aa';
let next = 1;

function span(p: Partial<SpanRecord> & Pick<SpanRecord, 'service' | 'kind'>): SpanRecord {
  const id = (next++).toString(16).padStart(16, '0');
  return {
    traceId: 'c'.repeat(32),
    spanId: id,
    name: p.kind === 'server' ? 'POST' : 'GET',
    startTime: 1000 + next,
    endTime: 1010 + next,
    status: 'unset',
    ...p,
    attributes: { 'correlation.id': CID, ...p.attributes },
  };
}

/** gateway → orders (node:http client, old semconv) → products (fetch client, stable semconv). */
function shopTrace(ordersToProducts: string): SpanRecord[] {
  const gs = span({ service: 'gateway', kind: 'server' });
  const gc = span({
    service: 'gateway',
    kind: 'client',
    parentSpanId: gs.spanId,
    attributes: { 'http.method': 'POST', 'http.url': 'https://127.0.0.1:8081/api/orders' },
  });
  const os = span({ service: 'orders', kind: 'server', parentSpanId: gc.spanId });
  const oc = span({
    service: 'orders',
    kind: 'client',
    parentSpanId: os.spanId,
    attributes: { 'http.request.method': 'GET', 'url.full': `${ordersToProducts}/api/products?ids=p-1` },
  });
  const ps = span({ service: 'products', kind: 'server', parentSpanId: oc.spanId });
  const op = span({
    service: 'orders',
    kind: 'producer',
    parentSpanId: os.spanId,
    attributes: { 'messaging.system': 'rabbitmq' },
  });
  return [gs, gc, os, oc, ps, op];
}

describe('tls: required', () => {
  it('holds when every service-to-service call used https', () => {
    const verdict = judgeTls(buildTraceView(CID, 'gateway', shopTrace('https://127.0.0.1:8082')));
    expect(verdict).toMatchObject({ rule: 'tls', passed: true, observed: 0 });
    // The message to the broker is not a call: named as not judged, never counted as checked.
    expect(verdict.message).toBe(
      'all 2 service-to-service call(s) used https; not judged (messages to a broker, not service calls): orders → rabbitmq',
    );
  });

  it('fails naming the hop that went over plain http', () => {
    const verdict = judgeTls(buildTraceView(CID, 'gateway', shopTrace('http://127.0.0.1:8082')));
    expect(verdict).toMatchObject({ rule: 'tls', passed: false, observed: 1 });
    expect(verdict.message).toBe('1 of 2 call(s) without TLS; in clear: orders → products over http://');
  });

  it('names the peer address when the callee reported no span', () => {
    const gs = span({ service: 'gateway', kind: 'server' });
    const gc = span({
      service: 'gateway',
      kind: 'client',
      parentSpanId: gs.spanId,
      attributes: {
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'server.port': 9999,
        'http.request.method': 'GET',
      },
    });
    const verdict = judgeTls(buildTraceView(CID, 'gateway', [gs, gc]));
    expect(verdict.passed).toBe(false);
    expect(verdict.message).toContain('gateway → 127.0.0.1:9999 over http://');
  });

  it('fails when a client span carries no evidence either way', () => {
    const gs = span({ service: 'gateway', kind: 'server' });
    const gc = span({
      service: 'gateway',
      kind: 'client',
      parentSpanId: gs.spanId,
      attributes: { 'http.method': 'GET' },
    });
    const verdict = judgeTls(buildTraceView(CID, 'gateway', [gs, gc]));
    expect(verdict.passed).toBe(false);
    expect(verdict.message).toContain(
      "no evidence of TLS either way: gateway → an unknown peer (client span 'GET' carries no url.scheme, url.full, http.url, http.scheme or tls.established)",
    );
  });

  it('fails when the request made no call at all: nothing was judged', () => {
    const verdict = judgeTls(buildTraceView(CID, 'gateway', [span({ service: 'gateway', kind: 'server' })]));
    expect(verdict).toMatchObject({ passed: false, observed: null });
    expect(verdict.message).toMatch(/^no client span in the request/);
  });

  /** The shop trace plus orders → customers over gRPC, its client span with `attributes`. */
  function withGrpc(attributes: Record<string, unknown>): SpanRecord[] {
    const spans = shopTrace('https://127.0.0.1:8082');
    const orders = spans.find((s) => s.service === 'orders' && s.kind === 'server')!;
    const call = span({
      service: 'orders',
      kind: 'client',
      name: 'grpc.shop.customers.v1.Customers/GetCustomer',
      parentSpanId: orders.spanId,
      attributes: { 'rpc.system': 'grpc', 'server.address': '127.0.0.1', 'server.port': 8086, ...attributes },
    });
    return [...spans, call, span({ service: 'customers', kind: 'server', parentSpanId: call.spanId })];
  }

  it('judges gRPC client spans: a secure channel (url.scheme https) holds', () => {
    const verdict = judgeTls(buildTraceView(CID, 'gateway', withGrpc({ 'url.scheme': 'https' })));
    expect(verdict).toMatchObject({ passed: true, observed: 0 });
    expect(verdict.message).toBe(
      'all 3 service-to-service call(s) used https; not judged (messages to a broker, not service calls): orders → rabbitmq',
    );
  });

  it('fails naming orders → customers when the gRPC channel is insecure', () => {
    const verdict = judgeTls(buildTraceView(CID, 'gateway', withGrpc({ 'url.scheme': 'http' })));
    expect(verdict).toMatchObject({ passed: false, observed: 1 });
    expect(verdict.message).toBe(
      '1 of 3 call(s) without TLS; in clear: orders → customers over gRPC on an insecure channel (url.scheme http)',
    );
  });

  it('fails a gRPC client span without evidence (no preload hook, another client): never passes quietly', () => {
    const verdict = judgeTls(buildTraceView(CID, 'gateway', withGrpc({})));
    expect(verdict).toMatchObject({ passed: false, observed: 1 });
    expect(verdict.message).toContain(
      "no evidence of TLS either way: orders → customers (client span 'grpc.shop.customers.v1.Customers/GetCustomer'",
    );
  });

  it('takes tls.established as evidence where no scheme is recorded', () => {
    expect(judgeTls(buildTraceView(CID, 'gateway', withGrpc({ 'tls.established': true }))).message).toBe(
      'all 3 service-to-service call(s) used TLS; not judged (messages to a broker, not service calls): orders → rabbitmq',
    );
    const clear = judgeTls(buildTraceView(CID, 'gateway', withGrpc({ 'tls.established': false })));
    expect(clear.message).toContain('in clear: orders → customers over gRPC on an insecure channel');
    const t = (attributes: Record<string, unknown>) => transportOf(span({ service: 'a', kind: 'client', attributes }));
    expect(t({ 'url.scheme': 'wss' })).toEqual({ tls: true, scheme: 'wss' });
    expect(t({ 'tls.established': 'yes' })).toBeUndefined();
  });

  it('reads the scheme from url.scheme, http.scheme, url.full and http.url', () => {
    const s = (attributes: Record<string, unknown>) => schemeOf(span({ service: 'a', kind: 'client', attributes }));
    expect(s({ 'url.scheme': 'HTTPS' })).toBe('https');
    expect(s({ 'http.scheme': 'http' })).toBe('http');
    expect(s({ 'url.full': 'https://x/y' })).toBe('https');
    expect(s({ 'http.url': 'http://x/y' })).toBe('http');
    expect(s({})).toBeUndefined();
  });

  it('is a field of trace check files; anything but "required" is a located problem', () => {
    const file = (tls: string) =>
      `version: 1\nname: t\nsend:\n  http:\n    url: https://127.0.0.1:1/\nsource:\n  file:\n    path: x\nexpect:\n  root: gateway\n  tls: ${tls}\n`;
    expect(parseTraceCheckText('t.yaml', file('required'), {}).ok).toBe(true);
    const bad = parseTraceCheckText('t.yaml', file('maybe'), {});
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]).toMatchObject({ path: 'expect.tls', line: 11 });
  });
});
