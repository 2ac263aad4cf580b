// Interruption matrix: SIGINT, SIGTERM and SIGKILL delivered to `msa-verify
// chaos run` at random moments of the fault phase, 21 runs in all. After each,
// the (private) Toxiproxy must show none of the run's proxies or toxics:
// at once for SIGINT/SIGTERM (the runner rolls back before it exits), within
// 10 s for SIGKILL (the detached watchdog does it). SIGINT/SIGTERM runs still
// write their --json report, partial and marked interrupted; no journal and no
// watchdog log is left in the journal folder.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { ToxiproxyClient } from '../../src/chaos/toxiproxy/client.js';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import type { ChaosRunResult } from '../../src/core/results.js';
import { freePort, waitFor } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
const RUNS_PER_SIGNAL = Number(process.env.MSAV_INTERRUPT_RUNS ?? 7);

let toxiproxy: ManagedToxiproxy;
let client: ToxiproxyClient;
let upstream: http.Server;
let work: string;

beforeAll(async () => {
  toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  client = new ToxiproxyClient(toxiproxy.url);
  upstream = http.createServer((_req, res) => res.end('{"ok":true}'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-chaos-interrupt-'));
  await writeFile(
    path.join(work, 'msa-verify.config.yaml'),
    `version: 1\nchaos: { journalDir: "${path.join(work, 'journal')}" }\n`,
  );
});

afterAll(async () => {
  await toxiproxy?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
});

/**
 * The scenario of run `i`. With `side`, the proxy that is down in the fault phase is that one
 * (the Kafka broker's PROXIED listener behind its fixed, advertised listen address).
 */
async function scenario(i: number, side?: { listen: string; upstream: string }): Promise<string> {
  const { port } = upstream.address() as AddressInfo;
  const a = await freePort();
  const sideListen = side?.listen ?? `127.0.0.1:${await freePort()}`;
  const sideUpstream = side?.upstream ?? `127.0.0.1:${port}`;
  const file = path.join(work, `interrupt-${i}.yaml`);
  await writeFile(
    file,
    `version: 1
name: interrupt-${i}
toxiproxy: { url: "${toxiproxy.url}" }
proxies:
  - { name: front, listen: "127.0.0.1:${a}", upstream: "127.0.0.1:${port}" }
  - { name: side, listen: "${sideListen}", upstream: "${sideUpstream}", tap: false }
load:
  target: http://127.0.0.1:${a}
  rate: 50
  timeout: 2s
  requests: [{ method: GET, path: / }]
phases:
  - { name: warm, kind: steady, duration: 300ms }
  - name: broken
    kind: fault
    duration: 20s
    faults:
      - { proxy: front, type: latency, latency: 300ms }
      - { proxy: front, type: slicer, averageSize: 16, delay: 1ms, stream: upstream }
      - { proxy: side, type: down }
  - { name: back, kind: recovery, duration: 1s, within: 1s }
`,
  );
  return file;
}

/** Names of proxies and toxics msa-verify created that are still on the Toxiproxy. */
async function leftovers(): Promise<string[]> {
  const proxies = await client.listProxies();
  return proxies.filter((p) => p.name.startsWith('msav-')).flatMap((p) => [p.name, ...p.toxics.map((t) => t.name)]);
}

function startRun(
  file: string,
  json: string,
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'chaos', 'run', file, '--json', json], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MSAV_DEBUG: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return { child, output: () => text };
}

/** Signals one run during its fault phase and checks that it left nothing behind; returns a log line. */
async function interruptOnce(
  i: number,
  signal: (typeof SIGNALS)[number],
  file: string,
  delay: number,
): Promise<string> {
  const json = path.join(work, `report-${i}.json`);
  const { child, output } = startRun(file, json);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // Wait until the fault phase is on: toxics on the run's proxy and the other proxy down.
  await waitFor(async () => {
    const proxies = (await client.listProxies()).filter((p) => p.name.startsWith('msav-'));
    return proxies.some((p) => p.toxics.length === 2) && proxies.some((p) => !p.enabled);
  }, 10_000).catch((error: unknown) => {
    throw new Error(`run ${i}: the fault phase never started: ${String(error)}\n${output()}`);
  });
  await sleep(delay);
  expect((await leftovers()).length, `run ${i}: nothing to roll back at the moment of the signal`).toBeGreaterThan(0);
  const signalledAt = Date.now();
  child.kill(signal);
  const [code] = await Promise.race([
    exited,
    sleep(15_000).then(() => {
      child.kill('SIGKILL');
      throw new Error(`run ${i}: the runner did not exit within 15 s of ${signal}:\n${output()}`);
    }),
  ]);
  if (signal === 'SIGKILL') {
    await waitFor(async () => (await leftovers()).length === 0, 10_000).catch(async () => {
      throw new Error(`run ${i} (SIGKILL): still present after 10 s: ${(await leftovers()).join(', ')}`);
    });
    return `run ${i} ${signal} after ${delay}ms: clean after ${Date.now() - signalledAt}ms (watchdog)`;
  }
  expect(await leftovers(), `run ${i} (${signal}) left these behind:\n${output()}`).toEqual([]);
  expect(code, output()).toBe(signal === 'SIGINT' ? 130 : 143);
  expect(output()).toContain('rolling back');
  // The partial report is written after the rollback, marked interrupted.
  const report = JSON.parse(await readFile(json, 'utf8')) as { interrupted?: string; results: ChaosRunResult[] };
  expect(report.interrupted).toBe(signal);
  expect(report.results).toHaveLength(1);
  expect(report.results[0]).toMatchObject({ interrupted: signal, passed: false, rolledBack: true });
  expect(report.results[0]?.phases.map((p) => p.name)).toEqual(['warm', 'broken']);
  expect(report.results[0]?.phases[1]?.requests).toBeGreaterThan(0);
  expect(report.results[0]?.faults.map((f) => f.type).sort()).toEqual(['down', 'latency', 'slicer']);
  expect(output()).toContain(`interrupted: partial report written to ${json}`);
  return `run ${i} ${signal} after ${delay}ms: clean at exit ${Date.now() - signalledAt}ms later, code ${code}`;
}

describe('chaos run interrupted during the fault phase', () => {
  it(`leaves nothing behind after SIGINT, SIGTERM (at once) and SIGKILL (within 10 s), ${RUNS_PER_SIGNAL * 3} runs`, async () => {
    const seed = Number(process.env.MSAV_INTERRUPT_SEED ?? Date.now() % 100_000);
    let state = seed;
    const random = (): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    const log: string[] = [`seed ${seed}`];
    for (let i = 0; i < RUNS_PER_SIGNAL * SIGNALS.length; i++) {
      const signal = SIGNALS[i % SIGNALS.length]!;
      log.push(await interruptOnce(i, signal, await scenario(i), Math.round(random() * 1500)));
    }
    // Every journal is gone once its run is cleaned (the watchdog deletes those of killed runs), and so is
    // every watchdog log: a complete rollback leaves nothing to read.
    const journalDir = path.join(work, 'journal');
    await waitFor(
      async () =>
        !existsSync(journalDir) ||
        (await readdir(journalDir)).every((f) => !f.endsWith('.json') && !f.endsWith('.watchdog.log')),
      5000,
    ).catch(async () => {
      throw new Error(`left in ${journalDir}: ${(await readdir(journalDir)).join(', ')}`);
    });
    console.log(log.join('\n'));
  });

  it("a Kafka scenario (the broker's PROXIED listener down) leaves its fixed listen address free after each signal", async () => {
    const urls = serviceUrls();
    const kafka = {
      listen: urls.KAFKA_PROXY_LISTEN ?? '127.0.0.1:19094',
      upstream: urls.KAFKA_PROXIED_UPSTREAM ?? '127.0.0.1:9094',
    };
    const log: string[] = [];
    // Each run creates the proxy on the same advertised address: it can only if the previous run freed it.
    for (const [n, signal] of SIGNALS.entries()) {
      const i = 100 + n;
      log.push(`kafka ${await interruptOnce(i, signal, await scenario(i, kafka), 300 * n)}`);
      const [host, port] = kafka.listen.split(':');
      await waitFor(
        () =>
          new Promise<boolean>((resolve) => {
            const probe = net.connect(Number(port), host, () => {
              probe.destroy();
              resolve(false);
            });
            probe.once('error', () => resolve(true));
          }),
        10_000,
      ).catch(() => {
        throw new Error(`run ${i} (${signal}): something still listens on ${kafka.listen}`);
      });
    }
    console.log(log.join('\n'));
  });
});

// The gRPC scenario, against the real shop: chaos/grpc-slow.yaml (latency on
// orders → customers) stopped in its fault phase by SIGTERM and by SIGKILL.
describe('gRPC scenario interrupted during the fault phase', () => {
  it('chaos/grpc-slow.yaml leaves nothing behind after SIGTERM (at once) and SIGKILL (within 10 s)', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    const shop = await startShop({
      rabbitmqUrl: serviceUrls().RABBITMQ_URL,
      env: { orders: { CUSTOMERS_ADDR: listen } },
      messaging: uniqueMessaging('chaos-interrupt-grpc'),
    });
    try {
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        const json = path.join(work, `grpc-${signal}.json`);
        const { child, output } = startRun(path.join(ROOT, 'chaos/grpc-slow.yaml'), json, {
          TOXIPROXY_URL: toxiproxy.url,
          CUSTOMERS_PROXY_LISTEN: listen,
          SHOP_ORDERS_URL: shop.urls.orders,
          SHOP_CUSTOMERS_ADDR: shop.grpc.customers,
        });
        const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
        await waitFor(async () => {
          const proxies = (await client.listProxies()).filter((p) => p.name.startsWith('msav-'));
          return proxies.some((p) => p.toxics.some((t) => t.type === 'latency'));
        }, 15_000).catch((error: unknown) => {
          throw new Error(`${signal}: the fault phase never started: ${String(error)}\n${output()}`);
        });
        await sleep(500);
        child.kill(signal);
        const [code] = await exited;
        if (signal === 'SIGKILL') {
          await waitFor(async () => (await leftovers()).length === 0, 10_000).catch(async () => {
            throw new Error(`SIGKILL: still present after 10 s: ${(await leftovers()).join(', ')}`);
          });
          continue;
        }
        expect(await leftovers(), output()).toEqual([]);
        expect(code, output()).toBe(143);
        const report = JSON.parse(await readFile(json, 'utf8')) as { results: ChaosRunResult[] };
        expect(report.results[0]).toMatchObject({ interrupted: 'SIGTERM', passed: false, rolledBack: true });
        expect(report.results[0]?.phases.map((p) => p.name)).toEqual(['warm-up', 'steady', 'customers-slow']);
        expect(report.results[0]?.faults.map((f) => f.type)).toEqual(['latency']);
      }
    } finally {
      await shop.stop();
    }
  }, 120_000);
});
