// The trace rules on synthetic spans (no clock, no sleeps): a good trace holds
// every rule; each way a request's trace breaks is named at its hop.
import { describe, expect, it } from 'vitest';
import type { TraceCheckResult } from '../../src/core/trace-results.js';
import type { SpanRecord } from '../../src/evidence/types.js';
import { readResultsFile, toExposition, toHtml, toJunitXml } from '../../src/report/index.js';
import { parseTraceCheckText } from '../../src/trace/load.js';
import { judgeCorrelation } from '../../src/trace/rule-correlation.js';
import { judgeErrors } from '../../src/trace/rule-errors.js';
import { judgeHop, matchHop } from '../../src/trace/rule-hop.js';
import { judgeOneTrace } from '../../src/trace/rule-one-trace.js';
import { judgeOrder } from '../../src/trace/rule-order.js';
import type { Hop } from '../../src/trace/schema.js';
import { buildTraceView } from '../../src/trace/trace-view.js';
import { toTreeRows } from '../../src/trace/tree.js';
import { sampleTraceResult } from '../support/sample-results.js';

const CID = 'msav-0123456789abcdef';
const T = 'a'.repeat(32);
const T2 = 'b'.repeat(32);
let next = 1;

function span(p: Partial<SpanRecord> & Pick<SpanRecord, 'service' | 'kind'>): SpanRecord {
  const id = (next++).toString(16).padStart(16, '0');
  return {
    traceId: T,
    spanId: id,
    name: p.kind === 'server' ? 'POST' : 'call',
    startTime: 1000 + next,
    endTime: 1010 + next,
    status: 'unset',
    attributes: { 'correlation.id': CID },
    ...p,
  };
}

const HOPS: Hop[] = [
  { from: 'gateway', to: 'orders', via: 'http' },
  { from: 'orders', to: 'products', via: 'http', maxDuration: '2s' },
  { from: 'orders', to: 'delivery', via: 'rabbitmq' },
];

/** gateway → orders → products, orders → RabbitMQ → delivery, all linked. */
function goodTrace(): SpanRecord[] {
  const gs = span({ service: 'gateway', kind: 'server' });
  const gc = span({ service: 'gateway', kind: 'client', parentSpanId: gs.spanId });
  const os = span({ service: 'orders', kind: 'server', parentSpanId: gc.spanId });
  const oc = span({ service: 'orders', kind: 'client', parentSpanId: os.spanId });
  const ps = span({ service: 'products', kind: 'server', parentSpanId: oc.spanId });
  const op = span({ service: 'orders', kind: 'producer', parentSpanId: os.spanId, startTime: 1100, endTime: 1105 });
  const dc = span({ service: 'delivery', kind: 'consumer', parentSpanId: op.spanId, startTime: 1110, endTime: 1120 });
  return [gs, gc, os, oc, ps, op, dc];
}

