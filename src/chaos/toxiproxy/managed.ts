import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeEngine } from '../../containers/engine.js';
import { MsaVerifyError } from '../../core/errors.js';
import { freePort } from '../../core/net.js';
import { probeHttp } from '../../core/probe.js';

/** A Toxiproxy server started by (and owned by) this run. */
export interface ManagedToxiproxy {
  readonly url: string;
  /** Process id of the server, recorded in the journal so a watchdog can stop it. */
  readonly pid: number;
  readonly binary: string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startManagedToxiproxy}. */
export interface ManagedToxiproxyOptions {
  /** Explicit binary; default `.tools/bin/toxiproxy-server` under `cwd`, then `toxiproxy-server` on PATH. */
  readonly binary?: string;
  readonly cwd?: string;
  /** Milliseconds to wait for the API. Default 10000. */
  readonly startTimeoutMs?: number;
}

/** Finds the toxiproxy-server binary, or null. */
export function findToxiproxyBinary(cwd: string, explicit?: string): string | null {
  if (explicit) {
    const p = path.resolve(cwd, explicit);
    return existsSync(p) ? p : null;
  }
  const local = path.join(cwd, '.tools/bin/toxiproxy-server');
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, 'toxiproxy-server');
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * Starts a private Toxiproxy on 127.0.0.1 and a free port. Without a binary it
 * says what to do: install it, or use `toxiproxy.url`; a Docker engine is
 * probed so that the message can point at the container route (`managed: container`).
 * @throws MsaVerifyError `MSAV_TOXIPROXY_UNAVAILABLE` (exit 3).
 */
export async function startManagedToxiproxy(options: ManagedToxiproxyOptions = {}): Promise<ManagedToxiproxy> {
  const cwd = options.cwd ?? process.cwd();
  const binary = findToxiproxyBinary(cwd, options.binary);
  if (!binary) {
    const docker = (await probeEngine()).ok;
    throw new MsaVerifyError(
      'MSAV_TOXIPROXY_UNAVAILABLE',
      `managed Toxiproxy: no toxiproxy-server binary (${options.binary ?? '.tools/bin/toxiproxy-server or PATH'}). ` +
        (docker
          ? 'A Docker engine answers: use managed: container (the msa-verify/toxiproxy image), or install the binary (scripts/setup).'
          : 'No Docker engine answers either (so no container route): install it with scripts/setup or set toxiproxy.url.'),
    );
  }
  const port = await freePort();
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  for (;;) {
    const failed = await Promise.race([spawnError, sleep(100).then(() => null)]);
    if (failed || child.exitCode !== null) {
      throw new MsaVerifyError('MSAV_TOXIPROXY_UNAVAILABLE', `managed Toxiproxy ${binary} did not start`, {
        cause: failed ?? undefined,
      });
    }
    if ((await probeHttp(`${url}/version`, { timeoutMs: 500 })).ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new MsaVerifyError('MSAV_TOXIPROXY_UNAVAILABLE', `managed Toxiproxy did not answer on ${url} in time`);
    }
  }
  const stop = (): Promise<void> => stopChild(child, exited);
  return { url, pid: child.pid ?? 0, binary, stop, [Symbol.asyncDispose]: stop };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = sleep(3000).then(() => 'timeout' as const);
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') child.kill('SIGKILL');
}
