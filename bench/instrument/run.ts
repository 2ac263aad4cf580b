// msa-verify's preload next to no preload and the stock
// @opentelemetry/auto-instrumentations-node/register, on the same hello-world
// express and fastify services, in one run: start-up to first response,
// throughput at saturation, p99 at a fixed rate. 100% sampling, OTLP
// http/protobuf batch export to a local receiver. The load runs also measure
// floor-preload.cjs, the least work any tracer does per request under these
// conditions, as a reference for what is reachable on the machine at hand, and
// msa-verify with MSA_VERIFY_EXPORT_THREAD=main (export on the app's thread)
// next to its default export worker.
// With --baseline DIR (a copy of an earlier build's dist/, inside this
// repository so that its packages resolve), that build's preload runs too, as
// `baseline`, interleaved with the others: before and after in one run.
// Prints ratios; asserts nothing.
// Usage: npm run build && node bench/instrument/run.ts [--startups 7] [--seconds 6] [--rounds 3] [--rate 1000] [--baseline dist/.baseline]
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../../dist/core/net.js';

interface CannonResult {
  requests: { average: number };
  latency: { p99: number; p50: number };
  non2xx: number;
  errors: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const { values } = parseArgs({
  options: {
    startups: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '6' },
    rate: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    baseline: { type: 'string' },
  },
});
const STARTUPS = Number(values.startups);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const ROOT = path.resolve(import.meta.dirname, '../..');

type Mode = 'none' | 'stock' | 'msa-verify' | 'msa-main' | 'floor' | 'baseline';
const BASELINE =
  values.baseline === undefined ? undefined : path.resolve(ROOT, values.baseline, 'instrument/preload.js');
const MODES: readonly Mode[] = ['none', 'stock', 'msa-verify'];
// Load runs only: floor-preload.cjs, the least any tracer must do per request here (see that file),
// and msa-main, msa-verify sending from the app's thread.
const LOAD_MODES: readonly Mode[] = [...MODES, 'msa-main', 'floor', ...(BASELINE ? (['baseline'] as const) : [])];
const byMode = <T>(make: () => T): Record<Mode, T> => ({
  none: make(),
  stock: make(),
  'msa-verify': make(),
  'msa-main': make(),
  floor: make(),
  baseline: make(),
});

