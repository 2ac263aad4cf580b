// Load generator benchmark, all in one run against one local hello-world server
// (a separate process):
//   1. throughput: wrk, autocannon and the built-in generator (closed model), same
//      connections and duration, each as its own process; prints req/s and ratios.
//   2. rate accuracy: the built-in generator at a fixed target rate (open model),
//      with its raw client (runLoad's default), node:http and fetch/undici, next to
//      autocannon's --overallRate; achieved rate and send lag.
//   3. Toxiproxy overhead: the same fixed-rate load direct and through a proxy
//      with no toxics on the shared Toxiproxy (a uniquely named proxy, deleted after).
// Usage: npm run build && node bench/chaos/load-bench.ts [--connections 10] [--duration 5]
//          [--rate 2000] [--rate-duration 10] [--toxiproxy http://127.0.0.1:8474]
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

type LoadModule = typeof import('../../src/chaos/load/index.js');
type Sample = import('../../src/chaos/load/types.js').RequestSample;

const root = path.resolve(import.meta.dirname, '../..');
const distLoad = path.join(root, 'dist/chaos/load/index.js');
if (!existsSync(distLoad)) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const load = (await import(pathToFileURL(distLoad).href)) as LoadModule;

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '5' },
    rate: { type: 'string', default: '2000' },
    'rate-duration': { type: 'string', default: '10' },
    toxiproxy: { type: 'string', default: 'http://127.0.0.1:8474' },
    rounds: { type: 'string', default: '3' },
  },
});
const C = Number(values.connections);
const D = Number(values.duration);
const RATE = Number(values.rate);
const RATE_D = Number(values['rate-duration']);
const ROUNDS = Number(values.rounds);
const node = process.execPath;

function startHello(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(node, [path.join(import.meta.dirname, 'hello-server.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.stdout!.once('data', (d: Buffer) => resolve({ proc, url: `http://127.0.0.1:${d.toString().trim()}` }));
  });
}

function run(cmd: string, args: string[]): { ok: boolean; out: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: (D + 60) * 1000 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, missing };
}

function wrkRps(url: string, connections: number, seconds: number): number | undefined {
  const r = run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, url]);
  if (r.missing) {
    console.log('wrk not found: install the Debian package (`apt-get install wrk`); skipping wrk.');
    return undefined;
  }
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.out);
  if (!m) throw new Error(`cannot read wrk output:\n${r.out}`);
  return Number(m[1]);
}

const autocannonBin = path.join(root, 'node_modules/autocannon/autocannon.js');
function autocannon(url: string, args: string[]): { rps: number; total: number; p50: number; p99: number } {
  const r = run(node, [autocannonBin, ...args, '-j', url]);
  const json = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
    duration: number;
  };
  return {
    rps: json.requests.total / json.duration,
    total: json.requests.total,
    p50: json.latency.p50,
    p99: json.latency.p99,
  };
}

