// The run's set-up owns what it starts: disposing it rolls the session back
// first (while the taps still relay and the managed Toxiproxy still answers),
// then closes the taps and stops the private Toxiproxy; a set-up that fails
// half-way undoes exactly what it had started.
import { mkdtemp, readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun, type RunPlan } from '../../src/chaos/runner/plan.js';
import { resolveAddresses } from '../../src/chaos/runner/resolve-addresses.js';
import type { RunContext } from '../../src/chaos/runner/run-context.js';
import { setUpRun } from '../../src/chaos/runner/set-up-run.js';
import { parseScenarioText } from '../../src/chaos/scenario/load.js';
import { ToxiproxyClient } from '../../src/chaos/toxiproxy/client.js';
import { newRunId } from '../../src/chaos/toxiproxy/run-id.js';
import { probeHttp } from '../../src/core/probe.js';
import { freePort } from '../support/net.js';
import { ROOT } from '../support/services.js';

let upstream: http.Server;
let upstreamUrl = '';

beforeAll(async () => {
  upstream = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => upstream?.close(resolve));
});

async function plan(target: string): Promise<RunPlan> {
  const text = `version: 1
name: set-up
toxiproxy: { managed: true }
proxies:
  - { name: front, listen: "127.0.0.1:${await freePort()}", upstream: "${upstreamUrl}", tap: true }
load:
  target: ${target}
  rate: 5
  requests: [{ method: GET, path: / }]
phases:
  - { name: warm, kind: steady, duration: 100ms }
`;
  const parsed = parseScenarioText('set-up.yaml', text, new Map(), {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const loaded = { scenario: parsed.value, file: path.join(ROOT, 'set-up.yaml'), display: 'set-up.yaml' };
  return planRun(loaded, { allowTargets: ['127.0.0.1:*'], maxDurationMs: 60_000 });
}

async function context(runPlan: RunPlan, notes: string[]): Promise<RunContext> {
  return {
    plan: runPlan,
    runId: newRunId(),
    cwd: ROOT,
    journalDir: await mkdtemp(path.join(os.tmpdir(), 'msav-set-up-')),
    signal: undefined,
    note: (text) => notes.push(text),
    watchdog: false,
    addresses: await resolveAddresses(runPlan),
  };
}

const managedUrl = (notes: readonly string[]): string =>
  /started a private Toxiproxy at (\S+)/.exec(notes.join('\n'))?.[1] ?? 'no managed Toxiproxy noted';

const accepts = (listen: string): Promise<boolean> =>
  new Promise((resolve) => {
    const [host, port] = listen.split(':');
    const socket = net.connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('run set-up', () => {
  it('disposal rolls back first, then closes the taps, then stops the managed Toxiproxy', async () => {
    const notes: string[] = [];
    const ctx = await context(await plan(upstreamUrl), notes);
    const run = await setUpRun(ctx);
    const client = new ToxiproxyClient(managedUrl(notes));
    expect((await client.listProxies()).map((p) => p.name)).toEqual([run.proxyNames.get('front')]);
    const tap = run.taps.get('front')!;
    const atTapClose: string[][] = [];
    const close = tap.close.bind(tap);
    tap.close = async () => {
      atTapClose.push((await client.listProxies()).map((p) => p.name));
      return close();
    };

    await run[Symbol.asyncDispose]();
    expect(atTapClose).toEqual([[]]); // the Toxiproxy still answered, and the run's proxy was gone
    expect(await accepts(tap.listen)).toBe(false);
    expect((await probeHttp(`${managedUrl(notes)}/version`, { timeoutMs: 500 })).ok).toBe(false);
    expect(await readdir(ctx.journalDir)).toEqual([]);
    expect(notes.filter((n) => /rollback|could not/.test(n))).toEqual([]);
  });

  it('after a rollback on the normal path, disposal does not roll back again', async () => {
    const notes: string[] = [];
    const ctx = await context(await plan(upstreamUrl), notes);
    const run = await setUpRun(ctx);
    let rollbacks = 0;
    const rollback = run.session.rollback.bind(run.session);
    run.session.rollback = () => {
      rollbacks++;
      return rollback();
    };
    expect(await run.rollback()).toBe(true);
    await run[Symbol.asyncDispose]();
    expect(rollbacks).toBe(1);
    expect(await readdir(ctx.journalDir)).toEqual([]);
  });

  it('a set-up that fails half-way undoes what it started', async () => {
    const notes: string[] = [];
    const deadTarget = `http://127.0.0.1:${await freePort()}`;
    const ctx = await context(await plan(deadTarget), notes);
    await expect(setUpRun(ctx)).rejects.toMatchObject({ code: 'MSAV_TARGET_UNREACHABLE' });
    expect((await probeHttp(`${managedUrl(notes)}/version`, { timeoutMs: 500 })).ok).toBe(false);
    expect(await readdir(ctx.journalDir)).toEqual([]);
  });
});
