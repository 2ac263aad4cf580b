import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture } from '../support/instrument-process.ts';
import { waitFor } from '../support/net.ts';
import { ROOT } from '../support/services.ts';

interface Received {
  path: string;
  contentType: string;
  traceparent: string | undefined;
  body: Buffer;
}

describe('OTLP export to an in-test receiver', () => {
  const received: Received[] = [];
  let receiver: http.Server;
  let endpoint: string;
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          contentType: String(req.headers['content-type']),
          traceparent: req.headers.traceparent as string | undefined,
          body: Buffer.concat(chunks),
        });
        const json = String(req.headers['content-type']).includes('json');
        res
          .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
          .end(json ? '{}' : '');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    receiver.close();
  });

  it.each([
    ['http/protobuf', 'application/x-protobuf', 'worker'],
    ['http/protobuf', 'application/x-protobuf', 'main'],
    ['http/json', 'application/json', 'main'],
  ])('%s sends spans to /v1/traces as %s (export thread: %s)', async (protocol, contentType, thread) => {
    received.length = 0;
    const app = await startFixture('cjs', {
      ROLE: 'echo',
      OTEL_SERVICE_NAME: `otlp-${protocol.replace('/', '-')}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      MSA_VERIFY_EXPORT_THREAD: thread,
    });
    try {
      const cid = `otlp-${Date.now()}`;
      await fetch(`${app.url}/echo`, { headers: { 'x-correlation-id': cid } });
      await waitFor(() => received.some((r) => r.body.includes(cid)));
      const hit = received.find((r) => r.body.includes(cid))!;
      expect(hit.path).toBe('/v1/traces');
      expect(hit.contentType).toContain(contentType);
      // The export's own request is not traced, from either thread.
      expect(received.map((r) => r.traceparent)).toEqual(received.map(() => undefined));
      expect(hit.body.includes(`otlp-${protocol.replace('/', '-')}`)).toBe(true);
      if (protocol === 'http/json') {
        const doc = JSON.parse(hit.body.toString()) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
        expect(doc.resourceSpans[0]!.scopeSpans.length).toBeGreaterThan(0);
      }
    } finally {
      await app.stop();
    }
    expect(app.stderr()).not.toContain('export worker unavailable');
  });

  it('an app that ends by itself exits 0 after its spans went out through the export worker', async () => {
    received.length = 0;
    const script = [
      "const s = require('node:http').createServer((q, r) => r.end('ok'));",
      "s.listen(0, '127.0.0.1', async () => {",
      '  await (await fetch(`http://127.0.0.1:${s.address().port}/short-lived`)).text();',
      '  s.close();',
      '});',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'msa-verify/instrument', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, OTEL_SERVICE_NAME: 'short-lived', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(received.some((r) => r.body.includes('/short-lived'))).toBe(true);
  });
});
