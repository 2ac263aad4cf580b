// The container route end to end: `msa-verify chaos run` with `toxiproxy:
// { managed: container }` starts its private Toxiproxy as a container (the
// msa-verify/toxiproxy image, through testcontainers, host network), injects the
// scenario's fault through it, and removes the container on every path: a
// passing run, a failing run, SIGINT, SIGTERM (at once) and SIGKILL (the reaper
// process, within 10 s). After the file the engine holds no container at all.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineAddress, LABEL_MANAGED, type ListedContainer, listContainers } from '../../src/containers/index.js';
import type { ChaosRunResult } from '../../src/core/results.js';
import { freePort, waitFor } from '../support/net.js';
import { ROOT } from '../support/services.js';

const noDocker = process.env.MSAV_NO_DOCKER;

let upstream: http.Server;
let work: string;

beforeAll(async () => {
  if (noDocker) return;
  upstream = http.createServer((_req, res) => res.end('{"ok":true}'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-containers-'));
  await writeFile(
    path.join(work, 'msa-verify.config.yaml'),
    `version: 1\nchaos: { journalDir: "${path.join(work, 'journal')}" }\n`,
  );
});

afterAll(async () => {
  if (noDocker) return;
  await new Promise((resolve) => upstream?.close(resolve));
  // `docker ps -a` is empty: nothing of this file (or of anything else) is left on the engine.
  expect(await everyContainer()).toEqual([]);
});

function everyContainer(): Promise<ListedContainer[]> {
  return listContainers(engineAddress(), []);
}

function ours(): Promise<ListedContainer[]> {
  return listContainers(engineAddress(), [`${LABEL_MANAGED}=true`]);
}

/** A scenario whose fault phase adds 400 ms to every response; `faultP99` is that phase's bound. */
async function scenario(name: string, faultP99: string, faultFor = '2s'): Promise<string> {
  const { port } = upstream.address() as AddressInfo;
  const listen = await freePort();
  const file = path.join(work, `${name}.yaml`);
  await writeFile(
    file,
    `version: 1
name: ${name}
toxiproxy: { managed: container }
proxies:
  - { name: front, listen: "127.0.0.1:${listen}", upstream: "127.0.0.1:${port}" }
load:
  target: http://127.0.0.1:${listen}
  rate: 20
  timeout: 3s
  requests: [{ method: GET, path: / }]
phases:
  - name: warm
    kind: steady
    duration: 1s
    expect: [{ type: latency, p99: 300ms }]
  - name: slow
    kind: fault
    duration: ${faultFor}
    faults: [{ proxy: front, type: latency, latency: 400ms }]
    expect: [{ type: latency, p99: ${faultP99} }]
  - { name: back, kind: recovery, duration: 1s, within: 1s }
`,
  );
  return file;
}

function startRun(file: string, json: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'chaos', 'run', file, '--json', json], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOCKER_HOST: process.env.DOCKER_HOST ?? '' },
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

async function runToEnd(file: string, json: string): Promise<{ code: number | null; output: string }> {
  const { child, output } = startRun(file, json);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output: output() };
}

describe.skipIf(noDocker)('chaos run with a containerised Toxiproxy', () => {
  it('passes a scenario whose fault went through the container, and removes the container', async () => {
    const json = path.join(work, 'pass.json');
    const { code, output } = await runToEnd(await scenario('container-pass', '2s'), json);
    expect(code, output).toBe(0);
    expect(output).toMatch(
      /started a private Toxiproxy at http:\/\/127\.0\.0\.1:\d+ \(container [0-9a-f]{12}, msa-verify\/toxiproxy:2\.12\.0\)/,
    );
    const report = JSON.parse(await readFile(json, 'utf8')) as { results: ChaosRunResult[] };
    const slow = report.results[0]?.phases.find((p) => p.name === 'slow');
    expect(slow?.requests).toBeGreaterThan(0);
    // The toxic adds 400 ms to every response: it acted, so the container's Toxiproxy was on the path.
    expect(slow?.latencyMs.p50).toBeGreaterThanOrEqual(400);
    expect(report.results[0]?.rolledBack).toBe(true);
    expect(await ours()).toEqual([]);
  });

  it('fails a scenario whose bound the injected latency breaks (the fault really acted), and removes the container', async () => {
    const json = path.join(work, 'fail.json');
    const { code, output } = await runToEnd(await scenario('container-fail', '150ms'), json);
    expect(code, output).toBe(1);
    const report = JSON.parse(await readFile(json, 'utf8')) as { results: ChaosRunResult[] };
    const slow = report.results[0]?.phases.find((p) => p.name === 'slow');
    const latency = slow?.verdicts.find((v) => v.type === 'latency');
    expect(latency?.passed, JSON.stringify(slow?.verdicts)).toBe(false);
    expect(latency?.observed).toBeGreaterThanOrEqual(400);
    expect(await ours()).toEqual([]);
  });

  it('leaves no container behind after SIGTERM during set-up (as soon as the container exists)', async () => {
    const json = path.join(work, 'setup-term.json');
    const { child, output } = startRun(await scenario('container-setup-term', '2s', '20s'), json);
    const exited = once(child, 'exit') as Promise<[number | null]>;
    await waitFor(async () => (await ours()).length === 1, 30_000).catch(() => {
      throw new Error(`no container was created:\n${output()}`);
    });
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, output()).toBe(143);
    expect(await ours(), output()).toEqual([]);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no container behind after ${signal} during the fault phase`, async () => {
      const json = path.join(work, `${signal}.json`);
      const { child, output } = startRun(await scenario(`container-${signal.toLowerCase()}`, '2s', '20s'), json);
      const exited = once(child, 'exit') as Promise<[number | null]>;
      // The container runs and the fault phase has begun: the toxic is on its Toxiproxy.
      await waitFor(async () => {
        const url = /started a private Toxiproxy at (\S+)/.exec(output())?.[1];
        if (!url || (await ours()).length !== 1) return false;
        const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, { toxics: unknown[] }>;
        return Object.values(proxies).some((p) => p.toxics.length > 0);
      }, 30_000).catch(() => {
        throw new Error(`the run never reached its fault phase with a container:\n${output()}`);
      });
      child.kill(signal);
      const [code] = await exited;
      if (signal === 'SIGKILL') {
        // Nobody in the runner removed it: the reaper does, once the runner is gone.
        await waitFor(async () => (await ours()).length === 0, 10_000).catch(async () => {
          throw new Error(`still there 10 s after SIGKILL: ${(await ours()).map((c) => c.id).join(', ')}`);
        });
      } else {
        expect(code, output()).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(await ours(), output()).toEqual([]);
      }
    });
  }
});
