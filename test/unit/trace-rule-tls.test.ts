// The `tls: required` rule on synthetic spans: every HTTP client span must
// carry an https scheme; a plain hop, a span without a scheme, and a trace
// without client spans each fail with a message naming the hop.
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../src/evidence/types.js';
import { parseTraceCheckText } from '../../src/trace/load.js';
import { judgeTls, schemeOf } from '../../src/trace/rule-tls.js';
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
  const op = span({ service: 'orders', kind: 'producer', parentSpanId: os.spanId });
  return [gs, gc, os, oc, ps, op];
}

describe('tls: required', () => {
  it('holds when every service-to-service call used https', () => {
    const verdict = judgeTls(buildTraceView(CID, 'gateway', shopTrace('https://127.0.0.1:8082')));
    expect(verdict).toMatchObject({ rule: 'tls', passed: true, observed: 0 });
    expect(verdict.message).toBe('all 2 service-to-service call(s) used https');
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

  it('fails when a client span does not say which scheme it used', () => {
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
      "cannot tell: gateway → an unknown peer (client span 'GET' carries no URL scheme)",
    );
  });

  it('fails when the request made no HTTP call at all: nothing was judged', () => {
    const verdict = judgeTls(buildTraceView(CID, 'gateway', [span({ service: 'gateway', kind: 'server' })]));
    expect(verdict).toMatchObject({ passed: false, observed: null });
    expect(verdict.message).toMatch(/^no HTTP client span in the request/);
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
