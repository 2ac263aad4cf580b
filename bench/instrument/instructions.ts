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
// Prints counts and ratios; asserts nothing.
// Usage: bash scripts/build && node bench/instrument/instructions.ts [--apps fastify,express] [--from 4000] [--to 10000] [--variant name=bench/.variants/name]
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

/** Total instructions of a service that served `requests` requests after start-up. */
async function instructions(mode: string, app: string, requests: number): Promise<number> {
  const port = await freePort();
  const out = path.join(TMP, `${mode}-${app}-${requests}.txt`);
  const child = spawn(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
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
  const refs = /I\s+refs:\s+([\d,]+)/.exec(readFileSync(out, 'utf8'));
  if (!refs) throw new Error(`${mode} ${app}: no instruction count in valgrind's output (${out})`);
  return Number(refs[1]!.replaceAll(',', ''));
}

console.log(`node ${process.version}; instructions per request between ${FROM} and ${TO} requests (10 connections)`);
for (const app of values.apps.split(',').map((a) => `${a}-hello.cjs`)) {
  const per: Record<string, number> = {};
  // Two modes at a time (each valgrind is single-threaded); the counts do not depend on the speed.
  const names = Object.keys(MODES);
  for (let i = 0; i < names.length; i += 2) {
    await Promise.all(
      names.slice(i, i + 2).map(async (mode) => {
        const a = await instructions(mode, app, FROM);
        const b = await instructions(mode, app, TO);
        per[mode] = (b - a) / (TO - FROM);
      }),
    );
  }
  const added = (m: string) => per[m]! - per.none!;
  console.log(`\n${app}`);
  for (const mode of names) {
    console.log(
      `  ${mode.padEnd(14)} ${(per[mode]! / 1000).toFixed(1).padStart(7)} k instructions/request${mode === 'none' ? '' : `, added ${(added(mode) / 1000).toFixed(1)} k, ${(added(mode) / added('floor')).toFixed(3)} of the floor's`}`,
    );
  }
}
receiver.close();
rmSync(TMP, { recursive: true, force: true });
