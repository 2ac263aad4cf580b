// Verifies a generated pact with 200 HTTP interactions against a local
// provider three ways in the same run: pact-js's Verifier directly (the peer),
// msa-verify's library (verifyProvider), and the msa-verify CLI
// (`contracts verify`, which adds a child process and config loading).
// Usage: npm run build && node bench/contracts/verify-200.ts [runs]
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Verifier } from '@pact-foundation/pact';
import { verifyProvider } from '../../dist/contracts/index.js';

const runs = Number(process.argv[2] ?? 3);
const COUNT = 200;
const root = path.resolve(import.meta.dirname, '../..');

const server = http.createServer((req, res) => {
  const n = Number(/^\/items\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
  res.writeHead(n >= 0 ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(n >= 0 ? { id: n, name: `item-${n}`, priceCents: n * 10, tags: ['a', 'b'] } : {}));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-bench-'));
const pactDir = path.join(dir, 'pacts');
await import('node:fs/promises').then((fs) => fs.mkdir(pactDir));
const interactions = Array.from({ length: COUNT }, (_, n) => ({
  type: 'Synchronous/HTTP',
  description: `get item ${n}`,
  providerStates: [{ name: 'items exist', params: { n } }],
  request: { method: 'GET', path: `/items/${n}` },
  response: {
    status: 200,
    headers: { 'content-type': ['application/json'] },
    body: {
      contentType: 'application/json',
      encoded: false,
      content: { id: n, name: `item-${n}`, priceCents: n * 10, tags: ['a', 'b'] },
    },
    matchingRules: { body: { '$.name': { combine: 'AND', matchers: [{ match: 'type' }] } } },
  },
}));
const pactFile = path.join(pactDir, 'bench-consumer-bench-provider.json');
await writeFile(
  pactFile,
  JSON.stringify({
    consumer: { name: 'bench-consumer' },
    provider: { name: 'bench-provider' },
    interactions,
    metadata: { pactSpecification: { version: '4.0' } },
  }),
);
const configFile = path.join(dir, 'msa-verify.config.yaml');
// The CLI gets the same state handler as the peer, from a provider module (a state without a handler fails).
await writeFile(
  path.join(dir, 'provider.mjs'),
  "export const stateHandlers = { 'items exist': async () => undefined };\n",
);
await writeFile(
  configFile,
  `version: 1\ncontracts:\n  pactDir: pacts\n  providers:\n    bench-provider:\n      url: ${url}\n      module: provider.mjs\n`,
);
const stateHandlers = { 'items exist': async () => undefined };

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const peer: number[] = [];
const lib: number[] = [];
const cli: number[] = [];
const runPeer = async () =>
  peer.push(
    await time(async () => {
      const out = await new Verifier({
        provider: 'bench-provider',
        providerBaseUrl: url,
        pactUrls: [pactFile],
        stateHandlers,
        logLevel: 'error',
      }).verifyProvider();
      if (!JSON.parse(out).result) throw new Error('peer verification failed');
    }),
  );
const runLib = async () =>
  lib.push(
    await time(async () => {
      const [pair] = await verifyProvider({ provider: 'bench-provider', url, pactFiles: [pactFile], stateHandlers });
      if (!pair?.passed || pair.interactions.length !== COUNT) throw new Error('msa-verify verification failed');
    }),
  );
const runCli = async () =>
  cli.push(
    await time(async () => {
      // async spawn: the provider lives in this process and must keep answering
      const child = spawn(
        process.execPath,
        [path.join(root, 'dist/cli/main.js'), 'contracts', 'verify', '--config', configFile],
        {
          cwd: dir,
          stdio: 'ignore',
        },
      );
      const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
      if (status !== 0) throw new Error(`msa-verify contracts verify exited ${status}`);
    }),
  );
// Rotate the order each run so that warm-up and machine noise do not favour one side.
const order = [runPeer, runLib, runCli];
for (let i = 0; i < runs; i++) {
  for (let k = 0; k < order.length; k++) await (order[(i + k) % order.length] as () => Promise<number>)();
}
server.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const [p, l, c] = [median(peer), median(lib), median(cli)];
// Pact's core prints its report on stdout; the summary goes to stderr so it stays readable.
const say = (s: string) => process.stderr.write(`${s}\n`);
say(`node ${process.version}, ${COUNT} interactions, ${runs} runs each, median wall time`);
say(`pact-js Verifier (peer)          ${p.toFixed(0)} ms`);
say(`msa-verify verifyProvider (lib)  ${l.toFixed(0)} ms   ratio ${(l / p).toFixed(2)}`);
say(`msa-verify contracts verify (CLI) ${c.toFixed(0)} ms   ratio ${(c / p).toFixed(2)}`);