describe('trace rules', () => {
  it('a linked trace holds every rule', () => {
    const view = buildTraceView(CID, 'gateway', goodTrace());
    expect(view.traceId).toBe(T);
    expect(judgeOneTrace(view, HOPS)).toMatchObject({ passed: true, observed: 1 });
    const matches = HOPS.map((h) => matchHop(view, h));
    for (const [i, h] of HOPS.entries()) expect(judgeHop(view, h, matches[i]).passed).toBe(true);
    expect(judgeOrder(HOPS, matches).passed).toBe(true);
    expect(judgeCorrelation(view)).toMatchObject({ passed: true, observed: 0 });
    expect(judgeErrors(view, [])).toMatchObject({ passed: true, observed: 0 });
    expect(judgeHop(view, HOPS[2]!, matches[2]).name).toBe('orders → RabbitMQ → delivery');
  });

  it('a callee that starts a new trace fails the hop and the one-trace rule, naming the hop', () => {
    const spans = goodTrace();
    const orders = spans[2]!;
    // orders got no traceparent: its server span is a root of another trace; its children follow it.
    const split = spans.map((s, i) =>
      i >= 2 ? { ...s, traceId: T2, ...(s === orders ? { parentSpanId: undefined } : {}) } : s,
    );
    const view = buildTraceView(CID, 'gateway', split);
    const one = judgeOneTrace(view, HOPS);
    expect(one).toMatchObject({ passed: false, observed: 2 });
    expect(one.message).toBe(
      "gateway → orders: orders' server span starts a new trace (no parent); traceparent was not propagated",
    );
    const hop = judgeHop(view, HOPS[0]!, matchHop(view, HOPS[0]!));
    expect(hop.passed).toBe(false);
    expect(hop.message).toBe(
      "gateway → orders: orders' server span starts a new trace (no parent); traceparent was not propagated",
    );
    // The hops on the far side of the split still hold.
    expect(judgeHop(view, HOPS[1]!, matchHop(view, HOPS[1]!)).passed).toBe(true);
  });

  it('a service that never reported is named at its hop', () => {
    const spans = goodTrace().filter((s) => s.service !== 'products');
    const view = buildTraceView(CID, 'gateway', spans);
    const hop = judgeHop(view, HOPS[1]!, matchHop(view, HOPS[1]!));
    expect(hop.message).toBe(
      "orders → products: orders' client span 'call' has no server span of products under it; products never reported a span (started without the preload, or exporting elsewhere)",
    );
  });

  it('a publish outside the request trace is explained from the window', () => {
    const spans = goodTrace().filter((s) => s.service !== 'delivery' && s.kind !== 'producer');
    const detached = span({ service: 'orders', kind: 'producer', traceId: T2, attributes: {} });
    const view = buildTraceView(CID, 'gateway', spans, [detached]);
    const hop = judgeHop(view, HOPS[2]!, matchHop(view, HOPS[2]!));
    expect(hop.passed).toBe(false);
    expect(hop.message).toMatch(
      /^orders → RabbitMQ → delivery: no producer span of orders in the trace; orders published in another trace \(bbbbbbbbbbbb…\) whose spans lack this correlation.id: the message left without the correlation header$/,
    );
  });

  it('a span without correlation.id is named with its service and kind', () => {
    const spans = goodTrace().map((s) =>
      s.service === 'gateway' && s.kind === 'server' ? { ...s, attributes: {} } : s,
    );
    const v = judgeCorrelation(buildTraceView(CID, 'gateway', spans));
    expect(v).toMatchObject({ passed: false, observed: 1, message: 'gateway: server span lacks correlation.id' });
  });

  it('a service that never reported is named from the call that got no answer', () => {
    const spans = goodTrace();
    const orders = spans.find((s) => s.service === 'orders' && s.kind === 'server')!;
    spans.push(span({ service: 'orders', kind: 'client', name: 'PUT', parentSpanId: orders.spanId }));
    const hop: Hop = { from: 'orders', to: 'inventory', via: 'http' };
    const view = buildTraceView(CID, 'gateway', spans);
    expect(judgeHop(view, hop, matchHop(view, hop)).message).toBe(
      "orders → inventory: orders' client span 'PUT' has no server span of inventory under it; inventory never reported a span (started without the preload, or exporting elsewhere)",
    );
  });

  it('a correlation ID lost between two services names the hop', () => {
    const other = { 'correlation.id': 'other-1' };
    const spans = goodTrace().map((s) => (s.service === 'products' ? { ...s, attributes: other } : s));
    expect(judgeCorrelation(buildTraceView(CID, 'gateway', spans))).toMatchObject({
      passed: false,
      observed: 1,
      message:
        "orders → products: products' server span 'POST' carries correlation.id other-1, not the one sent, under orders' client span 'call' that carries it: the correlation header was not forwarded on this hop",
    });
    const lacking = goodTrace().map((s) => (s.service === 'delivery' ? { ...s, attributes: {} } : s));
    expect(judgeCorrelation(buildTraceView(CID, 'gateway', lacking)).message).toBe(
      "orders → delivery: delivery's consumer span 'call' lacks correlation.id, under orders' producer span 'call' that carries it: the correlation header was not forwarded on this hop",
    );
  });

  it('error spans fail unless allowed; a slow hop fails its bound; order is checked', () => {
    const spans = goodTrace().map((s) =>
      s.service === 'products' ? { ...s, status: 'error' as const, endTime: s.startTime + 5000 } : s,
    );
    const view = buildTraceView(CID, 'gateway', spans);
    expect(judgeErrors(view, []).message).toBe("products: server span 'POST' has status ERROR");
    expect(judgeErrors(view, [{ service: 'products' }]).passed).toBe(true);
    const slow = judgeHop(view, HOPS[1]!, matchHop(view, HOPS[1]!));
    expect(slow).toMatchObject({ passed: false, unit: 'ms', bound: '<= 2s' });
    expect(slow.message).toMatch(/^orders → products: took 5\.\d+s, more than 2s$/);
    const reversed = [HOPS[2]!, HOPS[0]!];
    const order = judgeOrder(
      reversed,
      reversed.map((h) => matchHop(view, h)),
    );
    expect(order).toMatchObject({
      passed: false,
      message: 'gateway → orders started before orders → RabbitMQ → delivery',
    });
  });

  it('the tree puts children under parents and other roots after', () => {
    const rows = toTreeRows(goodTrace());
    expect(rows.map((r) => `${r.depth}:${r.service}:${r.kind}`)).toEqual([
      '0:gateway:server',
      '1:gateway:client',
      '2:orders:server',
      '3:orders:client',
      '4:products:server',
      '3:orders:producer',
      '4:delivery:consumer',
    ]);
  });
});

