// Instructions per request, counted by valgrind (cachegrind, no cache
// simulation), for the hello-world services of run.ts with no preload, the
// floor and msa-verify. Wall-clock throughput on these shared 2-core machines
// moves by up to 3x within seconds (docs/benchmarks.md); an instruction count
// does not depend on the machine's speed, so it can resolve differences of a
// few percent that run.ts cannot. Each mode runs twice, with `--from` and with
// `--to` requests (10 connections, autocannon): the difference divided by the
// extra requests is the per-request count of a warmed service, start-up and
// JIT warm-up cancelled out. Counts cover every thread of the service (the
// export worker too) and user space only: the kernel's work (loopback TCP)
// is not in them. The services run with V8's --single-threaded (no
// background compiler or GC threads): with them, valgrind's serialised
// threads spin in V8's waits, and counts of the same mode differed by up to
// 2.3x between runs; without them repeated runs agree within about 3%. Under
// valgrind a service runs about 50x slower, so what a preload does per second
// rather than per request (batch timers) weighs more per request than at full
// speed. Needs valgrind (`apt-get install valgrind`).
// With `--functions N` it also prints where the instructions per request go,
// from valgrind's per-function counts (the `to` run's minus the `from` run's):
// by kind of code (JIT-compiled JavaScript, V8 builtins and interpreter, the
// garbage collector, the rest of V8, libc, the rest) for every mode, the
// difference of msa-verify to the floor by kind, and the N functions with the
// largest difference (`--against MODE`: to that mode instead of the floor, for
// example a variant with one piece removed). With `--cache-sim`, valgrind also simulates the caches and
// the script prints misses per request (first-level instruction and data, last
// level), the part of CPU time that instruction counts do not show.
// Prints counts and ratios; asserts nothing.
// Usage: bash scripts/build && node bench/instrument/instructions.ts [--apps fastify,express] [--from 4000] [--to 10000] [--variant name=bench/.variants/name] [--functions 25] [--modes none,floor,msa-verify] [--cache-sim] [--against floor]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../../dist/core/net.js';

type Cannon = (opts: Record<string, unknown>) => Promise<{ non2xx: number; errors: number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: 'fastify,express' },
    from: { type: 'string', default: '4000' },
    to: { type: 'string', default: '10000' },
    variant: { type: 'string', multiple: true, default: [] },
    functions: { type: 'string' },
    'cache-sim': { type: 'boolean', default: false },
    modes: { type: 'string' },
    against: { type: 'string', default: 'floor' },
  },
});
const FROM = Number(values.from);
const TO = Number(values.to);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'msa-verify-instructions-'));

const MODES: Record<string, { args: string[]; env?: NodeJS.ProcessEnv }> = {
  none: { args: [] },
  floor: { args: ['--require', path.join(import.meta.dirname, 'floor-preload.cjs')] },
  'msa-verify': { args: ['--import', 'msa-verify/instrument'] },
  'msa-main': { args: ['--import', 'msa-verify/instrument'], env: { MSA_VERIFY_EXPORT_THREAD: 'main' } },
};
if (values.modes) {
  const keep = new Set(values.modes.split(','));
  for (const m of Object.keys(MODES)) if (!keep.has(m)) delete MODES[m];
}
for (const v of values.variant) {
  const eq = v.indexOf('=');
  if (eq < 1) throw new Error(`--variant ${v}: expected NAME=DIR`);
  MODES[v.slice(0, eq)] = {
    args: ['--import', pathToFileURL(path.resolve(ROOT, v.slice(eq + 1), 'instrument/preload.js')).href],
  };
}

// One receiver for every mode's OTLP batches.
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
// Ends the service on SIGTERM with a normal exit, so that valgrind writes its totals.
const exitOnTerm = path.join(TMP, 'exit-on-term.cjs');
writeFileSync(exitOnTerm, "process.on('SIGTERM', () => process.exit(0));\n");

