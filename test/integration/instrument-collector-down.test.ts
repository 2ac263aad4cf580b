import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureProcess, startFixture } from '../support/instrument-process.ts';
import { freePort } from '../support/net.ts';
import { serviceUrls } from '../support/services.ts';

/** Drives `count` sequential-in-batches requests; returns the statuses. */
async function drive(url: string, count: number, concurrency = 20): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - i) }, () =>
      fetch(url, { signal: AbortSignal.timeout(5000) }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
        () => -1,
      ),
    );
    statuses.push(...(await Promise.all(batch)));
  }
  return statuses;
}

/** Heap in use after a full GC (the fixture runs with --expose-gc), bytes. */
async function heap(app: FixtureProcess): Promise<number> {
  return ((await (await fetch(`${app.url}/mem`)).json()) as { heapUsed: number }).heapUsed;
}

// Bounded memory: after a warm-up load fills the queue, a second equal load must not grow the heap further
// (an unbounded queue would keep every span: ~3000 spans x ~2 KB each).
const MAX_GROWTH = 2 * 1024 * 1024;

const bounded = {
  OTEL_BSP_MAX_QUEUE_SIZE: '256',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64',
  OTEL_EXPORTER_OTLP_TIMEOUT: '500',
  OTEL_BSP_EXPORT_TIMEOUT: '1000',
  NODE_OPTIONS: '--expose-gc',
};

describe('collector down', () => {
  it('closed port: the app keeps answering, memory stays bounded, one warning, no crash', async () => {
    const port = await freePort(); // nothing listens here
    const app = await startFixture('cjs', {
      ...bounded,
      ROLE: 'echo',
      OTEL_SERVICE_NAME: 'echo',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    });
    try {
      await drive(`${app.url}/echo`, 3000);
      const before = await heap(app);
      const statuses = await drive(`${app.url}/echo`, 3000);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      const after = await heap(app);
      expect(after - before).toBeLessThan(MAX_GROWTH);
      expect(app.child.exitCode).toBeNull();
      const warnings = app
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('msa-verify/instrument:'));
      expect(warnings.length).toBeGreaterThan(0);
      expect(warnings.length).toBeLessThanOrEqual(5);
      expect(app.stderr()).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
    } finally {
      await app.stop();
    }
  });

  describe('Toxiproxy timeout toxic in front of a receiver', () => {
    const toxiproxy = serviceUrls().TOXIPROXY_URL;
    const name = `msav-instrument-collector-${randomUUID().slice(0, 8)}`;
    let receiver: http.Server;
    let received = 0;
    let proxyPort = 0;
    beforeAll(async () => {
      receiver = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received++;
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      proxyPort = await freePort();
      const created = await fetch(`${toxiproxy}/proxies`, {
        method: 'POST',
        body: JSON.stringify({
          name,
          listen: `127.0.0.1:${proxyPort}`,
          upstream: `127.0.0.1:${(receiver.address() as AddressInfo).port}`,
        }),
      });
      expect(created.status).toBe(201);
    });
    afterAll(async () => {
      await fetch(`${toxiproxy}/proxies/${name}`, { method: 'DELETE' });
      receiver.close();
    });

    it('exports through the proxy, then keeps answering while the toxic swallows every export', async () => {
      const app = await startFixture('mjs', {
        ...bounded,
        ROLE: 'echo',
        OTEL_SERVICE_NAME: 'echo',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${proxyPort}`,
      });
      try {
        // Healthy path first: spans arrive at the receiver through the proxy.
        await drive(`${app.url}/echo`, 20);
        const deadline = Date.now() + 10_000;
        while (received === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(received).toBeGreaterThan(0);

        const toxic = await fetch(`${toxiproxy}/proxies/${name}/toxics`, {
          method: 'POST',
          body: JSON.stringify({ name: 'blackhole', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } }),
        });
        expect(toxic.ok).toBe(true);
        await drive(`${app.url}/echo`, 1000);
        const before = await heap(app);
        const started = Date.now();
        const statuses = await drive(`${app.url}/echo`, 3000);
        const elapsed = Date.now() - started;
        expect(statuses.filter((s) => s !== 200)).toEqual([]);
        expect(elapsed).toBeLessThan(60_000);
        const growth = (await heap(app)) - before;
        console.log(`heap growth under the toxic: ${growth} bytes`);
        expect(growth).toBeLessThan(MAX_GROWTH);
        expect(app.child.exitCode).toBeNull();
        expect(app.stderr()).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
      } finally {
        await app.stop();
      }
    });
  });

  it('broken config, an unwritable traces file and a taken metrics port degrade to warnings, once each', async () => {
    const taken = http.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const app = await startFixture('cjs', {
      ROLE: 'echo',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_RESOURCE_ATTRIBUTES: 'broken',
      MSA_VERIFY_TRACES_FILE: '/nonexistent-dir/spans.jsonl',
      MSA_VERIFY_METRICS_PORT: String((taken.address() as AddressInfo).port),
    });
    try {
      const statuses = await drive(`${app.url}/echo`, 300);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      await new Promise((r) => setTimeout(r, 500)); // let a few failed file exports happen
      const warnings = app
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('msa-verify/instrument:'));
      expect(warnings.some((w) => w.includes('OTEL_EXPORTER_OTLP_PROTOCOL'))).toBe(true);
      expect(warnings.some((w) => w.includes('OTEL_TRACES_SAMPLER'))).toBe(true);
      expect(warnings.some((w) => w.includes('metrics endpoint'))).toBe(true);
      expect(warnings.filter((w) => w.includes('ENOENT')).length).toBe(1);
      expect(new Set(warnings).size).toBe(warnings.length);
      expect(app.child.exitCode).toBeNull();
    } finally {
      await app.stop();
      taken.close();
    }
  });

  it('OTEL_SDK_DISABLED=true: no spans, no correlation header, the app works', async () => {
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/msav-off-`);
    const file = `${dir}/spans.jsonl`;
    const app = await startFixture('cjs', {
      ROLE: 'echo',
      OTEL_SDK_DISABLED: 'true',
      MSA_VERIFY_TRACES_FILE: file,
    });
    try {
      const res = await fetch(`${app.url}/echo`, { headers: { 'x-correlation-id': 'abc' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-correlation-id')).toBeNull();
      expect(await res.json()).toEqual({ cid: null });
      await app.stop();
      expect((await import('node:fs')).existsSync(file)).toBe(false);
      expect(app.stderr()).toBe('');
    } finally {
      await app.stop();
    }
  });
});
