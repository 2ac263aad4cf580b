// A callee that exports its spans later than the others (its batch goes out on
// its own schedule): the check must not judge before the callee's span is in,
// or the tls rule names the call by its peer address instead of the service.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../src/evidence/types.js';
import { parseTraceCheckText } from '../../src/trace/load.js';
import { runTraceCheck } from '../../src/trace/run-check.js';
import type { SpanFinder } from '../../src/trace/span-finder.js';

let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(201).end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/orders`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const CHECK = (target: string) => `
version: 1
name: late-callee
send:
  http:
    method: POST
    url: ${target}
    expectStatus: 201
source:
  file:
    path: unused.jsonl
wait: 6s
expect:
  root: gateway
  hops:
    - from: gateway
      to: orders
  tls: required
`;

function span(id: string, parent: string | undefined, service: string, kind: SpanRecord['kind'], correlation: string) {
  const now = Date.now();
  return {
    traceId: 't1',
    spanId: id,
    ...(parent ? { parentSpanId: parent } : {}),
    name: `${service} ${kind}`,
    kind,
    service,
    startTime: now,
    endTime: now + 1,
    attributes: {
      'correlation.id': correlation,
      ...(kind === 'client' ? { 'url.scheme': 'http', 'server.address': '127.0.0.1', 'server.port': 24859 } : {}),
    },
    status: 'unset',
  } satisfies SpanRecord;
}

/** Gateway and orders report at once; customers, orders' callee, reports `lateMs` after the first read. */
function finder(lateMs: number): SpanFinder {
  let first: number | undefined;
  return {
    name: 'fake',
    async related(id: string) {
      first ??= Date.now();
      const spans: SpanRecord[] = [
        span('g1', undefined, 'gateway', 'server', id),
        span('g2', 'g1', 'gateway', 'client', id),
        span('o1', 'g2', 'orders', 'server', id),
        span('o2', 'o1', 'orders', 'client', id),
      ];
      if (Date.now() - first >= lateMs) spans.push(span('c1', 'o2', 'customers', 'server', id));
      return spans;
    },
    around: async () => [],
    traceUrl: () => null,
    close: async () => {},
  };
}

function load() {
  const parsed = parseTraceCheckText('late.yaml', CHECK(url), {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return { check: parsed.value, file: '/tmp/late.yaml', display: 'late.yaml' };
}

describe('trace check with a callee whose spans come late', () => {
  it('waits for the callee span of a call before judging, and names the callee service', async () => {
    const spans = finder(1200);
    const result = await runTraceCheck(load(), { finder: spans, cwd: '/tmp', pollMs: 100 });
    const tls = result.verdicts.find((v) => v.rule === 'tls');
    expect(tls?.passed).toBe(false);
    expect(tls?.message).toContain('orders → customers over http://');
    expect(tls?.message).not.toContain('127.0.0.1:24859');
  });

  it('a callee that never reports is named by its address', async () => {
    const spans = finder(Number.POSITIVE_INFINITY);
    const result = await runTraceCheck(load(), { finder: spans, cwd: '/tmp', pollMs: 100 });
    const tls = result.verdicts.find((v) => v.rule === 'tls');
    expect(tls?.message).toContain('orders → 127.0.0.1:24859 over http://');
    expect(result.neverReported).toEqual([]);
  });
});
