import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { MsaVerifyError } from '../../core/errors.js';

/** Options for {@link startProviderCommand}. */
export interface StartCommandOptions {
  /** Shell command line. */
  readonly command: string;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** URL polled until it answers 2xx, e.g. `http://127.0.0.1:8081/health`. */
  readonly healthUrl: string;
  /** How long to wait for health, ms. Default 30000. */
  readonly timeoutMs?: number;
}

/** A provider process started for verification. */
export interface StartedProvider extends AsyncDisposable {
  stop(): Promise<void>;
}

/**
 * Starts a provider from a command and waits until its health URL answers 2xx.
 * The process runs in its own process group so that stop() ends it and its children.
 * @throws MsaVerifyError `MSAV_TARGET_UNREACHABLE` when it exits early or never becomes healthy.
 */
export async function startProviderCommand(options: StartCommandOptions): Promise<StartedProvider> {
  const child = spawn(options.command, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    shell: true,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  let exited: number | null | undefined;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited !== undefined || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const killed = await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]);
    if (!killed) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (let attempt = 0; attempt < 10_000; attempt += 1) {
    if (exited !== undefined) {
      throw new MsaVerifyError(
        'MSAV_TARGET_UNREACHABLE',
        `provider command exited with code ${exited} before ${options.healthUrl} was healthy: ${stderr.trim().slice(-300)}`,
      );
    }
    try {
      const res = await fetch(options.healthUrl, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return { stop, [Symbol.asyncDispose]: stop };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  await stop();
  throw new MsaVerifyError(
    'MSAV_TARGET_UNREACHABLE',
    `provider command did not become healthy at ${options.healthUrl}`,
  );
}
