import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../../src/evidence/otlp-receiver.js';
import { readSpans } from '../support/instrument-process.ts';
import { ROOT } from '../support/services.ts';

// An app that calls process.exit() itself, right after its last request, with a
// batch delay (5 s) far longer than its life: every span must still arrive,
// flushed synchronously at the `exit` event (src/instrument/export/exit-flush.ts).
const FIXTURE = path.join(ROOT, 'test/fixtures/instrument/exit-app.cjs');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the fixture; with EXIT=signal, sends REQUESTS requests then SIGTERM. */
async function run(env: NodeJS.ProcessEnv): Promise<Ended> {
  const child = spawn(process.execPath, ['--import', 'msa-verify/instrument', FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, OTEL_BSP_SCHEDULE_DELAY: '5000', OTEL_SERVICE_NAME: 'exiting', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let driven = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const m = /listening (\d+)/.exec(stdout);
    if (m && env.EXIT === 'signal' && !driven) {
      driven = true;
      void (async () => {
        for (let i = 0; i < Number(env.REQUESTS ?? 5); i++)
          await (await fetch(`http://127.0.0.1:${m[1]}/item/${i}`)).text();
        child.kill('SIGTERM');
      })();
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('no span lost when the app calls process.exit() itself', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it.each(['signal', 'script'] as const)('file exporter, exit in %s', async (exit) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'msav-exit-')), 'spans.jsonl');
    const ended = await run({ EXIT: exit, MSA_VERIFY_TRACES_FILE: file });
    expect(ended.code, ended.stderr).toBe(0);
    const servers = readSpans(file).filter((s) => s.kind === 'SERVER');
    expect(servers).toHaveLength(5);
    if (exit === 'script') expect(readSpans(file).filter((s) => s.kind === 'CLIENT')).toHaveLength(5);
  });

  it.each(['signal', 'script'] as const)('console exporter, exit in %s', async (exit) => {
    const ended = await run({ EXIT: exit, OTEL_TRACES_EXPORTER: 'console' });
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout.match(/kind: 1,/g) ?? []).toHaveLength(5);
  });

  it.each([
    ['http/protobuf', 'worker', 'signal'],
    ['http/protobuf', 'worker', 'script'],
    ['http/protobuf', 'main', 'signal'],
    ['http/protobuf', 'main', 'script'],
    ['http/json', 'worker', 'signal'],
    ['http/json', 'worker', 'script'],
  ] as const)('OTLP %s (export thread %s) to a real receiver, exit in %s', async (protocol, thread, exit) => {
    const receiver = new OtlpReceiver({ port: 0 });
    const { endpoint } = await receiver.start();
    cleanup.push(() => receiver.close());
    const t0 = Date.now();
    const ended = await run({
      EXIT: exit,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
      MSA_VERIFY_EXPORT_THREAD: thread,
    });
    expect(ended.code, ended.stderr).toBe(0);
    // The receiver has answered each export before the app could exit: no wait needed.
    const spans = await receiver.spans({ from: t0 - 1000, to: Date.now() + 1000 });
    expect(spans.filter((s) => s.kind === 'server' && s.service === 'exiting')).toHaveLength(5);
    expect(ended.stderr).not.toContain('not sent at exit');
  });

  it('a collector that never answers delays the exit by MSA_VERIFY_FLUSH_TIMEOUT_MS at most', async () => {
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s)).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          silent.close(() => r());
        }),
    );
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const started = Date.now();
    const ended = await run({
      EXIT: 'script',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
      MSA_VERIFY_FLUSH_TIMEOUT_MS: '300',
    });
    expect(ended.code, ended.stderr).toBe(0);
    // Generous bound (2 shared cores): the process start alone takes most of it.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
