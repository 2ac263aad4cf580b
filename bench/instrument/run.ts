// msa-verify's preload next to no preload and the stock
// @opentelemetry/auto-instrumentations-node/register, on the same hello-world
// express and fastify services, in one run: start-up to first response,
// throughput at saturation, p99 at a fixed rate. 100% sampling, OTLP
// http/protobuf batch export to a local receiver (one per mode, so that each
// mode's OTLP bytes per request show). The load runs also measure
// floor-preload.cjs, the least work any tracer does per request under these
// conditions, as a reference for what is reachable on the machine at hand, and
// msa-verify with MSA_VERIFY_EXPORT_THREAD=main (export on the app's thread)
// next to its default export worker.
//
// This machine's speed is not steady for minutes at a time, so the load runs
// interleave finely: every mode's service runs for the whole app, and each
// cycle gives each mode one short slice of load in turn (the order rotates),
// so a slow spell hits all modes alike; ratios are taken per cycle and their
// median printed. CPU time comes from /proc/<pid>/task/*/schedstat
// (nanoseconds; the main thread alone and all threads), both over the slices
// at saturation (where the main thread is busy all the time, so its CPU per
// request is about the inverse of the throughput) and over the slices at the
// fixed rate (where it is not). The fixed-rate p99 is
// measured by this script's own open-loop client with microsecond resolution
// (autocannon's histogram keeps whole milliseconds).
// Each mode's service is one process for a run of cycles, and two processes of
// the same build differ by about 10% in CPU per request (each compiles its
// hot code its own way: docs/benchmarks.md, "Four processes of one build"), so
// --processes K starts every service K times in turn, splitting the cycles
// between them; the figures are pooled over all processes, and the CPU added
// per request is also printed per process.
// With --baseline DIR (a copy of an earlier build's dist/, inside this
// repository so that its packages resolve), that build's preload runs too, as
// `baseline`: before and after in one run. --variant NAME=DIR (repeatable) adds
// more such builds, for example the preload with one piece removed.
// Prints ratios; asserts nothing.
// Usage: npm run build && node bench/instrument/run.ts [--startups 7] [--cycles 10] [--processes 1] [--slice 1] [--rate 1000] [--baseline dist/.baseline] [--variant name=bench/.variants/name]
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../../dist/core/net.js';

interface CannonResult {
  requests: { total: number };
  /** Seconds the run really lasted: autocannon ends it at its next whole-second tick. */
  duration: number;
  non2xx: number;
  errors: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const { values } = parseArgs({
  options: {
    startups: { type: 'string', default: '7' },
    cycles: { type: 'string', default: '10' },
    processes: { type: 'string', default: '1' },
    slice: { type: 'string', default: '1' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '50' },
    apps: { type: 'string', default: 'express,fastify' },
    modes: { type: 'string', default: 'none,stock,msa-verify,msa-main,floor' },
    baseline: { type: 'string' },
    variant: { type: 'string', multiple: true, default: [] },
  },
});
const STARTUPS = Number(values.startups);
const CYCLES = Number(values.cycles);
const PROCESSES = Math.max(1, Math.min(CYCLES, Number(values.processes)));
const SLICE = Number(values.slice);
const RATE = Number(values.rate);
const CONNECTIONS = Number(values.connections);
const ROOT = path.resolve(import.meta.dirname, '../..');

type Mode = string;
// Earlier or altered builds of the preload, by mode name: dist/ copies given with --baseline and --variant.
const BUILDS = new Map<Mode, string>();
if (values.baseline !== undefined) BUILDS.set('baseline', values.baseline);
for (const v of values.variant) {
  const eq = v.indexOf('=');
  if (eq < 1) throw new Error(`--variant ${v}: expected NAME=DIR`);
  BUILDS.set(v.slice(0, eq), v.slice(eq + 1));
}
// --modes picks from these; none, msa-verify and floor are always run (the goals are judged on them).
const KNOWN = ['none', 'stock', 'msa-verify', 'msa-main', 'floor'];
const PICKED = new Set(['none', 'msa-verify', 'floor', ...values.modes.split(',')]);
for (const m of PICKED)
  if (!KNOWN.includes(m)) throw new Error(`--modes: unknown mode ${m}; known: ${KNOWN.join(', ')}`);
// Start-up is measured for these.
const MODES: readonly Mode[] = ['none', 'stock', 'msa-verify'].filter((m) => PICKED.has(m));
// Load runs add floor-preload.cjs, the least any tracer must do per request here (see that file),
// msa-main, msa-verify sending from the app's thread, and the builds above.
const LOAD_MODES: readonly Mode[] = [...KNOWN.filter((m) => PICKED.has(m)), ...BUILDS.keys()];
const byMode = <T>(make: () => T): Record<Mode, T> => Object.fromEntries(LOAD_MODES.map((m) => [m, make()]));

/** A local OTLP receiver: accepts and counts bytes, answers an empty success. */
async function receiver(): Promise<{ endpoint: string; bytes: () => number; close: () => void }> {
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes: () => bytes,
    close: () => server.close(),
  };
}

