import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The services of the shop. */
export type ServiceName = 'gateway' | 'orders' | 'products' | 'delivery' | 'customers';

/** Repository root (the services run with it as working directory). */
export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Lines of a service's output kept in memory for error messages. */
const TAIL_LINES = 40;

/** A TCP port on 127.0.0.1 that was free a moment ago; `preferred` when it is free. */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (preferred !== 0 && error.code === 'EADDRINUSE') resolve(freePort(0));
      else reject(error);
    });
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The service could not listen: its port was taken (by the time it tried). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** Options for {@link ServiceProcess.start}. */
export interface StartProcessOptions {
  env: NodeJS.ProcessEnv;
  preload: boolean;
  logDir?: string;
  /** Paths that must answer 200 before the service counts as started, e.g. ['/health']. */
  readyPaths: readonly string[];
  timeoutMs: number;
}

/**
 * One running service: a child Node process started with type stripping,
 * its stdin kept as a pipe so it exits when this process dies (see
 * shared/lifecycle.ts), its output kept (tail in memory, all in logDir).
 */
export class ServiceProcess {
  readonly name: ServiceName;
  readonly port: number;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #tail: string[] = [];
  #log: WriteStream | undefined;
  #listening = false;

  constructor(name: ServiceName, port: number) {
    this.name = name;
    this.port = port;
  }

  /** Base URL, e.g. http://127.0.0.1:40123. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** host:port, the form gRPC clients take (customers). */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** True while the child process runs. */
  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The last lines the service printed (for error messages). */
  tail(): string {
    return this.#tail.join('\n');
  }

  /** Starts the child and waits until every ready path answers 200; throws with the output tail otherwise. */
  async start(options: StartProcessOptions): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const main = path.join(ROOT, 'examples/shop', this.name, 'main.ts');
    const args = [...(options.preload ? ['--import', 'msa-verify/instrument'] : []), main];
    const env = { ...options.env, PORT: String(this.port), HOST: '127.0.0.1', SHOP_EXIT_WITH_PARENT: '1' };
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.#tail = [];
    this.#listening = false;
    this.#log = options.logDir
      ? createWriteStream(path.join(options.logDir, `${this.name}.log`), { flags: 'a' })
      : undefined;
    const collect = (chunk: Buffer): void => {
      this.#log?.write(chunk);
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      if (!this.#listening) this.#listening = lines.some((l) => this.#isListeningLine(l));
      this.#tail.push(...lines);
      if (this.#tail.length > TAIL_LINES) this.#tail.splice(0, this.#tail.length - TAIL_LINES);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.stdin?.on('error', () => {});
    // These pipes must not keep the launching process alive on their own.
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
    child.unref();
    try {
      await this.#waitReady(options.readyPaths, options.timeoutMs);
    } catch (error) {
      await this.stop();
      if (!this.#listening && /EADDRINUSE/.test(this.tail())) {
        throw new PortInUseError(`${this.name}: port ${this.port} is in use`);
      }
      throw new Error(
        `${this.name} did not start on ${this.url}: ${(error as Error).message}\n--- last output of ${this.name} ---\n${this.tail()}`,
      );
    }
  }

  // The service's pino line `{"msg":"listening","port":N}`: proof that our child, not
  // some other process that took the port meanwhile, answers on it.
  #isListeningLine(line: string): boolean {
    try {
      const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
      return entry.msg === 'listening' && entry.port === this.port;
    } catch {
      return false;
    }
  }

  async #waitReady(paths: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#listening) {
      if (!this.running) throw new Error(`the process exited (code ${this.#child?.exitCode ?? 'none'})`);
      if (Date.now() > deadline) throw new Error(`it did not log "listening" within ${timeoutMs} ms`);
      await sleep(50);
    }
    for (const p of paths) {
      for (;;) {
        if (!this.running) throw new Error(`the process exited (code ${this.#child?.exitCode ?? 'none'})`);
        const ok = await fetch(`${this.url}${p}`, { signal: AbortSignal.timeout(1000) }).then(
          async (r) => {
            await r.body?.cancel();
            return r.status === 200;
          },
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`${p} did not answer 200 within ${timeoutMs} ms`);
        await sleep(100);
      }
    }
  }

  /** Stops the child: SIGTERM, then SIGKILL after `graceMs` (default 5000). Resolves once it exited. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    if (this.running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
    child.stdin?.destroy();
    this.#child = undefined;
    await new Promise<void>((resolve) => (this.#log ? this.#log.end(resolve) : resolve()));
    this.#log = undefined;
  }

  /** Kills the child at once (synchronous; for process exit handlers). */
  killNow(): void {
    if (this.running) this.#child?.kill('SIGKILL');
  }
}