/** Total instructions of a service that served `requests` requests after start-up, and its per-function file. */
async function instructions(
  mode: string,
  app: string,
  requests: number,
): Promise<{ total: number; cg: string; cache: Record<string, number> }> {
  const port = await freePort();
  const out = path.join(TMP, `${mode}-${app}-${requests}.txt`);
  const child = spawn(
    'valgrind',
    [
      '--tool=cachegrind',
      `--cache-sim=${values['cache-sim'] ? 'yes' : 'no'}`,
      '--smc-check=all-non-file',
      `--cachegrind-out-file=${out}.cg`,
      `--log-file=${out}`,
      process.execPath,
      '--single-threaded',
      '--require',
      exitOnTerm,
      ...MODES[mode]!.args,
      path.join(import.meta.dirname, app),
    ],
    {
      cwd: ROOT,
      stdio: 'ignore',
      env: {
        ...process.env,
        ...MODES[mode]!.env,
        PORT: String(port),
        NODE_OPTIONS: '',
        OTEL_SERVICE_NAME: `bench-${mode}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_TRACES_SAMPLER: 'always_on',
        // Batches sealed by count (512 spans), as under load at full speed; on the 1 s schedule a service
        // slowed down by valgrind would send a batch of about 150 spans every second, and how many depends on
        // how busy the machine is.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      },
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      http
        .get(url, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 1200) throw new Error(`${mode} ${app} did not answer under valgrind`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const result = await autocannon({ url, connections: 10, amount: requests });
  if (result.non2xx + result.errors > 0) throw new Error(`${mode} ${app}: errors during the load`);
  child.kill('SIGTERM');
  await exited;
  const log = readFileSync(out, 'utf8');
  const refs = /I\s+refs:\s+([\d,]+)/.exec(log);
  if (!refs) throw new Error(`${mode} ${app}: no instruction count in valgrind's output (${out})`);
  const cache: Record<string, number> = {};
  for (const [name, label] of CACHE_EVENTS) {
    const m = new RegExp(`${label}:\\s+([\\d,]+)`).exec(log);
    if (m) cache[name] = Number(m[1]!.replaceAll(',', ''));
  }
  return { total: Number(refs[1]!.replaceAll(',', '')), cg: `${out}.cg`, cache };
}

/** Cache events of cachegrind's simulation (`--cache-sim`): name, and its label in valgrind's summary. */
const CACHE_EVENTS: readonly (readonly [string, string])[] = [
  ['I1 misses', 'I1\\s+misses'],
  ['D refs', 'D\\s+refs'],
  ['D1 misses', 'D1\\s+misses'],
  ['LL misses', 'LL misses'],
];

/** Instructions by function (`file:function`) in a cachegrind output file. */
function byFunction(cg: string): Map<string, number> {
  const counts = new Map<string, number>();
  let file = '';
  let key = '';
  let sum = 0;
  const flush = () => {
    if (key) counts.set(key, (counts.get(key) ?? 0) + sum);
    sum = 0;
  };
  for (const line of readFileSync(cg, 'utf8').split('\n')) {
    if (line.startsWith('fl=')) {
      flush();
      file = line.slice(3);
      key = '';
    } else if (line.startsWith('fn=')) {
      flush();
      key = `${file}:${line.slice(3)}`;
    } else if (key && /^\d/.test(line)) {
      sum += Number(line.split(' ')[1]);
    }
  }
  flush();
  return counts;
}

/** The kind of code a function is, by its name. */
function kindOf(key: string): string {
  const fn = key.slice(key.indexOf(':') + 1);
  if (key === '???:???') return 'JIT-compiled JavaScript';
  if (fn.startsWith('Builtins_')) return 'V8 builtins and interpreter';
  if (
    /v8::internal::(Heap|Scaveng|MarkCompact|MinorMarkCompact|Sweeper|Evacuat|GCTracer|MemoryAllocator|PagedSpace|SemiSpace|NewSpace|ConcurrentMarking|MarkingVisitor|IncrementalMarking|LocalHeap|Factory::|MainAllocator|ArrayBufferSweeper)/.test(
      fn,
    )
  ) {
    return 'V8 garbage collection and allocation';
  }
  if (/^(v8::|Builtin_)/.test(fn)) return 'V8 runtime (other)';
  if (/libc|ld-linux/.test(key) || /^(mem|str|malloc|free|calloc|realloc|_int_|__memcpy|__memmove)/.test(fn)) {
    return 'libc';
  }
  if (/^(node::|uv_|uv__)/.test(fn)) return 'Node and libuv';
  return 'other';
}

console.log(`node ${process.version}; instructions per request between ${FROM} and ${TO} requests (10 connections)`);
const TOP = values.functions === undefined ? 0 : Number(values.functions);
for (const app of values.apps.split(',').map((a) => `${a}-hello.cjs`)) {
  const per: Record<string, number> = {};
  const cachePer: Record<string, Record<string, number>> = {};
  const functions: Record<string, Map<string, number>> = {};
  // Two modes at a time (each valgrind is single-threaded); the counts do not depend on the speed.
  const names = Object.keys(MODES);
  for (let i = 0; i < names.length; i += 2) {
    await Promise.all(
      names.slice(i, i + 2).map(async (mode) => {
        const a = await instructions(mode, app, FROM);
        const b = await instructions(mode, app, TO);
        per[mode] = (b.total - a.total) / (TO - FROM);
        cachePer[mode] = Object.fromEntries(
          Object.keys(b.cache).map((e) => [e, ((b.cache[e] ?? 0) - (a.cache[e] ?? 0)) / (TO - FROM)]),
        );
        if (TOP > 0) {
          const before = byFunction(a.cg);
          const after = byFunction(b.cg);
          const perFn = new Map<string, number>();
          for (const key of new Set([...before.keys(), ...after.keys()])) {
            perFn.set(key, ((after.get(key) ?? 0) - (before.get(key) ?? 0)) / (TO - FROM));
          }
          functions[mode] = perFn;
        }
      }),
    );
  }
  const added = (m: string) => per[m]! - (per.none ?? Number.NaN);
  console.log(`\n${app}`);
  for (const mode of names) {
    console.log(
      `  ${mode.padEnd(14)} ${(per[mode]! / 1000).toFixed(1).padStart(7)} k instructions/request${mode === 'none' ? '' : `, added ${(added(mode) / 1000).toFixed(1)} k, ${(added(mode) / added('floor')).toFixed(3)} of the floor's`}`,
    );
  }
  if (values['cache-sim']) {
    console.log(`  simulated cache events per request (${CACHE_EVENTS.map(([e]) => e).join(' / ')}):`);
    for (const mode of names) {
      const row = CACHE_EVENTS.map(([e]) => (cachePer[mode]?.[e] ?? Number.NaN).toFixed(0).padStart(7)).join(' ');
      console.log(`    ${mode.padEnd(14)} ${row}`);
    }
  }
  if (TOP > 0) printFunctions(functions);
}

/** Per-request instructions by kind of code for each mode, and where msa-verify differs from the floor (or `--against`). */
function printFunctions(functions: Record<string, Map<string, number>>): void {
  const modes = Object.keys(functions);
  const kinds = new Map<string, Record<string, number>>();
  for (const mode of modes) {
    for (const [key, n] of functions[mode]!) {
      const row = kinds.get(kindOf(key)) ?? {};
      row[mode] = (row[mode] ?? 0) + n;
      kinds.set(kindOf(key), row);
    }
  }
  const k = (n: number | undefined) => ((n ?? 0) / 1000).toFixed(1).padStart(7);
  console.log(`  by kind of code, k instructions/request: ${modes.join(' / ')}`);
  for (const [kind, row] of kinds) console.log(`    ${kind.padEnd(38)} ${modes.map((m) => k(row[m])).join(' ')}`);
  const against = values.against;
  const other = functions[against];
  if (!functions['msa-verify'] || !other) return;
  const diff = new Map<string, number>();
  for (const key of new Set([...functions['msa-verify'].keys(), ...other.keys()])) {
    diff.set(key, (functions['msa-verify'].get(key) ?? 0) - (other.get(key) ?? 0));
  }
  console.log(`  msa-verify minus ${against}, the ${TOP} largest differences by function (instructions/request):`);
  for (const [key, n] of [...diff].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, TOP)) {
    console.log(`    ${n.toFixed(0).padStart(7)}  ${kindOf(key).padEnd(38)} ${key.slice(0, 140)}`);
  }
}
receiver.close();
rmSync(TMP, { recursive: true, force: true });