function env(mode: Mode, port: number, endpoint: string): NodeJS.ProcessEnv {
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
  const build = BUILDS.get(mode);
  if (build !== undefined)
    return ['--import', pathToFileURL(path.resolve(ROOT, build, 'instrument/preload.js')).href, file];
  if (mode === 'floor') return ['--require', path.join(import.meta.dirname, 'floor-preload.cjs'), file];
  return [file];
}

interface Started {
  child: ChildProcess;
  url: string;
  ms: number;
}

async function start(mode: Mode, app: string, endpoint: string): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const t0 = performance.now();
  const child = spawn(process.execPath, args(mode, app), {
    cwd: ROOT,
    env: env(mode, port, endpoint),
    stdio: 'ignore',
  });
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

/** Nanoseconds on CPU of the process's main thread and of all its threads (schedstat), or NaN without /proc. */
function cpuNs(pid: number | undefined): { main: number; all: number } {
  const run = (file: string) => Number(readFileSync(file, 'utf8').split(' ')[0]);
  try {
    let all = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        all += run(`/proc/${pid}/task/${tid}/schedstat`);
      } catch {
        // a thread that ended in between
      }
    }
    return { main: run(`/proc/${pid}/task/${pid}/schedstat`), all };
  } catch {
    return { main: Number.NaN, all: Number.NaN };
  }
}

/**
 * Open-loop load at `rate` req/s for `seconds` over up to `connections` keep-alive sockets; returns each
 * request's latency in microseconds (from the moment it was issued to the end of its response) and the errors.
 */
