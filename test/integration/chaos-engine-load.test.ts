import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../src/chaos/load/run-load.js';
import type { RequestSample } from '../../src/chaos/load/types.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/hang') return; // never answers
      if (req.url === '/big') {
        res.end('x'.repeat(4000));
        return;
      }
      res.writeHead(req.url === '/fail' ? 503 : 200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe.each(['raw', 'node-http'] as const)('runLoad (%s client) against a real HTTP server', (client) => {
  it('sends exactly rate x duration requests, spread over the window, with plan and correlation headers', async () => {
    seen.length = 0;
    const streamed: RequestSample[] = [];
    const samples = await runLoad(
      {
        target: base,
        requests: [
          { method: 'GET', path: '/a' },
          { method: 'POST', path: '/b', body: { n: 1 }, headers: { 'x-extra': 'yes' } },
        ],
        ratePerSec: 200,
        durationMs: 1000,
        timeoutMs: 2000,
        headers: { baggage: 'msa.run_id=run-123' },
      },
      { onSample: (s) => streamed.push(s), client },
    );
    expect(samples).toHaveLength(200);
    expect(streamed).toHaveLength(200);
    expect(seen).toHaveLength(200);
    expect(samples.every((s) => s.status === 200)).toBe(true);
    expect(samples[0]?.bodySnippet).toBe('{"ok":true}');
    expect(samples.slice(0, 2).map((s) => `${s.method} ${s.path}`)).toEqual(['GET /a', 'POST /b']);
    // open model: the sends are spread over the window, not bunched: the first half of the
    // schedule (by intended time) holds about half the requests actually started in that half
    const t0 = samples[0]!.intendedAt;
    const firstHalf = samples.filter((s) => s.startedAt < t0 + 500).length;
    expect(firstHalf).toBeGreaterThanOrEqual(80);
    expect(firstHalf).toBeLessThanOrEqual(120);
    const ids = new Set(seen.map((s) => s.headers['x-correlation-id']));
    expect(ids.size).toBe(200);
    expect(ids).toEqual(new Set(samples.map((s) => s.correlationId)));
    expect(seen.every((s) => s.headers.baggage === 'msa.run_id=run-123')).toBe(true);
    const posts = seen.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(100);
    expect(posts[0]).toMatchObject({ url: '/b', body: '{"n":1}' });
    expect(posts[0]?.headers['content-type']).toBe('application/json');
    expect(posts[0]?.headers['x-extra']).toBe('yes');
    for (const s of samples) {
      expect(s.latencyMs).toBeGreaterThanOrEqual(s.serviceTimeMs - 1e-6);
      expect(s.startedAt).toBeGreaterThanOrEqual(s.intendedAt - 1e-6);
    }
  });

  it('gives up on a hanging request after timeoutMs and keeps the status of errors', async () => {
    const samples = await runLoad(
      {
        target: base,
        requests: [
          { method: 'GET', path: '/hang' },
          { method: 'GET', path: '/fail' },
          { method: 'GET', path: '/big' },
        ],
        ratePerSec: 30,
        durationMs: 100,
        timeoutMs: 300,
      },
      { client },
    );
    expect(samples.map((s) => [s.status, s.error])).toEqual([
      [0, 'timeout'],
      [503, undefined],
      [200, undefined],
    ]);
    expect(samples[0]!.serviceTimeMs).toBeGreaterThanOrEqual(299);
    expect(samples[2]!.bodySnippet).toHaveLength(512);
  });

  it('records connection refused as an errno sample', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const samples = await runLoad(
      {
        target: `http://127.0.0.1:${port}`,
        requests: [{ method: 'GET', path: '/' }],
        ratePerSec: 10,
        durationMs: 200,
        timeoutMs: 1000,
      },
      { client },
    );
    expect(samples.map((s) => s.error)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('aborts in-flight requests when the signal fires', async () => {
    const ac = new AbortController();
    const run = runLoad(
      {
        target: base,
        requests: [{ method: 'GET', path: '/hang' }],
        ratePerSec: 10,
        durationMs: 5000,
        timeoutMs: 10_000,
      },
      { signal: ac.signal, onSample: () => undefined, client },
    );
    setTimeout(() => ac.abort(), 250);
    const samples = await run;
    expect(samples.length).toBeGreaterThanOrEqual(1);
    expect(samples.length).toBeLessThan(50);
    expect(samples.every((s) => s.error === 'aborted')).toBe(true);
  });
});
