import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture } from '../support/instrument-process.ts';
import { waitFor } from '../support/net.ts';

interface Received {
  path: string;
  contentType: string;
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
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ])('%s sends spans to /v1/traces', async (protocol, contentType) => {
    received.length = 0;
    const app = await startFixture('cjs', {
      ROLE: 'echo',
      OTEL_SERVICE_NAME: `otlp-${protocol.replace('/', '-')}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    });
    try {
      const cid = `otlp-${Date.now()}`;
      await fetch(`${app.url}/echo`, { headers: { 'x-correlation-id': cid } });
      await waitFor(() => received.some((r) => r.body.includes(cid)));
      const hit = received.find((r) => r.body.includes(cid))!;
      expect(hit.path).toBe('/v1/traces');
      expect(hit.contentType).toContain(contentType);
      expect(hit.body.includes(`otlp-${protocol.replace('/', '-')}`)).toBe(true);
      if (protocol === 'http/json') {
        const doc = JSON.parse(hit.body.toString()) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
        expect(doc.resourceSpans[0]!.scopeSpans.length).toBeGreaterThan(0);
      }
    } finally {
      await app.stop();
    }
  });
});
