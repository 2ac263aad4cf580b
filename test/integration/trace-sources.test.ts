// Trace checks with the embedded OTLP receiver as the span source (a real
// instrumented service exports to it), and the environment errors (exit 3) of
// an unreachable target or Jaeger.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceRun } from '../../src/app/trace.js';
import { runCli } from '../support/cli.js';
import { type FixtureProcess, startFixture } from '../support/instrument-process.js';
import { freePort } from '../support/net.js';
import { ROOT } from '../support/services.js';

let work: string;
let port: number;
let service: FixtureProcess;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-trace-sources-'));
  port = await freePort();
  await writeFile(path.join(work, 'none.yaml'), 'version: 1\n');
  service = await startFixture('mjs', {
    ROLE: 'echo',
    OTEL_SERVICE_NAME: 'echo',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
  });
});

afterAll(async () => {
  await service?.stop();
});

async function check(name: string, lines: string[]): Promise<string> {
  const file = path.join(work, `${name}.yaml`);
  await writeFile(file, ['version: 1', `name: ${name}`, ...lines, ''].join('\n'));
  return file;
}

describe('trace checks: OTLP receiver source and unreachable components', () => {
  it('the embedded OTLP receiver collects the spans the service exports during the check', async () => {
    const file = await check('otlp-echo', [
      `send: { http: { url: "${service.url}/echo", expectStatus: 200 } }`,
      `source: { otlp: { port: ${port} } }`,
      'wait: 5s',
      'expect: { root: echo }',
    ]);
    const outcome = await traceRun({ files: [file], cwd: ROOT, config: path.join(work, 'none.yaml') });
    const r = outcome.results[0]!;
    expect(r.passed, JSON.stringify(r.verdicts)).toBe(true);
    expect(r.source).toBe('otlp-receiver');
    expect(r.spans[0]).toMatchObject({ service: 'echo', kind: 'server', correlationId: r.correlationId });
  });

  it('an unreachable target and an unreachable Jaeger exit 3', async () => {
    const closed = await freePort();
    const target = await check('no-target', [
      `send: { http: { url: "http://127.0.0.1:${closed}/x" } }`,
      `source: { jaeger: { url: "http://127.0.0.1:${closed}" } }`,
      'expect: { root: echo }',
    ]);
    const r1 = await runCli(['trace', target, '--config', path.join(work, 'none.yaml')]);
    expect(r1.code).toBe(3);
    expect(r1.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/x: ECONNREFUSED \[MSAV_TARGET_UNREACHABLE\]/);
    const jaeger = await check('no-jaeger', [
      `send: { http: { url: "${service.url}/echo" } }`,
      `source: { jaeger: { url: "http://127.0.0.1:${closed}" } }`,
      'wait: 1s',
      'expect: { root: echo }',
    ]);
    const r2 = await runCli(['trace', jaeger, '--config', path.join(work, 'none.yaml')]);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(
      /Jaeger query http:\/\/127\.0\.0\.1:\d+\/api\/traces\?service=echo failed.*\[MSAV_COMPONENT_UNAVAILABLE\]/,
    );
  });
});
