// Trace evidence from a containerised Jaeger: a scenario with
// `traces.jaeger.container` makes the run start a private Jaeger (the
// msa-verify/jaeger image) whose OTLP receiver listens on a port the scenario
// names; an instrumented caller exports its spans there, and the `retry`
// expectation, given only the caller (so spans are its only evidence), judges
// from them. Without spans it would have nothing to judge and fail. The Jaeger
// and the Toxiproxy containers are gone after the run.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineAddress, LABEL_MANAGED, listContainers } from '../../src/containers/index.js';
import type { ChaosRunResult } from '../../src/core/results.js';
import { freePort, waitFor } from '../support/net.js';
import { ROOT } from '../support/services.js';

const noDocker = process.env.MSAV_NO_DOCKER;

let dependency: http.Server;
let caller: ChildProcess | undefined;
let work: string;

beforeAll(async () => {
  if (noDocker) return;
  dependency = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => dependency.listen(0, '127.0.0.1', resolve));
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-containers-traces-'));
  await writeFile(
    path.join(work, 'msa-verify.config.yaml'),
    `version: 1\nchaos: { journalDir: "${path.join(work, 'journal')}" }\n`,
  );
});

afterAll(async () => {
  if (noDocker) return;
  caller?.kill('SIGTERM');
  await new Promise((resolve) => dependency?.close(resolve));
  expect(await listContainers(engineAddress(), [])).toEqual([]);
});

/** Starts the instrumented caller; its calls go to `depUrl`, its spans to `otlpPort`. */
async function startCaller(depUrl: string, otlpPort: number): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'msa-verify/instrument', path.join(ROOT, 'test/fixtures/containers/caller.mjs')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DEP_URL: depUrl,
        OTEL_SERVICE_NAME: 'caller',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${otlpPort}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  caller = child;
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await waitFor(() => out.includes('listening'), 20_000);
  return `http://127.0.0.1:${/listening (\d+)/.exec(out)?.[1]}`;
}

/** Runs the scenario with its Jaeger on `jaegerOtlpPort`; the caller exports to `callerOtlpPort`. */
async function run(
  name: string,
  jaegerOtlpPort: number,
  callerOtlpPort: number,
): Promise<{
  code: number | null;
  output: string;
  retry: ChaosRunResult['phases'][number]['verdicts'][number] | undefined;
}> {
  const { port: depPort } = dependency.address() as AddressInfo;
  const listen = await freePort();
  caller?.kill('SIGTERM');
  const target = await startCaller(`http://127.0.0.1:${listen}/`, callerOtlpPort);
  const file = path.join(work, `${name}.yaml`);
  await writeFile(
    file,
    `version: 1
name: ${name}
toxiproxy: { managed: container }
traces:
  jaeger: { container: { otlpPort: ${jaegerOtlpPort} }, services: [caller] }
proxies:
  - { name: dep, listen: "127.0.0.1:${listen}", upstream: "127.0.0.1:${depPort}" }
load:
  target: ${target}
  rate: 10
  timeout: 3s
  requests: [{ method: GET, path: / }]
phases:
  - { name: warm, kind: steady, duration: 1s }
  - name: slow
    kind: fault
    duration: 2s
    faults: [{ proxy: dep, type: latency, latency: 200ms }]
    expect: [{ type: retry, caller: caller, maxAttempts: 1 }]
`,
  );
  const json = path.join(work, `${name}.json`);
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'chaos', 'run', file, '--json', json], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOCKER_HOST: process.env.DOCKER_HOST ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const report = JSON.parse(await readFile(json, 'utf8')) as { results: ChaosRunResult[] };
  const retry = report.results[0]?.phases.find((p) => p.name === 'slow')?.verdicts.find((v) => v.type === 'retry');
  return { code, output, retry };
}

describe.skipIf(noDocker)('trace evidence from a containerised Jaeger', () => {
  it('judges retry from the spans the caller exported to the run’s Jaeger container', async () => {
    const otlpPort = await freePort();
    const { code, output, retry } = await run('container-traces', otlpPort, otlpPort);
    expect(output).toMatch(
      /started a private Jaeger at http:\/\/127\.0\.0\.1:\d+ \(container [0-9a-f]{12}, msa-verify\/jaeger:1\.76\.0\); OTLP\/HTTP at http:\/\/127\.0\.0\.1:\d+\/v1\/traces/,
    );
    expect(code, output).toBe(0);
    // Judged from traces: the message counts traces, which only spans can give.
    expect(retry?.passed, JSON.stringify(retry)).toBe(true);
    expect(retry?.message).toMatch(/\((\d+) traces, 0 retried, most attempts 1 \(trace [0-9a-f]{32}\)\)/);
    expect(await listContainers(engineAddress(), [`${LABEL_MANAGED}=true`])).toEqual([]);
  });

  it('has nothing to judge, and fails, when the caller’s spans go elsewhere', async () => {
    const { code, output, retry } = await run('container-no-traces', await freePort(), await freePort());
    expect(code, output).toBe(1);
    expect(retry?.passed).toBe(false);
    expect(retry?.message).toContain('no client spans (caller caller)');
    expect(await listContainers(engineAddress(), [`${LABEL_MANAGED}=true`])).toEqual([]);
  });
});
