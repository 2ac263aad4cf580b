// TLS benchmarks, in one run, against an https hello-world server that
// requires a client certificate (bench/tls/hello-https.ts, a separate process):
//   1. throughput over mTLS: the built-in generator (closed model, its raw client
//      over tls.connect) next to autocannon (tlsOptions), same connections and
//      duration, alternating, each in its own process; median req/s and the ratio.
//   2. the preload's overhead on an https server: the same server started with
//      `node --import msa-verify/instrument` (100% sampling, OTLP to a local sink)
//      and without, loaded by the built-in generator; median req/s and the ratio.
// Prints ratios; asserts nothing.
// Usage: npm run build && node bench/tls/tls-bench.ts [--connections 10] [--seconds 5] [--rounds 3]
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
  },
});
const C = values.connections;
const S = values.seconds;
const ROUNDS = Number(values.rounds);

// A local OTLP sink for the preloaded server: accepts and answers an empty success.
const sink = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

async function startServer(preload: boolean): Promise<{ child: ChildProcess; url: string }> {
  const args = [
    ...(preload ? ['--import', 'msa-verify/instrument'] : []),
    path.join(import.meta.dirname, 'hello-https.ts'),
  ];
  const env = preload
    ? {
        ...process.env,
        OTEL_SERVICE_NAME: 'bench-https',
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        OTEL_TRACES_SAMPLER: 'always_on',
      }
    : { ...process.env };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { child, url: `https://127.0.0.1:${port}/` };
}

// Asynchronous, so that this process's OTLP sink keeps answering the preloaded server meanwhile.
async function load(tool: 'msav' | 'autocannon', url: string): Promise<number> {
  const r = await promisify(execFile)(
    process.execPath,
    [path.join(import.meta.dirname, 'load-tls.ts'), tool, url, C, S],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { rps?: number; errors?: number };
  if (out.rps === undefined) throw new Error(`${tool} failed: ${r.stderr}`);
  if (out.errors) console.log(`  (${tool}: ${out.errors} errors)`);
  return out.rps;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => n.toFixed(0).padStart(8);

console.log(
  `machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, node ${process.version}; shared with other work while measuring`,
);
console.log(
  `closed model, ${C} connections, ${S} s per run, ${ROUNDS} rounds (median), mTLS (ECDSA P-256 certificates)`,
);

const plain = await startServer(false);
const ours: number[] = [];
const theirs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  ours.push(await load('msav', plain.url));
  theirs.push(await load('autocannon', plain.url));
}
console.log('\n1. load generator over mTLS (req/s)');
console.log(
  `msa-verify (raw client over TLS) ${fmt(median(ours))}   rounds ${ours.map((x) => x.toFixed(0)).join(' ')}`,
);
console.log(
  `autocannon (tlsOptions)          ${fmt(median(theirs))}   rounds ${theirs.map((x) => x.toFixed(0)).join(' ')}`,
);
console.log(`ratio msa-verify/autocannon      ${(median(ours) / median(theirs)).toFixed(2)}`);

const preloaded = await startServer(true);
const bare: number[] = [];
const withPreload: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  bare.push(await load('msav', plain.url));
  withPreload.push(await load('msav', preloaded.url));
}
console.log('\n2. the preload on an https server (req/s, loaded by the built-in generator)');
console.log(
  `no preload                       ${fmt(median(bare))}   rounds ${bare.map((x) => x.toFixed(0)).join(' ')}`,
);
console.log(
  `--import msa-verify/instrument   ${fmt(median(withPreload))}   rounds ${withPreload.map((x) => x.toFixed(0)).join(' ')}`,
);
console.log(`ratio preload/none               ${(median(withPreload) / median(bare)).toFixed(2)}`);

for (const s of [plain, preloaded]) s.child.stdin!.end();
sink.close();
