import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanLine } from '../../src/instrument/export/file-exporter.ts';
import { type FixtureProcess, readSpans, startFixture } from '../support/instrument-process.ts';
import { waitFor } from '../support/net.ts';

// The preload's own HTTP server spans (src/instrument/http-server/http-server.ts) on a plain
// node:http service: context through body listeners, errors, aborts, status
// codes, unknown methods and query redaction.
describe('HTTP server spans', () => {
  let app: FixtureProcess;
  let file: string;
  beforeAll(async () => {
    file = path.join(mkdtempSync(path.join(tmpdir(), 'msav-http-server-')), 'spans.jsonl');
    app = await startFixture('cjs', { OTEL_SERVICE_NAME: 'plain', MSA_VERIFY_TRACES_FILE: file }, true, 'plain-http');
  });
  afterAll(() => app?.stop());

  async function spansOf(cid: string, count: number): Promise<SpanLine[]> {
    await waitFor(() => readSpans(file).filter((s) => s.attributes['correlation.id'] === cid).length >= count);
    return readSpans(file).filter((s) => s.attributes['correlation.id'] === cid);
  }

  function request(
    method: string,
    pathAndQuery: string,
    cid: string,
    body?: string,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${app.url}${pathAndQuery}`,
        // A fresh connection each: the /throw case leaves its connection's parser unusable, as it would without us.
        { method, headers: { 'x-correlation-id': cid }, agent: false },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('body listeners run in the request trace: the call they make is a child of the server span', async () => {
    const res = await request('POST', '/body', 'body-1', 'x'.repeat(100_000));
    expect(JSON.parse(res.text)).toEqual({ bytes: 100_000, down: 204 });
    expect(res.headers['x-correlation-id']).toBe('body-1');
    const spans = await spansOf('body-1', 3);
    const server = spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/body')!;
    const client = spans.find((s) => s.kind === 'CLIENT')!;
    const inner = spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/status')!;
    expect(client.parentSpanId).toBe(server.spanId);
    expect(inner.parentSpanId).toBe(client.spanId);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(server.name).toBe('POST');
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': app.port,
      'client.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'http.response.status_code': 200,
    });
  });

  it('5xx is an error span, 4xx is not; secrets in the query are redacted', async () => {
    await request('GET', '/status?status=503&api_key=hunter2', 'status-503');
    await request('GET', '/status?status=404', 'status-404');
    const [failed] = await spansOf('status-503', 1);
    const [missing] = await spansOf('status-404', 1);
    expect(failed!.status.code).toBe('ERROR');
    expect(failed!.attributes['error.type']).toBe('503');
    expect(failed!.attributes['url.query']).toBe('status=503&api_key=REDACTED');
    expect(missing!.status.code).not.toBe('ERROR');
    expect(missing!.attributes['error.type']).toBeUndefined();
  });

  it('a handler that throws gives an error span with the exception; the app still answers', async () => {
    const res = await request('GET', '/throw', 'throw-1');
    expect(res.status).toBe(500);
    const [span] = await spansOf('throw-1', 1);
    expect(span!.status).toMatchObject({ code: 'ERROR', message: 'handler blew up' });
    expect(span!.attributes['error.type']).toBe('Error');
    expect(app.stderr()).toContain('app caught: handler blew up');
  });

  it('a client that goes away before the answer leaves an aborted span', async () => {
    await new Promise<void>((resolve) => {
      const req = http.get(`${app.url}/slow`, { headers: { 'x-correlation-id': 'abort-1' }, agent: false });
      req.on('error', () => {});
      req.on('close', () => resolve());
      setTimeout(() => req.destroy(), 200);
    });
    const [span] = await spansOf('abort-1', 1);
    expect(span!.attributes['error.type']).toBe('aborted');
  });

  it("server.address and server.port follow each request's Host header, also when it changes between requests", async () => {
    const hosts: [string, string, number | undefined][] = [
      ['a.example:81', 'a.example', 81],
      ['a.example:81', 'a.example', 81],
      ['b.example', 'b.example', 80],
      ['[::1]:8443', '::1', 8443],
      ['[::1]', '::1', 80],
      ['a.example:81', 'a.example', 81],
      ['c.example:x', 'c.example', undefined],
    ];
    for (const [i, [host]] of hosts.entries()) {
      await new Promise<void>((resolve, reject) => {
        const headers = { host, 'x-correlation-id': `host-${i}` };
        http
          .get(`${app.url}/status?status=204`, { agent: false, headers }, (res) => res.resume().on('end', resolve))
          .on('error', reject);
      });
    }
    for (const [i, [, address, port]] of hosts.entries()) {
      const [server] = await spansOf(`host-${i}`, 1);
      expect(server!.attributes['server.address'], `request ${i}`).toBe(address);
      expect(server!.attributes['server.port'], `request ${i}`).toBe(port);
    }
  });

  it('two traceparent header fields start a new trace (W3C Trace Context Level 2 §3.2)', async () => {
    const tp = (c: string) => `00-${c.repeat(32)}-${c.repeat(16)}-01`;
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(app.port, '127.0.0.1');
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.resume();
      socket.end(
        `GET /status?status=204 HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-correlation-id: dup-tp\r\n` +
          `traceparent: ${tp('a')}\r\ntraceparent: ${tp('b')}\r\n\r\n`,
      );
    });
    const [server] = await spansOf('dup-tp', 1);
    expect(server!.parentSpanId).toBe('');
    expect(['a'.repeat(32), 'b'.repeat(32)]).not.toContain(server!.traceId);
  });

  it('a gateway forwarding traceparent on fetch() sends one, with the random flag and tracestate kept', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await new Promise<string>((resolve, reject) => {
      http
        .get(
          `${app.url}/forward`,
          {
            agent: false,
            headers: {
              'x-correlation-id': 'fwd-1',
              traceparent: `00-${traceId}-00f067aa0ba902b7-03`,
              tracestate: 'congo=t61rcWkgMzE',
            },
          },
          (r) => {
            let text = '';
            r.on('data', (c: Buffer) => {
              text += c.toString();
            });
            r.on('end', () => resolve(text));
          },
        )
        .on('error', reject);
    });
    const received = JSON.parse(res) as { traceparent: string; tracestate: string };
    const spans = await spansOf('fwd-1', 3);
    const client = spans.find((s) => s.kind === 'CLIENT')!;
    // One value (Node joins repeated fields with ", "), naming the client span, flags sampled + random.
    expect(received.traceparent).toBe(`00-${traceId}-${client.spanId}-03`);
    expect(received.tracestate).toBe('congo=t61rcWkgMzE');
    const inner = spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/trace-headers')!;
    expect(inner.parentSpanId).toBe(client.spanId);
  });

  it('a request without traceparent starts a trace with the random flag set (Level 2 §3.2.2.5.2), and passes it on', async () => {
    const res = await fetch(`${app.url}/forward`, { headers: { 'x-correlation-id': 'root-random-1' } });
    const received = JSON.parse(await res.text()) as { traceparent: string };
    const spans = await spansOf('root-random-1', 3);
    const root = spans.find((s) => s.kind === 'SERVER' && s.parentSpanId === '')!;
    const client = spans.find((s) => s.kind === 'CLIENT')!;
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(received.traceparent).toBe(`00-${root.traceId}-${client.spanId}-03`);
  });

  it('an unknown method is named HTTP with _OTHER and the original method', async () => {
    await request('PURGE', '/', 'purge-1');
    const [span] = await spansOf('purge-1', 1);
    expect(span!.name).toBe('HTTP');
    expect(span!.attributes['http.request.method']).toBe('_OTHER');
    expect(span!.attributes['http.request.method_original']).toBe('PURGE');
  });
});

describe('HTTP server spans, not sampled', () => {
  let app: FixtureProcess;
  beforeAll(async () => {
    app = await startFixture(
      'cjs',
      { OTEL_SERVICE_NAME: 'plain', OTEL_TRACES_SAMPLER: 'always_off' },
      true,
      'plain-http',
    );
  });
  afterAll(() => app?.stop());

  it('still echoes the inbound correlation ID, and a generated one when there is none', async () => {
    const given = await fetch(`${app.url}/`, { headers: { 'x-correlation-id': 'unsampled-1' } });
    expect(given.headers.get('x-correlation-id')).toBe('unsampled-1');
    const generated = await fetch(`${app.url}/`);
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await fetch(`${app.url}/`, { headers: { 'x-correlation-id': 'bad value with spaces' } });
    expect(hostile.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
