import { mkdtempSync } from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORRELATION_ID_PATTERN } from '../../src/core/correlation-id.ts';
import { type FixtureProcess, readSpans, startFixture } from '../support/instrument-process.ts';
import { waitFor } from '../support/net.ts';

/** Raw GET with headers exactly as given (fetch would refuse the hostile ones). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    const socket = net.connect(Number(u.port), '127.0.0.1');
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    let data = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const text = data.toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const parsed: http.IncomingHttpHeaders = {};
      for (const l of headerLines)
        parsed[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      resolve({ status: Number(statusLine.split(' ')[1]), headers: parsed, body });
    });
    socket.write(
      `GET ${u.pathname} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`,
    );
  });
}

describe('hostile input to an instrumented service', () => {
  let app: FixtureProcess;
  let file: string;
  beforeAll(async () => {
    file = path.join(mkdtempSync(path.join(tmpdir(), 'msav-hostile-')), 'spans.jsonl');
    app = await startFixture('cjs', { ROLE: 'echo', OTEL_SERVICE_NAME: 'echo', MSA_VERIFY_TRACES_FILE: file });
  });
  afterAll(async () => {
    await app.stop();
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['empty', ''],
    ['unicode', 'ünïcødé-✓'],
    ['space', 'a b'],
    ['semicolon', 'a;b'],
  ])('replaces a %s correlation id and never echoes it', async (_label, value) => {
    const res = await rawGet(`${app.url}/echo`, { 'x-correlation-id': value });
    expect(res.status).toBe(200);
    const echoed = String(res.headers['x-correlation-id']);
    expect(echoed).not.toBe(value);
    expect(echoed).toMatch(CORRELATION_ID_PATTERN);
    expect(JSON.parse(res.body)).toEqual({ cid: echoed });
  });

  it('accepts x-request-id and a valid id of exactly 128 characters', async () => {
    const viaRequestId = await fetch(`${app.url}/echo`, { headers: { 'x-request-id': 'req.1:2+3/4=5-6_7' } });
    expect(viaRequestId.headers.get('x-correlation-id')).toBe('req.1:2+3/4=5-6_7');
    const long = 'b'.repeat(128);
    const res = await fetch(`${app.url}/echo`, { headers: { 'x-correlation-id': long } });
    expect(res.headers.get('x-correlation-id')).toBe(long);
  });

  it('never lets CR/LF through to a response header (obs-fold and bare CR)', async () => {
    // Node's parser rejects raw CR/LF in header values with 400 before the app; the preload must not crash either way.
    const res = await rawGet(`${app.url}/echo`, { 'x-correlation-id': 'abc\rSet-Cookie: evil=1' });
    expect(res.status).toBeLessThan(500);
    expect(res.headers['set-cookie']).toBeUndefined();
    const alive = await fetch(`${app.url}/echo`);
    expect(alive.status).toBe(200);
  });

  it('starts a new trace for malformed, all-zero, uppercase and version ff traceparents', async () => {
    const bad = [
      'garbage',
      '00-00000000000000000000000000000000-0000000000000000-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    ];
    for (const [i, traceparent] of bad.entries()) {
      const cid = `tp-${i}-${Date.now()}`;
      const res = await fetch(`${app.url}/echo`, { headers: { traceparent, 'x-correlation-id': cid } });
      expect(res.status).toBe(200);
      await waitFor(() => readSpans(file).some((s) => s.attributes['correlation.id'] === cid && s.kind === 'SERVER'));
      const server = readSpans(file).find((s) => s.attributes['correlation.id'] === cid && s.kind === 'SERVER')!;
      expect(server.parentSpanId, traceparent).toBe('');
      expect(server.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(server.traceId).not.toBe('00000000000000000000000000000000');
    }
    // Control: a valid traceparent is continued.
    const cid = `tp-ok-${Date.now()}`;
    await fetch(`${app.url}/echo`, {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x-correlation-id': cid },
    });
    await waitFor(() => readSpans(file).some((s) => s.attributes['correlation.id'] === cid && s.kind === 'SERVER'));
    const server = readSpans(file).find((s) => s.attributes['correlation.id'] === cid && s.kind === 'SERVER')!;
    expect(server.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(server.parentSpanId).toBe('00f067aa0ba902b7');
  });

  it('survives random correlation, request-id, traceparent and baggage headers: 0 crashes, 0 5xx', async () => {
    // Header values a client can actually send: visible ASCII, spaces, tabs, and bytes 0x80-0xff.
    const headerValue = fc.string({
      unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
      maxLength: 300,
    });
    let fiveHundreds = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          'x-correlation-id': headerValue,
          'x-request-id': headerValue,
          traceparent: fc.oneof(headerValue, fc.stringMatching(/^[0-9a-fA-F-]{55}$/)),
          baggage: headerValue,
        }),
        async (headers) => {
          const res = await rawGet(`${app.url}/echo`, headers);
          if (res.status >= 500) fiveHundreds++;
          if (res.status === 200) expect(String(res.headers['x-correlation-id'])).toMatch(CORRELATION_ID_PATTERN);
        },
      ),
      { numRuns: 300 },
    );
    expect(fiveHundreds).toBe(0);
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`${app.url}/echo`)).status).toBe(200);
  });
});