function fixedRate(
  url: string,
  rate: number,
  seconds: number,
  connections: number,
): Promise<{ us: number[]; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.round(rate * seconds);
  const us: number[] = [];
  let errors = 0;
  let sent = 0;
  let finished = 0;
  return new Promise((resolve) => {
    const done = () => {
      if (++finished === total) {
        agent.destroy();
        resolve({ us, errors });
      }
    };
    const issue = () => {
      const t0 = performance.now();
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) us.push((performance.now() - t0) * 1000);
          else errors++;
          done();
        });
      });
      req.on('error', () => {
        errors++;
        done();
      });
    };
    const began = performance.now();
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - began) * rate) / 1000) + 1);
      while (sent < due) {
        sent++;
        issue();
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? Number.NaN;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
const rotate = <T>(xs: readonly T[], n: number) => [...xs.slice(n % xs.length), ...xs.slice(0, n % xs.length)];

console.log(`node ${process.version}, ${os.cpus().length} cpus, ${os.cpus()[0]?.model ?? ''}`);
console.log(
  `startups ${STARTUPS} (median); ${CYCLES} cycles over ${PROCESSES} process(es) per mode, each cycle giving every mode ${SLICE} s at saturation (${CONNECTIONS} connections, autocannon) and ${SLICE} s at ${RATE} req/s (10 connections, open loop)`,
);
console.log(
  `load average at start ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const rows: string[] = [];
for (const app of values.apps.split(',').map((a) => `${a}-hello.cjs`)) {
  const receivers = byMode(() => undefined as Awaited<ReturnType<typeof receiver>> | undefined);
  for (const mode of LOAD_MODES) receivers[mode]! = await receiver();
  const endpointOf = (mode: Mode) => receivers[mode]!.endpoint;

  // Start-up: spawn to first 200, modes interleaved, median.
  const times = byMode((): number[] => []);
  for (let i = 0; i < STARTUPS; i++) {
    for (const mode of MODES) {
      const s = await start(mode, app, endpointOf(mode));
      times[mode]!.push(s.ms);
      await stop(s.child);
    }
  }
  const startup = byMode(() => 0);
  for (const mode of MODES) startup[mode]! = median(times[mode]!);

  // Load: all services up at once, warmed, then slices in turn; with --processes, again with new processes.
  const requests = byMode(() => 0);
  const rps = byMode((): number[] => []);
  const cpu = byMode(() => ({ main: 0, all: 0, requests: 0 }));
  // The same at the fixed rate, where the main thread is not saturated: the work per request without contention.
  const cpuFixed = byMode(() => ({ main: 0, requests: 0 }));
  const latencies = byMode((): number[] => []);
  const errors = byMode(() => 0);
  // Main-thread CPU per request at saturation, by process (ns and requests of each).
  const byProcess = byMode((): { main: number; requests: number }[] => []);
  let cycle = 0;
  for (let generation = 0; generation < PROCESSES; generation++) {
    const services = byMode(() => undefined as Started | undefined);
    for (const mode of LOAD_MODES) {
      services[mode]! = await start(mode, app, endpointOf(mode));
      for (let i = 0; i < 2; i++) {
        const warm = await autocannon({ url: services[mode]!.url, connections: 10, duration: 1 });
        requests[mode]! += warm.requests.total;
      }
      byProcess[mode]!.push({ main: 0, requests: 0 });
    }
    const until = Math.round((CYCLES * (generation + 1)) / PROCESSES);
    for (; cycle < until; cycle++) {
      for (const mode of rotate(LOAD_MODES, cycle)) {
        const s = services[mode]!;
        const before = cpuNs(s.child.pid);
        const sat = await autocannon({ url: s.url, connections: CONNECTIONS, duration: SLICE });
        const after = cpuNs(s.child.pid);
        rps[mode]!.push(sat.requests.total / sat.duration);
        cpu[mode]!.main += after.main - before.main;
        cpu[mode]!.all += after.all - before.all;
        cpu[mode]!.requests += sat.requests.total;
        byProcess[mode]!.at(-1)!.main += after.main - before.main;
        byProcess[mode]!.at(-1)!.requests += sat.requests.total;
        requests[mode]! += sat.requests.total;
        errors[mode]! += sat.non2xx + sat.errors;
      }
      for (const mode of rotate(LOAD_MODES, cycle)) {
        const before = cpuNs(services[mode]!.child.pid);
        const fixed = await fixedRate(services[mode]!.url, RATE, SLICE, 10);
        const after = cpuNs(services[mode]!.child.pid);
        cpuFixed[mode]!.main += after.main - before.main;
        cpuFixed[mode]!.requests += fixed.us.length;
        latencies[mode]!.push(...fixed.us);
        requests[mode]! += fixed.us.length;
        errors[mode]! += fixed.errors;
      }
    }
    // Spans still in a batch go out within the services' 1 s schedule.
    await new Promise((r) => setTimeout(r, 2000));
    for (const mode of LOAD_MODES) await stop(services[mode]!.child);
  }

  // A mode left out with --modes reads as NaN.
  const missing = { main: Number.NaN, all: Number.NaN, requests: 1 };
  const per = (m: Mode) => (cpu[m] ?? missing).main / (cpu[m] ?? missing).requests / 1000;
  const perAll = (m: Mode) => (cpu[m] ?? missing).all / (cpu[m] ?? missing).requests / 1000;
  const perFixed = (m: Mode) => (cpuFixed[m] ?? missing).main / (cpuFixed[m] ?? missing).requests / 1000;
  const fixedAdded = (m: Mode) => perFixed(m) - perFixed('none');
  const p99 = (m: Mode) => quantile(latencies[m] ?? [], 0.99) / 1000;
  const p50 = (m: Mode) => quantile(latencies[m] ?? [], 0.5) / 1000;
  const ratios = (a: Mode, b: Mode) => (rps[a] ?? []).map((r, i) => r / (rps[b]?.[i] ?? Number.NaN));
  const med = (m: Mode) => median(rps[m] ?? []);
  const added = (m: Mode) => (startup[m] ?? Number.NaN) - (startup.none ?? Number.NaN);
  const mainAdded = (m: Mode) => per(m) - per('none');

  console.log(`\n${app}`);
  for (const mode of LOAD_MODES) {
    const up = MODES.includes(mode) ? startup[mode]!.toFixed(0).padStart(5) : '    -';
    const bytes = mode === 'none' ? 0 : receivers[mode]!.bytes() / requests[mode]!;
    console.log(
      `  ${mode.padEnd(10)} start-up ${up} ms  ${med(mode).toFixed(0).padStart(6)} req/s  p50/p99@${RATE} ${p50(mode).toFixed(3)}/${p99(mode).toFixed(3)} ms  OTLP ${bytes.toFixed(0).padStart(3)} B/req  CPU ${perAll(mode).toFixed(1).padStart(5)} us/req (main thread ${per(mode).toFixed(1).padStart(5)})${errors[mode]! > 0 ? `  ! ${errors[mode]!} errors` : ''}  (req/s by cycle: ${rps[mode]!.map((r) => r.toFixed(0)).join(' ')})`,
    );
  }
  const vsFloor = ratios('msa-verify', 'floor');
  const lines = [
    `start-up added: stock +${added('stock').toFixed(0)} ms, msa-verify +${added('msa-verify').toFixed(0)} ms, ratio msa-verify/stock ${(added('msa-verify') / added('stock')).toFixed(3)} (issue 22: <= 0.167)`,
    `throughput, median of per-cycle ratios: msa-verify/floor ${median(vsFloor).toFixed(2)} (range ${range(vsFloor)}; issue 22: >= 0.95), msa-verify/none ${median(ratios('msa-verify', 'none')).toFixed(2)}, floor/none ${median(ratios('floor', 'none')).toFixed(2)}, msa-verify/stock ${median(ratios('msa-verify', 'stock')).toFixed(2)}, msa-main/msa-verify ${median(ratios('msa-main', 'msa-verify')).toFixed(2)}`,
    ...[...BUILDS].map(
      ([name, dir]) =>
        `${name} (${dir}): msa-verify/${name} ${median(ratios('msa-verify', name)).toFixed(2)} (range ${range(ratios('msa-verify', name))}), ${name}/floor ${median(ratios(name, 'floor')).toFixed(2)}, main-thread CPU added ${mainAdded(name).toFixed(2)} us against msa-verify's ${mainAdded('msa-verify').toFixed(2)}`,
    ),
    `main-thread CPU added per request over none: msa-verify ${mainAdded('msa-verify').toFixed(2)} us, floor ${mainAdded('floor').toFixed(2)} us, ratio ${(mainAdded('msa-verify') / mainAdded('floor')).toFixed(2)} at saturation (issue 22: <= 1.2); at ${RATE} req/s: msa-verify ${fixedAdded('msa-verify').toFixed(2)} us, floor ${fixedAdded('floor').toFixed(2)} us, ratio ${(fixedAdded('msa-verify') / fixedAdded('floor')).toFixed(2)} (main thread per request: ${LOAD_MODES.map((m) => `${m} ${perFixed(m).toFixed(1)}`).join(', ')} us)`,
    ...(PROCESSES > 1
      ? [
          `main-thread CPU added at saturation by process (us; none's process of the same turn subtracted): ${LOAD_MODES.filter(
            (m) => m !== 'none',
          )
            .map(
              (m) =>
                `${m} ${byProcess[m]!.map(
                  (x, i) => x.main / x.requests / 1000 - byProcess.none![i]!.main / byProcess.none![i]!.requests / 1000,
                )
                  .map((v) => v.toFixed(1))
                  .join(' ')}`,
            )
            .join('; ')}`,
        ]
      : []),
    `p99 at ${RATE} req/s: msa-verify/none ${(p99('msa-verify') / p99('none')).toFixed(2)} (issue 22: <= 1.2), floor/none ${(p99('floor') / p99('none')).toFixed(2)}, stock/none ${(p99('stock') / p99('none')).toFixed(2)}`,
    `load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (the load generator, the receivers and every mode's idle service share the cores)`,
  ];
  for (const l of lines) console.log(`  ${l}`);
  rows.push(
    `| ${app.replace('-hello.cjs', '')} | ${(added('msa-verify') / added('stock')).toFixed(2)} | ${med('none').toFixed(0)} / ${med('stock').toFixed(0)} / ${med('msa-verify').toFixed(0)} / ${med('floor').toFixed(0)} | ${median(vsFloor).toFixed(2)} (${range(vsFloor)}) | ${mainAdded('msa-verify').toFixed(2)} / ${mainAdded('floor').toFixed(2)} us (${(mainAdded('msa-verify') / mainAdded('floor')).toFixed(2)}) | ${p99('none').toFixed(3)} / ${p99('stock').toFixed(3)} / ${p99('msa-verify').toFixed(3)} / ${p99('floor').toFixed(3)} ms (${(p99('msa-verify') / p99('none')).toFixed(2)}) |`,
  );
  for (const mode of LOAD_MODES) receivers[mode]!.close();
}
console.log(
  '\nMarkdown rows: app | start-up added msa-verify/stock | req/s none / stock / msa-verify / floor | msa-verify/floor (range) | main-thread CPU added msa-verify / floor (ratio) | p99 none / stock / msa-verify / floor (msa-verify/none)',
);
for (const r of rows) console.log(r);