function ours(url: string, connections: number, seconds: number, client = 'raw'): number {
  const script = path.join(import.meta.dirname, 'closed-load.ts');
  const r = run(node, [script, url, String(connections), String(seconds * 1000), client]);
  if (!r.ok) throw new Error(`built-in generator failed:\n${r.out}`);
  const out = JSON.parse(r.out) as { rps: number; errors: number; requests: number };
  if (out.errors > 0) throw new Error(`built-in generator saw ${out.errors} errors of ${out.requests} requests`);
  return out.rps;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

interface RateResult {
  sent: number;
  achieved: number;
  errorPct: number;
  lagP50: number;
  lagP99: number;
  svcP50: number;
  svcP99: number;
}

function rateResult(samples: Sample[], rate: number): RateResult {
  const first = samples[0]!.intendedAt;
  const lastStart = Math.max(...samples.map((s) => s.startedAt));
  const lags = samples.map((s) => s.startedAt - s.intendedAt).sort((a, b) => a - b);
  const svc = samples.map((s) => s.serviceTimeMs).sort((a, b) => a - b);
  return {
    sent: samples.length,
    achieved: (samples.length * 1000) / (lastStart - first + 1000 / rate),
    errorPct: (100 * samples.filter((s) => s.status !== 200).length) / samples.length,
    lagP50: pct(lags, 50),
    lagP99: pct(lags, 99),
    svcP50: pct(svc, 50),
    svcP99: pct(svc, 99),
  };
}

/** The same open-model dispatcher over fetch (undici), to compare senders. */
async function fetchRun(url: string, rate: number, seconds: number): Promise<Sample[]> {
  return load.dispatch({
    ratePerSec: rate,
    durationMs: seconds * 1000,
    maxInFlight: 1000,
    clock: load.systemClock,
    newCorrelationId: randomUUID,
    send: async (_seq, id) => {
      try {
        const res = await fetch(`${url}/`, { headers: { 'x-correlation-id': id }, signal: AbortSignal.timeout(5000) });
        await res.text();
        return { status: res.status };
      } catch (e) {
        return { status: 0, error: String(e) };
      }
    },
  });
}

const fmt = (n: number, d = 0) => n.toFixed(d);
const { proc, url } = await startHello();
const proxyName = `msav-bench-engine-${process.pid}-${Date.now()}`;
let proxyCreated = false;
try {
  console.log(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), hello server: ${url}`,
  );
  console.log(`\n## 1. throughput: ${C} connections, ${D}s each (closed model), one process each, ${ROUNDS} rounds`);
  // warm the server's JIT so the first tool is not penalised; rotate the order each round
  ours(url, C, 1);
  const tools: { name: string; run: () => number | undefined; rps: number[] }[] = [
    { name: 'wrk -t1', run: () => wrkRps(url, C, D), rps: [] },
    { name: 'autocannon', run: () => autocannon(url, ['-c', String(C), '-d', String(D)]).rps, rps: [] },
    { name: 'msa-verify', run: () => ours(url, C, D), rps: [] },
    { name: 'msa-verify node:http', run: () => ours(url, C, D, 'node-http'), rps: [] },
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < tools.length; k++) {
      const tool = tools[(k + round) % tools.length]!;
      const rps = tool.run();
      if (rps !== undefined) tool.rps.push(rps);
    }
  }
  for (const t of tools) {
    console.log(
      `${t.name.padEnd(12)} median ${t.rps.length ? fmt(median(t.rps)).padStart(6) : '   n/a'} req/s   rounds: ${t.rps.map((x) => fmt(x)).join(', ')}`,
    );
  }
  const [w, a, o, oh] = tools.map((t) => (t.rps.length ? median(t.rps) : undefined));
  if (w !== undefined) console.log(`ratio msa-verify/wrk         ${(o! / w).toFixed(2)}   (goal >= 0.80)`);
  console.log(`ratio msa-verify/autocannon  ${(o! / a!).toFixed(2)}   (goal >= 1.00)`);
  console.log(`ratio raw client/node:http   ${(o! / oh!).toFixed(2)}`);

  console.log(`\n## 2. rate accuracy: target ${RATE} req/s for ${RATE_D}s (open model)`);
  const httpSamples = await load.runLoad({
    target: url,
    requests: [{ method: 'GET', path: '/' }],
    ratePerSec: RATE,
    durationMs: RATE_D * 1000,
    timeoutMs: 5000,
  });
  const nodeHttpSamples = await load.runLoad(
    {
      target: url,
      requests: [{ method: 'GET', path: '/' }],
      ratePerSec: RATE,
      durationMs: RATE_D * 1000,
      timeoutMs: 5000,
    },
    { client: 'node-http' },
  );
  const fetchSamples = await fetchRun(url, RATE, RATE_D);
  const ac = autocannon(url, ['-c', String(C), '-d', String(RATE_D), '-R', String(RATE)]);
  console.log('sender              sent   achieved req/s  error  deviation  send lag p50/p99   service p50/p99');
  for (const [label, s] of [
    ['runLoad raw      ', httpSamples],
    ['runLoad node:http', nodeHttpSamples],
    ['dispatch + fetch ', fetchSamples],
  ] as const) {
    const r = rateResult(s, RATE);
    console.log(
      `${label}  ${String(r.sent).padStart(6)}  ${fmt(r.achieved, 1).padStart(14)}  ${fmt(r.errorPct, 1).padStart(4)}%  ` +
        `${fmt((100 * (r.achieved - RATE)) / RATE, 2).padStart(8)}%  ${fmt(r.lagP50, 2)}/${fmt(r.lagP99, 2)} ms  ` +
        `${fmt(r.svcP50, 2)}/${fmt(r.svcP99, 2)} ms`,
    );
  }
  console.log(
    `autocannon -R      ${String(ac.total).padStart(6)}  ${fmt(ac.rps, 1).padStart(14)}      -  ${fmt((100 * (ac.rps - RATE)) / RATE, 2).padStart(8)}%  (closed model, no CO correction) p50/p99 ${ac.p50}/${ac.p99} ms`,
  );

  console.log(
    `\n## 3. Toxiproxy overhead (no toxics), ${Math.min(RATE, 1000)} req/s for 5s, then ${C} connections closed model 3s`,
  );
  const api = values.toxiproxy;
  const created = await fetch(`${api}/proxies`, {
    method: 'POST',
    body: JSON.stringify({
      name: proxyName,
      listen: '127.0.0.1:0',
      upstream: url.replace('http://', ''),
      enabled: true,
    }),
    signal: AbortSignal.timeout(5000),
  }).catch((e: unknown) => {
    throw new Error(`Toxiproxy at ${api} is unreachable (${String(e)}): start it with \`bash scripts/services up\``);
  });
  if (!created.ok) throw new Error(`creating proxy ${proxyName}: HTTP ${created.status} ${await created.text()}`);
  proxyCreated = true;
  const proxied = `http://${((await created.json()) as { listen: string }).listen}`;
  const fixed = Math.min(RATE, 1000);
  const measure = async (target: string) =>
    rateResult(
      await load.runLoad({
        target,
        requests: [{ method: 'GET', path: '/' }],
        ratePerSec: fixed,
        durationMs: 5000,
        timeoutMs: 5000,
      }),
      fixed,
    );
  const direct = await measure(url);
  const via = await measure(proxied);
  const directRps = ours(url, C, 3);
  const viaRps = ours(proxied, C, 3);
  console.log('path            service p50   service p99   closed-model req/s');
  console.log(
    `direct          ${fmt(direct.svcP50, 3).padStart(8)} ms  ${fmt(direct.svcP99, 3).padStart(8)} ms  ${fmt(directRps).padStart(10)}`,
  );
  console.log(
    `via toxiproxy   ${fmt(via.svcP50, 3).padStart(8)} ms  ${fmt(via.svcP99, 3).padStart(8)} ms  ${fmt(viaRps).padStart(10)}`,
  );
  console.log(
    `ratio via/direct  p50 ${(via.svcP50 / direct.svcP50).toFixed(2)}  p99 ${(via.svcP99 / direct.svcP99).toFixed(2)}  throughput ${(viaRps / directRps).toFixed(2)}`,
  );
} finally {
  if (proxyCreated) {
    await fetch(`${values.toxiproxy}/proxies/${proxyName}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(5000),
    }).catch(() => console.error(`could not delete proxy ${proxyName}; remove it with DELETE /proxies/${proxyName}`));
  }
  proc.stdin?.end();
  proc.kill();
}
