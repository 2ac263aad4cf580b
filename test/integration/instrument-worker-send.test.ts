import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { protobufTransport } from '../../src/instrument/export/otlp-transport.ts';
import { WorkerSend } from '../../src/instrument/export/worker-send.ts';
import { ROOT } from '../support/services.ts';

// The export worker as built (dist/instrument/export/export-worker.js), against a real receiver on 127.0.0.1.
const WORKER = pathToFileURL(path.join(ROOT, 'dist/instrument/export/export-worker.js'));
const require = createRequire(path.join(ROOT, 'package.json'));

describe('WorkerSend: OTLP requests sent from the export worker', () => {
  const bodies: Buffer[] = [];
  let status = 200;
  let receiver: http.Server;
  let url: string;
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  });
  afterAll(() => {
    receiver.close();
  });
  beforeEach(() => {
    bodies.length = 0;
    status = 200;
  });

  const make = (workerFile: URL, warnings: string[]) =>
    new WorkerSend({ url, workerFile, fallback: () => protobufTransport(require, url), warn: (m) => warnings.push(m) });

  it('delivers the exact bytes from the worker thread', async () => {
    const warnings: string[] = [];
    const sender = make(WORKER, warnings);
    const body = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    await sender.send({ body, count: 3 });
    await sender.send({ body: Uint8Array.of(1, 2, 3), count: 1 });
    // A body in shared memory, as the encoding processor makes them.
    const shared = new Uint8Array(new SharedArrayBuffer(70_000)).map((_, i) => (i * 7) % 253);
    await sender.send({ body: shared, count: 3 });
    expect(bodies.map((b) => b.length)).toEqual([70_000, 3, 70_000]);
    expect(bodies[0]!.equals(Buffer.from(body))).toBe(true);
    expect(bodies[2]!.equals(Buffer.from(shared.buffer))).toBe(true);
    expect(body[1]).toBe(1); // copied to the worker, not transferred away
    expect(sender.onMainThread).toBe(false);
    expect(warnings).toEqual([]);
    await sender.close();
  });

  it('a rejected export fails with the collector error from the worker', async () => {
    status = 400;
    const sender = make(WORKER, []);
    await expect(sender.send({ body: Uint8Array.of(9), count: 1 })).rejects.toThrow(/Bad Request/);
    expect(sender.onMainThread).toBe(false);
    await sender.close();
  });

  it('a worker that cannot start: one warning, and the batch goes out from the main thread', async () => {
    const warnings: string[] = [];
    const sender = make(pathToFileURL(path.join(ROOT, 'dist/instrument/export/no-such-worker.js')), warnings);
    await sender.send({ body: Uint8Array.of(4, 5), count: 1 });
    await sender.send({ body: Uint8Array.of(6), count: 1 });
    expect(bodies.map((b) => [...b])).toEqual([[4, 5], [6]]);
    expect(sender.onMainThread).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('export worker unavailable')]);
    await sender.close();
  });

  it('a worker that dies with a batch in flight: that batch is sent again from the main thread', async () => {
    const warnings: string[] = [];
    const sender = make(pathToFileURL(path.join(ROOT, 'test/fixtures/instrument/dying-export-worker.mjs')), warnings);
    // In shared memory, as the encoding processor hands batches over: still readable here after the worker died.
    const body = new Uint8Array(new SharedArrayBuffer(3)).fill(7);
    await sender.send({ body, count: 1 });
    expect(bodies.map((b) => [...b])).toEqual([[7, 7, 7]]);
    expect(warnings).toEqual([expect.stringMatching(/export worker unavailable \(exit code 3\)/)]);
    await sender.close();
  });
});