// Local OTLP receiver: accepts and counts, answers an empty success.
let exported = 0;
const receiver = http.createServer((req, res) => {
  req.on('data', (c: Buffer) => {
    exported += c.length;
  });
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

function env(mode: Mode, port: number): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), NODE_OPTIONS: '' };
  if (mode === 'none') return base;
  return {
    ...(mode === 'msa-main' ? { MSA_VERIFY_EXPORT_THREAD: 'main' } : {}),
    ...base,
    OTEL_SERVICE_NAME: `bench-${mode}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_TRACES_SAMPLER: 'always_on',
  };
}

function args(mode: Mode, app: string): string[] {
  const file = path.join(import.meta.dirname, app);
  if (mode === 'stock') return ['--require', '@opentelemetry/auto-instrumentations-node/register', file];
  if (mode === 'msa-verify' || mode === 'msa-main') return ['--import', 'msa-verify/instrument', file];
  if (mode === 'baseline') return ['--import', pathToFileURL(BASELINE!).href, file];
  if (mode === 'floor') return ['--require', path.join(import.meta.dirname, 'floor-preload.cjs'), file];
  return [file];
}

async function start(mode: Mode, app: string): Promise<{ child: ChildProcess; url: string; ms: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const t0 = performance.now();
  const child = spawn(process.execPath, args(mode, app), { cwd: ROOT, env: env(mode, port), stdio: 'ignore' });
  for (let i = 0; i < 2000; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
    });
    if (ok) return { child, url, ms: performance.now() - t0 };
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill('SIGKILL');
  throw new Error(`${mode} ${app} did not answer`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** CPU seconds (user + system) the process has used, from /proc; undefined where there is no /proc. */
function cpuSeconds(pid: number | undefined, mainThreadOnly = false): number | undefined {
  try {
    const fields = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8')
      .split(') ')[1]!
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

console.log(`node ${process.version}, ${os.cpus().length} cpus, ${os.cpus()[0]?.model ?? ''}`);
console.log(
  `startups ${STARTUPS} (median), saturation ${CONNECTIONS} connections x ${SECONDS}s (median of ${ROUNDS} rounds), fixed rate ${RATE} req/s x ${SECONDS}s`,
);
const rows: string[] = [];
for (const app of ['express-hello.cjs', 'fastify-hello.cjs']) {
  const startup = byMode(() => 0);
  const rps = byMode(() => 0);
  const p99 = byMode(() => 0);
  const bytesPerRequest = byMode(() => 0);
  const cpuPerRequest = byMode(() => 0);
  const mainCpuPerRequest = byMode(() => 0);
  // Interleave modes so that machine noise hits all three alike.
  const times = byMode((): number[] => []);
  for (let i = 0; i < STARTUPS; i++) {
    for (const mode of MODES) {
      const s = await start(mode, app);
      times[mode].push(s.ms);
      await stop(s.child);
    }
  }
  for (const mode of MODES) startup[mode] = median(times[mode]);
  // Load rounds interleave the modes too; the median of each mode counts.
  const runs = byMode(() => ({
    rps: [] as number[],
    cpu: [] as number[],
    main: [] as number[],
    bytes: [] as number[],
  }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of LOAD_MODES) {
      const s = await start(mode, app);
      await autocannon({ url: s.url, connections: 10, duration: 1 }); // warm-up
      const before = exported;
      const cpu0 = cpuSeconds(s.child.pid);
      const main0 = cpuSeconds(s.child.pid, true);
      const sat = await autocannon({ url: s.url, connections: CONNECTIONS, duration: SECONDS });
      const cpu1 = cpuSeconds(s.child.pid);
      const main1 = cpuSeconds(s.child.pid, true);
      const requests = sat.requests.average * SECONDS;
      runs[mode].rps.push(sat.requests.average);
      runs[mode].cpu.push(cpu0 === undefined || cpu1 === undefined ? Number.NaN : ((cpu1 - cpu0) * 1e6) / requests);
      runs[mode].main.push(
        main0 === undefined || main1 === undefined ? Number.NaN : ((main1 - main0) * 1e6) / requests,
      );
      // Spans of the saturation run still in the service's batch are sent within its 1 s schedule.
      await new Promise((r) => setTimeout(r, 1500));
      runs[mode].bytes.push((exported - before) / requests);
      let errors = sat.non2xx + sat.errors;
      if (round === 0) {
        const fixed = await autocannon({ url: s.url, connections: 10, duration: SECONDS, overallRate: RATE });
        p99[mode] = fixed.latency.p99;
        errors += fixed.non2xx + fixed.errors;
      }
      if (errors > 0) console.log(`  ! ${mode}: errors during load`);
      await stop(s.child);
    }
  }
  for (const mode of LOAD_MODES) {
    rps[mode] = median(runs[mode].rps);
    cpuPerRequest[mode] = median(runs[mode].cpu);
    mainCpuPerRequest[mode] = median(runs[mode].main);
    bytesPerRequest[mode] = median(runs[mode].bytes);
  }
  const added = (m: Mode) => startup[m] - startup.none;
  console.log(`\n${app}`);
  for (const mode of LOAD_MODES) {
    const up = MODES.includes(mode) ? startup[mode].toFixed(0).padStart(5) : '    -';
    const each = runs[mode].rps.map((r) => r.toFixed(0)).join(' ');
    console.log(
      `  ${mode.padEnd(11)} start-up ${up} ms   ${rps[mode].toFixed(0).padStart(6)} req/s   p99@${RATE} ${p99[mode].toFixed(1).padStart(6)} ms   OTLP ${bytesPerRequest[mode].toFixed(0).padStart(4)} B/request   service CPU ${cpuPerRequest[mode].toFixed(1).padStart(5)} us/request (main thread ${mainCpuPerRequest[mode].toFixed(1).padStart(5)})   (req/s by round: ${each})`,
    );
  }
  const lines = [
    `start-up added: stock +${added('stock').toFixed(0)} ms, msa-verify +${added('msa-verify').toFixed(0)} ms, ratio msa-verify/stock ${(added('msa-verify') / added('stock')).toFixed(2)} (issue 22: <= 0.17)`,
    `throughput: msa-verify/none ${(rps['msa-verify'] / rps.none).toFixed(2)} (goal >= 0.85), stock/none ${(rps.stock / rps.none).toFixed(2)}, msa-verify/stock ${(rps['msa-verify'] / rps.stock).toFixed(2)}`,
    `p99 at ${RATE} req/s: none ${p99.none.toFixed(1)} ms, stock ${p99.stock.toFixed(1)} ms, msa-verify ${p99['msa-verify'].toFixed(1)} ms`,
    `floor (least work any tracer does here): floor/none ${(rps.floor / rps.none).toFixed(2)}, msa-verify/floor ${(rps['msa-verify'] / rps.floor).toFixed(2)} (issue 22: >= 0.95)`,
    ...(BASELINE
      ? [
          `baseline (${values.baseline}): msa-verify/baseline ${(rps['msa-verify'] / rps.baseline).toFixed(2)} req/s, baseline/floor ${(rps.baseline / rps.floor).toFixed(2)}, main-thread CPU ${mainCpuPerRequest['msa-verify'].toFixed(1)} against ${mainCpuPerRequest.baseline.toFixed(1)} us/request`,
        ]
      : []),
    `main-thread CPU added per request over none: msa-verify ${(mainCpuPerRequest['msa-verify'] - mainCpuPerRequest.none).toFixed(1)} us, floor ${(mainCpuPerRequest.floor - mainCpuPerRequest.none).toFixed(1)} us, ratio ${((mainCpuPerRequest['msa-verify'] - mainCpuPerRequest.none) / (mainCpuPerRequest.floor - mainCpuPerRequest.none)).toFixed(2)} (issue 22: <= 1.2)`,
    `p99 at ${RATE} req/s msa-verify/none ${(p99['msa-verify'] / Math.max(p99.none, 1)).toFixed(2)} (issue 22: <= 1.2; autocannon reports whole ms)`,
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (2 cores shared with the load generator, the receiver and other work)`,
    `export worker: msa-verify/msa-main ${(rps['msa-verify'] / rps['msa-main']).toFixed(2)} req/s, service CPU ${cpuPerRequest['msa-verify'].toFixed(1)} against ${cpuPerRequest['msa-main'].toFixed(1)} us/request, of it on the main thread ${mainCpuPerRequest['msa-verify'].toFixed(1)} against ${mainCpuPerRequest['msa-main'].toFixed(1)}`,
  ];
  for (const l of lines) console.log(`  ${l}`);
  rows.push(
    `| ${app.replace('-hello.cjs', '')} | ${startup.none.toFixed(0)} / ${startup.stock.toFixed(0)} / ${startup['msa-verify'].toFixed(0)} ms | ${(added('msa-verify') / added('stock')).toFixed(2)} | ${rps.none.toFixed(0)} / ${rps.stock.toFixed(0)} / ${rps['msa-verify'].toFixed(0)} / ${rps.floor.toFixed(0)} | ${(rps['msa-verify'] / rps.none).toFixed(2)} | ${(rps['msa-verify'] / rps.stock).toFixed(2)} | ${(rps.floor / rps.none).toFixed(2)} | ${(rps['msa-verify'] / rps.floor).toFixed(2)} | ${p99.none.toFixed(1)} / ${p99.stock.toFixed(1)} / ${p99['msa-verify'].toFixed(1)} ms |`,
  );
}
console.log(`\nexported ${(exported / 1024 / 1024).toFixed(1)} MiB of OTLP to the local receiver`);
console.log('\nMarkdown rows (none / stock / msa-verify, req/s also floor):');
for (const r of rows) console.log(r);
receiver.close();
