// `msa-verify chaos run` with a gRPC load: the built-in generator sends unary
// calls to grpc://<proxy> in front of a real grpc-js server (private real
// Toxiproxy). Under 1 s latency the calls end in their 300 ms deadline:
// `timeout` passes (DEADLINE_EXCEEDED is a client timeout, bounded), and
// `error-rate` fails naming the timeouts; the proxy's tap counts the calls.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import type { ChaosRunResult } from '../../src/core/results.js';
import { type FakeCustomers, startFakeCustomers } from '../integration/shop-grpc-support.ts';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { ROOT } from '../support/services.js';

let toxiproxy: ManagedToxiproxy;
let fake: FakeCustomers;
beforeAll(async () => {
  toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  fake = await startFakeCustomers('ok');
});
afterAll(async () => {
  await toxiproxy?.stop();
  await fake?.close();
});

it('drives gRPC unary calls and judges DEADLINE_EXCEEDED as a timeout', async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'msav-chaos-grpc-load-'));
  const listen = `127.0.0.1:${await freePort()}`;
  const file = path.join(work, 'grpc-load.yaml');
  await writeFile(
    path.join(work, 'msa-verify.config.yaml'),
    `version: 1\nchaos: { journalDir: "${path.join(work, 'journal')}" }\n`,
  );
  await writeFile(
    file,
    `version: 1
name: grpc-load
toxiproxy: { url: "${toxiproxy.url}" }
proxies:
  - { name: customers, listen: "${listen}", upstream: "${fake.address}" }
load:
  target: grpc://${listen}
  proto: ${path.join(ROOT, 'examples/shop/proto/customers.proto')}
  rate: 20
  timeout: 300ms
  requests:
    - { path: /shop.customers.v1.Customers/GetCustomer, body: { id: c-1 } }
phases:
  - { name: steady, kind: steady, duration: 1500ms, expect: [{ type: error-rate, max: 1% }] }
  - name: slow
    kind: fault
    duration: 2s
    faults: [{ proxy: customers, type: latency, latency: 1s }]
    expect:
      - { type: timeout, max: 500ms }
      - { type: error-rate, max: 1% }
`,
  );
  const json = path.join(work, 'report.json');
  const r = await runCli(['chaos', 'run', file, '--json', json], { cwd: work, timeoutMs: 60_000 });
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const result = (JSON.parse(await readFile(json, 'utf8')) as { results: ChaosRunResult[] }).results[0]!;
  const verdict = (phase: string, type: string) =>
    result.phases.find((p) => p.name === phase)?.verdicts.find((v) => v.type === type);
  expect(verdict('steady', 'error-rate')?.passed, verdict('steady', 'error-rate')?.message).toBe(true);
  expect(result.phases.find((p) => p.name === 'steady')?.requests).toBeGreaterThan(20);
  const timeout = verdict('slow', 'timeout');
  expect(timeout?.passed, timeout?.message).toBe(true);
  expect(timeout?.observed).toBeLessThanOrEqual(500);
  const errors = verdict('slow', 'error-rate');
  expect(errors?.passed).toBe(false);
  expect(errors?.message).toMatch(/timeout x\d+/);
  expect(verdict('slow', 'fault-reach')?.passed, verdict('slow', 'fault-reach')?.message).toBe(true);
  expect(result.rolledBack).toBe(true);
});

it('validate: a grpc:// target without proto, or with a path that is no method path, is exit 2 at the field', async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'msav-chaos-grpc-validate-'));
  const file = path.join(work, 'bad.yaml');
  await writeFile(
    file,
    `version: 1
name: bad
toxiproxy: { url: "http://127.0.0.1:8474" }
proxies: []
load:
  target: grpc://127.0.0.1:9
  rate: 1
  requests: [{ path: /not-a-method }]
phases: [{ name: steady, kind: steady, duration: 1s }]
`,
  );
  const r = await runCli(['validate', file], { cwd: work });
  expect(r.code, r.stdout + r.stderr).toBe(2);
  expect(r.stdout + r.stderr).toMatch(/bad\.yaml:\d+:\d+ +load\.proto +a grpc:\/\/ target needs proto/);
  expect(r.stdout + r.stderr).toMatch(/load\.requests\.0\.path +expected a gRPC method path/);
});
