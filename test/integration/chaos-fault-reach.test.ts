// Faults must reach the callers and stay inside their phase. A caller that
// keeps pooled keep-alive connections (Node's fetch) never meets a fail-first
// that acts on new connections: the run must say so (fault-reach verdict), the
// unused budget must not fire in a later phase, and `cutConnections` must make
// the caller reconnect into the fault. Real Toxiproxy, real tap, real servers.
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectationCatalog } from '../../src/chaos/index.js';
import { planRun } from '../../src/chaos/runner/plan.js';
import { runScenario } from '../../src/chaos/runner/run-scenario.js';
import { parseScenarioText } from '../../src/chaos/scenario/load.js';
import type { ChaosRunResult } from '../../src/core/results.js';
import { freePort } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';

let dependency: http.Server;
let caller: http.Server;
/** Times the dependency accepted a connection (one per connection the tap relays). */
const dependencyConnections: number[] = [];
let proxyListen = '';

beforeAll(async () => {
  proxyListen = `127.0.0.1:${await freePort()}`;
  dependency = http.createServer((_req, res) => res.end('{"ok":true}'));
  dependency.on('connection', () => dependencyConnections.push(Date.now()));
  await new Promise<void>((resolve) => dependency.listen(0, '127.0.0.1', resolve));
  // The caller: fetch (undici: pooled keep-alive connections) to the dependency through the proxy.
  caller = http.createServer((_req, res) => {
    fetch(`http://${proxyListen}/dep`, { signal: AbortSignal.timeout(2000) })
      .then(async (r) => {
        await r.text();
        res.writeHead(r.status).end();
      })
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => caller.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  caller.closeAllConnections();
  dependency.closeAllConnections();
  await new Promise((resolve) => caller.close(resolve));
  await new Promise((resolve) => dependency.close(resolve));
});

async function run(failFirst: string): Promise<ChaosRunResult> {
  const text = `version: 1
name: keep-alive
toxiproxy: { url: "${serviceUrls().TOXIPROXY_URL}" }
proxies:
  - { name: dep, listen: "${proxyListen}", upstream: "127.0.0.1:${(dependency.address() as AddressInfo).port}" }
load:
  target: http://127.0.0.1:${(caller.address() as AddressInfo).port}
  rate: 20
  timeout: 3s
  requests: [{ method: GET, path: / }]
phases:
  - { name: warm, kind: steady, duration: 1500ms }
  - { name: first-fail, kind: fail-first, proxy: dep, n: 4, duration: 2s${failFirst} }
  # 300 ms on every response at 20 req/s: the caller needs ~6 connections, so it opens new ones here.
  - name: slow
    kind: fault
    duration: 2500ms
    faults: [{ proxy: dep, type: latency, latency: 300ms }]
  - { name: back, kind: steady, duration: 500ms }
`;
  const parsed = parseScenarioText('keep-alive.yaml', text, expectationCatalog, {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const plan = planRun(
    { scenario: parsed.value, file: path.join(ROOT, 'keep-alive.yaml'), display: 'keep-alive.yaml' },
    { allowTargets: ['127.0.0.1:*'], maxDurationMs: 60_000 },
  );
  return runScenario(plan, {
    catalog: expectationCatalog,
    journalDir: await mkdtemp(path.join(os.tmpdir(), 'msav-fault-reach-')),
    watchdog: false,
  });
}

const phase = (r: ChaosRunResult, name: string) => r.phases.find((p) => p.name === name)!;
const reach = (r: ChaosRunResult, name: string) => phase(r, name).verdicts.find((v) => v.type === 'fault-reach')!;

describe('fault reach and phase containment with a keep-alive caller', () => {
  it('fail-first on pooled connections reaches nobody, says why, and its unused budget does not leak', async () => {
    const result = await run('');
    const v = reach(result, 'first-fail');
    expect(v.passed, v.message).toBe(false);
    expect(result.passed).toBe(false);
    expect(v.message).toMatch(
      /^fail-first: 0 of 4 connections used; the caller reuses pooled connections \(\d+ request\(s\) crossed proxy "dep" on \d+ connection\(s\) opened before the fault\): set cutConnections: true on the phase\.$/,
    );
    expect(phase(result, 'first-fail').errors).toBe(0);
    // The latency phase made the caller open new connections: none of them was reset by the old budget.
    const slow = phase(result, 'slow');
    const opened = dependencyConnections.filter((t) => t >= slow.startedAt && t < slow.endedAt).length;
    expect(opened, 'the latency phase must open new connections, or this test proves nothing').toBeGreaterThan(0);
    expect(slow.errors, JSON.stringify(slow)).toBe(0);
    expect(reach(result, 'slow').passed).toBe(true);
    expect(result.rolledBack).toBe(true);
  });

  it('with cutConnections the pooled caller reconnects into the fault', async () => {
    const result = await run(', cutConnections: true');
    const v = reach(result, 'first-fail');
    expect(v.passed, v.message).toBe(true);
    expect(v.message).toMatch(
      /^fail-first: 4 of 4 connections reset; \d+ open connection\(s\) were cut at its start\.$/,
    );
    expect(phase(result, 'first-fail').errors).toBeGreaterThanOrEqual(4);
    expect(phase(result, 'slow').errors).toBe(0);
    expect(result.faults.find((f) => f.type === 'fail-first')?.cutConnections).toBeGreaterThan(0);
    expect(result.passed, JSON.stringify(result.phases.flatMap((p) => p.verdicts.filter((x) => !x.passed)))).toBe(true);
  });
});
