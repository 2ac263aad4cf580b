// gRPC load benchmark: msa-verify's generator with a grpc:// target against a
// plain @grpc/grpc-js client loop, on the same gRPC server (its own process),
// same workers and duration, closed model; each side in its own process, rounds
// in alternating order, medians and the ratio. Then the generator at a fixed
// rate (open model, as the chaos runner drives it): achieved rate and send lag.
// ghz (the Go gRPC load tool) runs too when it is found (`--ghz PATH`, or `ghz` on
// PATH; `go install github.com/bojand/ghz/cmd/ghz@v0.121.0`, not part of the set-up).
// Usage: npm run build && node bench/chaos/grpc-load-bench.ts [--workers 10] [--duration 5] [--rounds 3]
//          [--rate 1000] [--rate-duration 5] [--ghz PATH]
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');
const distLoad = path.join(root, 'dist/chaos/load/index.js');
if (!existsSync(distLoad)) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '10' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    'rate-duration': { type: 'string', default: '5' },
    ghz: { type: 'string', default: 'ghz' },
  },
});
const W = Number(values.workers);
const D = Number(values.duration);
const ROUNDS = Number(values.rounds);

function startServer(): Promise<{ proc: ChildProcess; address: string }> {
  const proc = spawn(process.execPath, [path.join(import.meta.dirname, 'grpc-hello-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.stdout!.once('data', (d: Buffer) => resolve({ proc, address: `127.0.0.1:${d.toString().trim()}` }));
  });
}

function side(mode: 'ours' | 'plain', address: string): number {
  const r = spawnSync(
    process.execPath,
    [path.join(import.meta.dirname, 'grpc-loop.ts'), mode, address, String(W), String(D * 1000)],
    { encoding: 'utf8', timeout: (D + 60) * 1000 },
  );
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    requests: number;
    errors: number;
    elapsedMs: number;
  };
  if (out.errors > 0) throw new Error(`${mode}: ${out.errors} failed calls`);
  return (out.requests * 1000) / out.elapsedMs;
}

/** ghz's calls/s with the same workers and duration; undefined when ghz is not installed. */
function ghz(address: string): number | undefined {
  const r = spawnSync(
    values.ghz!,
    [
      '--insecure',
      '--proto',
      path.join(root, 'examples/shop/proto/customers.proto'),
      '--call',
      'shop.customers.v1.Customers/GetCustomer',
      '-d',
      '{"id":"c-1"}',
      '-c',
      String(W),
      '-z',
      `${D}s`,
      '--format',
      'json',
      address,
    ],
    // ghz's JSON lists every call: a large buffer.
    { encoding: 'utf8', timeout: (D + 60) * 1000, maxBuffer: 512 * 1024 * 1024 },
  );
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  const out = JSON.parse(r.stdout) as { total: number; statusCodeDistribution?: Record<string, number> };
  // Calls in flight when -z ends are cut (UNAVAILABLE, "use of closed network connection"): count OK calls only.
  return ((out.statusCodeDistribution?.OK ?? 0) * 1e9) / out.total;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startServer();
try {
  console.log(
    `machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`1. throughput, closed model: ${W} workers, ${D} s, ${ROUNDS} rounds against ${server.address}`);
  const ours: number[] = [];
  const plain: number[] = [];
  const viaGhz: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const g = ghz(server.address);
    if (g !== undefined) viaGhz.push(g);
    if (i % 2 === 0) {
      ours.push(side('ours', server.address));
      plain.push(side('plain', server.address));
    } else {
      plain.push(side('plain', server.address));
      ours.push(side('ours', server.address));
    }
  }
  const fmt = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
  console.log(`   plain grpc-js loop       median ${Math.round(median(plain))} calls/s  (${fmt(plain)})`);
  console.log(`   msa-verify (grpc://)     median ${Math.round(median(ours))} calls/s  (${fmt(ours)})`);
  console.log(`   ratio msa-verify/plain   ${(median(ours) / median(plain)).toFixed(2)}`);
  if (viaGhz.length > 0) {
    console.log(`   ghz                      median ${Math.round(median(viaGhz))} calls/s  (${fmt(viaGhz)})`);
    console.log(`   ratio msa-verify/ghz     ${(median(ours) / median(viaGhz)).toFixed(2)}`);
  } else {
    console.log(`   ghz: not found (${values.ghz}); go install github.com/bojand/ghz/cmd/ghz@v0.121.0 to compare`);
  }

  type LoadModule = typeof import('../../src/chaos/load/index.js');
  const load = (await import(pathToFileURL(distLoad).href)) as LoadModule;
  const rate = Number(values.rate);
  const rateD = Number(values['rate-duration']);
  const samples = await load.runLoad({
    target: `grpc://${server.address}`,
    proto: path.join(root, 'examples/shop/proto/customers.proto'),
    requests: [{ method: 'POST', path: '/shop.customers.v1.Customers/GetCustomer', body: { id: 'c-1' } }],
    ratePerSec: rate,
    durationMs: rateD * 1000,
    timeoutMs: 5000,
  });
  const sent = samples.filter((s) => s.error !== 'dropped');
  const span = (Math.max(...sent.map((s) => s.startedAt)) - Math.min(...sent.map((s) => s.startedAt))) / 1000;
  const lag = sent.map((s) => s.startedAt - s.intendedAt).sort((a, b) => a - b);
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
  const failed = samples.filter((s) => s.status !== 200).length;
  console.log(`2. rate accuracy, open model: ${rate} calls/s for ${rateD} s`);
  console.log(
    `   sent ${sent.length}, failed ${failed}, achieved ${((sent.length - 1) / span).toFixed(1)} calls/s, send lag p50 ${pct(lag, 50).toFixed(2)} ms / p99 ${pct(lag, 99).toFixed(2)} ms`,
  );
} finally {
  server.proc.stdin?.end();
  server.proc.kill();
}
