// Starts the instrument test fixture (test/fixtures/instrument/service.*) as a
// real process with the preload, and reads the JSON-lines traces file.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SpanLine } from '../../src/instrument/export/file-exporter.ts';
import { ROOT } from './services.ts';

/** A started fixture process. */
export interface FixtureProcess {
  readonly child: ChildProcess;
  /** Port for HTTP roles; 0 for the consumer. */
  readonly port: number;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `<name>.<ext>` (default `service`) with `node --import msa-verify/instrument` and waits until it is ready. */
export function startFixture(
  ext: 'cjs' | 'mjs',
  env: NodeJS.ProcessEnv,
  preload = true,
  name = 'service',
): Promise<FixtureProcess> {
  const file = path.join(ROOT, 'test/fixtures/instrument', `${name}.${ext}`);
  const args = preload ? ['--import', 'msa-verify/instrument', file] : [file];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, OTEL_BSP_SCHEDULE_DELAY: '100', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture not ready in 15 s: ${out}\n${err}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) before ready: ${out}\n${err}`)));
    const onData = () => {
      const m = /listening (\d+)|consuming/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      const port = m[1] ? Number(m[1]) : 0;
      resolve({ child, port, url: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err, stop });
    };
    child.stdout!.on('data', onData);
  });
}

/** Spans in a traces file (empty when it does not exist yet). */
export function readSpans(file: string): SpanLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as SpanLine);
}
