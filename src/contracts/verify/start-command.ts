import { spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MsaVerifyError } from '../../core/errors.js';

/** Options for {@link startProviderCommand}. */
export interface StartCommandOptions {
  /** Shell command line. */
  readonly command: string;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Where readiness is checked: an http URL polled until it answers 2xx
   * (e.g. `http://127.0.0.1:8081/health`), or a host and port that must accept
   * a TCP connection.
   */
  readonly ready: { readonly http: string } | { readonly tcp: { readonly host: string; readonly port: number } };
  /** How long to wait for readiness, ms. Default 30000. */
  readonly timeoutMs?: number;
}

/** A provider process started for verification. */
export interface StartedProvider extends AsyncDisposable {
  stop(): Promise<void>;
}

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Starts a provider from a command and waits until it is ready: its health
 * URL answers 2xx, or (without one) its port accepts a TCP connection.
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
  const ready = options.ready;
  const where = 'http' in ready ? ready.http : `${ready.tcp.host}:${ready.tcp.port} (TCP)`;
  const isReady = async (): Promise<boolean> => {
    if ('tcp' in ready) return tcpConnects(ready.tcp.host, ready.tcp.port);
    try {
      const res = await fetch(ready.http, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 10_000; attempt += 1) {
    if (exited !== undefined) {
      throw new MsaVerifyError(
        'MSAV_TARGET_UNREACHABLE',
        `provider command exited with code ${exited} before ${where} was ready: ${stderr.trim().slice(-300)}`,
      );
    }
    if (await isReady()) return { stop, [Symbol.asyncDispose]: stop };
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  await stop();
  throw new MsaVerifyError(
    'MSAV_TARGET_UNREACHABLE',
    `provider command did not become ready at ${where} within ${timeoutMs}ms`,
  );
}
