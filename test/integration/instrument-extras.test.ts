import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSpans } from '../support/instrument-process.ts';
import { freePort, waitFor } from '../support/net.ts';
import { ROOT } from '../support/services.ts';

interface Started {
  url: string;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: (s: NodeJS.Signals) => void;
}

async function startExtras(env: NodeJS.ProcessEnv, preload = true): Promise<Started> {
  const file = path.join(ROOT, 'test/fixtures/instrument/extras.mjs');
  const child = spawn(process.execPath, [...(preload ? ['--import', 'msa-verify/instrument'] : []), file], {
    cwd: ROOT,
    env: { ...process.env, OTEL_BSP_SCHEDULE_DELAY: '5000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await waitFor(() => /listening \d+/.test(out));
  const port = Number(/listening (\d+)/.exec(out)![1]);
  return { url: `http://127.0.0.1:${port}`, out: () => out, exit, kill: (s) => child.kill(s) };
}

describe('preload extras (fastify, winston, metrics, redaction, signals)', () => {
  it('names fastify routes, redacts secrets, adds ids to winston lines, serves RED metrics; SIGTERM flushes and still ends the process by the signal', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'msav-extras-')), 'spans.jsonl');
    const metricsPort = await freePort();
    const app = await startExtras({
      OTEL_SERVICE_NAME: 'extras',
      MSA_VERIFY_TRACES_FILE: file,
      MSA_VERIFY_METRICS_PORT: String(metricsPort),
      MSA_VERIFY_CAPTURE_HEADERS: 'authorization,x-correlation-id,x-api-key,api-key,x-auth-token,x-amz-security-token',
    });
    const res = await fetch(`${app.url}/users/42`, { headers: { 'x-correlation-id': 'ext-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-correlation-id')).toBe('ext-1');
    expect((await fetch(`${app.url}/fail`)).status).toBe(503);
    expect((await fetch(`${app.url}/api/items/7`)).status).toBe(200);
    expect((await fetch(`${app.url}/nowhere`)).status).toBe(404);

    // Spans end on the response's close event, which can trail the client's read by a moment.
    let metrics = '';
    await waitFor(async () => {
      metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return metrics.includes('route="/fail"');
    });
    expect(metrics).toContain(
      'msa_verify_http_server_duration_seconds_count{service="extras",method="GET",route="/users/:id",status_code="200"} 1',
    );
    expect(metrics).toContain('route="/fail",status_code="503"} 1');
    expect(metrics).toMatch(
      /msa_verify_http_client_duration_seconds_count\{service="extras",peer="127.0.0.1:\d+",method="GET",status_code="200"\} 1/,
    );

    const winstonLine = app
      .out()
      .split('\n')
      .find((l) => l.includes('user fetched'))!;
    expect(JSON.parse(winstonLine)).toMatchObject({
      correlation_id: 'ext-1',
      trace_id: expect.any(String),
      span_id: expect.any(String),
    });

    // The batch delay is 5 s: spans can only be in the file now if SIGTERM flushed them.
    app.kill('SIGTERM');
    const end = await app.exit;
    expect(end).toEqual({ code: null, signal: 'SIGTERM' });
    const spans = readSpans(file);
    const server = spans.find((s) => s.kind === 'SERVER' && s.attributes['http.route'] === '/users/:id')!;
    expect(server.name).toBe('GET /users/:id');
    // A route of a plugin registered with a prefix carries the full path; an unknown path has no route.
    expect(spans.filter((s) => s.kind === 'SERVER').map((s) => s.name)).toEqual(
      expect.arrayContaining(['GET /api/items/:id', 'GET']),
    );
    const missing = spans.find((s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/nowhere')!;
    expect(missing.name).toBe('GET');
    expect(missing.attributes['http.route']).toBeUndefined();
    const client = spans.find((s) => s.kind === 'CLIENT')!;
    expect(client.attributes['url.full']).toContain('api_key=REDACTED');
    expect(client.attributes['url.full']).toContain('page=2');
    const plain = spans.find((s) => s.kind === 'SERVER' && s.attributes['http.route'] === '/plain')!;
    expect(plain.attributes['http.request.header.authorization']).toEqual(['REDACTED']);
    for (const header of ['x-api-key', 'api-key', 'x-auth-token', 'x-amz-security-token']) {
      expect(plain.attributes[`http.request.header.${header}`], header).toEqual(['REDACTED']);
      expect(client.attributes[`http.request.header.${header}`], header).toEqual(['REDACTED']);
    }
    expect(JSON.stringify(spans)).not.toContain('secret-token');
    expect(JSON.stringify(spans)).not.toContain('secret-key');
    expect(plain.attributes['correlation.id']).toBe('ext-1');
  });

  it('an app that handles SIGTERM itself keeps its own exit code', async () => {
    const app = await startExtras({ SIGNAL_HANDLER: '1', OTEL_SERVICE_NAME: 'extras' });
    app.kill('SIGTERM');
    expect(await app.exit).toEqual({ code: 7, signal: null });
    expect(app.out()).toContain('app handled SIGTERM');
  });

  it('without the app handler and without the preload the process also ends by SIGTERM (baseline)', async () => {
    const app = await startExtras({}, false);
    app.kill('SIGTERM');
    expect(await app.exit).toEqual({ code: null, signal: 'SIGTERM' });
  });
});