describe('trace check files', () => {
  it('every problem is located; send needs exactly one of http and message', () => {
    const text = [
      'version: 1',
      'name: Bad_Name',
      'send:',
      '  http: { url: "ftp://x" }',
      '  message: { rabbitmq: { url: "amqp://h", exchange: e, routingKey: k, body: {} } }',
      'source: { jaeger: {}, file: { path: x } }',
      'expect:',
      '  root: gateway',
      '  hops: [{ from: gateway, to: orders, via: carrier-pigeon }]',
      '',
    ].join('\n');
    const r = parseTraceCheckText('t.yaml', text, {});
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems.map((p) => `${p.line}:${p.path}`);
    expect(problems).toEqual(
      expect.arrayContaining(['2:name', '4:send.http.url', '4:send', '6:source', '9:expect.hops.0.via']),
    );
  });

  it('the example checks in traces/ are valid', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const f of ['order-created', 'product-lookup', 'order-event']) {
      const r = parseTraceCheckText(f, await readFile(`traces/${f}.yaml`, 'utf8'), {});
      expect(r.ok, JSON.stringify(r)).toBe(true);
    }
  });
});

describe('trace results in reports', () => {
  const result: TraceCheckResult = {
    kind: 'trace',
    runId: 'r1',
    check: 'order-created',
    file: 'traces/order-created.yaml',
    startedAt: 1000,
    endedAt: 2000,
    passed: false,
    correlationId: CID,
    traceId: T,
    traceUrl: null,
    source: 'file:x',
    verdicts: [
      {
        rule: 'hop',
        name: 'orders → products',
        passed: false,
        observed: null,
        bound: 'present',
        unit: 'ms',
        message: 'm',
      },
    ],
    spans: [],
    neverReported: ['products'],
    lastSpanToVerdictMs: 10,
  };
  it('JUnit has a failing case per failed rule; the exposition has the check and rule series', () => {
    expect(toJunitXml([result])).toContain('<testcase classname="trace.order-created.hop" name="orders → products"');
    const text = toExposition([result]);
    expect(text).toContain('msa_verify_trace_check_passed{check="order-created"} 0');
    expect(text).toContain('msa_verify_trace_rule_passed{check="order-created",rule="hop",name="orders → products"} 0');
    expect(text).toContain('msa_verify_trace_services_missing{check="order-created"} 1');
  });
  it('the HTML report shows verdicts and a waterfall, and reads a trace result back from JSON', async () => {
    const r = sampleTraceResult();
    const page = toHtml([r]);
    expect(page).toContain('<h2 id="traces">Trace checks</h2>');
    expect((page.match(/class="wf-row/g) ?? []).length).toBe(3);
    expect(page).toContain('orders → RabbitMQ → delivery: no producer span of orders in the trace');
    expect(page).toContain('No span for this request from: delivery');
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const file = `${await mkdtemp(`${tmpdir()}/msav-trace-`)}/r.json`;
    await writeFile(file, JSON.stringify({ version: 1, results: [r] }));
    expect(await readResultsFile(file)).toEqual([r]);
  });
});
