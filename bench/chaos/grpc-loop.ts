// Child of bench/chaos/grpc-load-bench.ts. `ours`: msa-verify's generator with a
// grpc:// target (runClosedLoad: N workers, each sends the next call when the last
// answered). `plain`: the same N workers written directly on @grpc/grpc-js (one
// client, generated stub, callback API), the floor any generator on grpc-js has.
// Usage: node bench/chaos/grpc-loop.ts ours|plain ADDRESS WORKERS DURATION_MS. Prints JSON.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { customersClientConstructor, loadCustomersDefinition } from '../../examples/shop/shared/customers-proto.ts';

const [mode = 'ours', address = '', workers = '10', durationMs = '5000'] = process.argv.slice(2);
const proto = path.resolve(import.meta.dirname, '../../examples/shop/proto/customers.proto');

if (mode === 'ours') {
  type LoadModule = typeof import('../../src/chaos/load/index.js');
  const dist = path.resolve(import.meta.dirname, '../../dist/chaos/load/index.js');
  const load = (await import(pathToFileURL(dist).href)) as LoadModule;
  const r = await load.runClosedLoad({
    target: `grpc://${address}`,
    proto,
    requests: [{ method: 'POST', path: '/shop.customers.v1.Customers/GetCustomer', body: { id: 'c-1' } }],
    connections: Number(workers),
    durationMs: Number(durationMs),
  });
  process.stdout.write(`${JSON.stringify({ requests: r.requests, errors: r.errors, elapsedMs: r.elapsedMs })}\n`);
} else {
  const Client = customersClientConstructor(loadCustomersDefinition());
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as {
    GetCustomer(req: unknown, md: grpc.Metadata, cb: (e: grpc.ServiceError | null) => void): void;
  };
  let requests = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + Number(durationMs);
  const call = (): Promise<void> =>
    new Promise((resolve) => {
      const md = new grpc.Metadata();
      md.set('x-correlation-id', randomUUID());
      client.GetCustomer({ id: 'c-1' }, md, (e) => {
        if (e) errors++;
        requests++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: Number(workers) }, async () => {
      while (performance.now() < deadline) await call();
    }),
  );
  process.stdout.write(`${JSON.stringify({ requests, errors, elapsedMs: performance.now() - start })}\n`);
}
process.exit(0);
