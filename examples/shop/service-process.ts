import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The services of the shop. */
export type ServiceName =
  | 'gateway'
  | 'orders'
  | 'products'
  | 'delivery'
  | 'customers'
  | 'notifications'
  | 'inventory'
  | 'identity';

/** Repository root (the services run with it as working directory). */
export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Lines of a service's output kept in memory for error messages. */
const TAIL_LINES = 40;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago; `preferred` when it is
 * free. Otherwise one drawn at random below Linux's ephemeral range
 * (32768-60999): a port from bind(0) is what the kernel also gives the next
 * outgoing connection, which could take it before the service listens.
 */
export async function freePort(preferred = 0): Promise<number> {
  if (preferred !== 0) {
    const port = await tryListen(preferred);
    if (port !== undefined) return port;
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await tryListen(20_000 + Math.floor(Math.random() * 12_768));
    if (port !== undefined) return port;
  }
  return (await tryListen(0))!;
}

/** Listens on `port` and closes again: the port bound, or undefined when `port` was taken. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (port !== 0 && (error.code === 'EADDRINUSE' || error.code === 'EACCES')) resolve(undefined);
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** The service could not listen: its port was taken (by the time it tried). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** The project-local Python environment (scripts/python-venv) the Python services run in. */
export const PYTHON_VENV = path.join(ROOT, '.tools/venv');

/**
 * Program and arguments that start a service. Node services run with type
 * stripping (`preload`: with `--import msa-verify/instrument`); the Python
 * service (inventory) runs in the project's venv (`preload`: under
 * OpenTelemetry's `opentelemetry-instrument`).
 */
export function serviceCommand(name: ServiceName, preload: boolean): [string, string[]] {
  if (name === 'inventory') {
    const python = path.join(PYTHON_VENV, 'bin/python');
    const main = path.join(ROOT, 'examples/shop/inventory/main.py');
    if (!existsSync(python)) {
      throw new Error(
        `inventory needs the Python environment ${PYTHON_VENV}: run scripts/python-venv (or scripts/setup)`,
      );
    }
    return preload ? [path.join(PYTHON_VENV, 'bin/opentelemetry-instrument'), [python, main]] : [python, [main]];
  }
  const main = path.join(ROOT, 'examples/shop', name, 'main.ts');
  return [process.execPath, [...(preload ? ['--import', 'msa-verify/instrument'] : []), main]];
}

/** Options for {@link ServiceProcess.start}. */
export interface StartProcessOptions {
  env: NodeJS.ProcessEnv;
  preload: boolean;
  logDir?: string;
  /** Paths that must answer 200 before the service counts as started, e.g. ['/health']. */
  readyPaths: readonly string[];
  timeoutMs: number;
  /** PEM contents the readiness probe presents and trusts when the service speaks https (mtls). */
  tls?: { ca: Buffer; cert: Buffer; key: Buffer };
}

/** GETs `url` (http: with fetch, https: with node:https and `tls`); true when it answered 200 within 1 s. */
function answers200(url: string, tls: StartProcessOptions['tls']): Promise<boolean> {
  if (!url.startsWith('https:')) {
    return fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => {
        await r.body?.cancel();
        return r.status === 200;
      },
      () => false,
    );
  }
  return new Promise((resolve) => {
    const req = https.get(url, { ...tls, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * One running service: a child Node process started with type stripping,
 * its stdin kept as a pipe so it exits when this process dies (see
 * shared/lifecycle.ts), its output kept (tail in memory, all in logDir).
 */
export class ServiceProcess {
  readonly name: ServiceName;
  readonly port: number;
  /** `https` when the service runs with SHOP_SECURITY=mtls. */
  readonly scheme: 'http' | 'https';
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #tail: string[] = [];
  #log: WriteStream | undefined;
  #listening = false;

  constructor(name: ServiceName, port: number, scheme: 'http' | 'https' = 'http') {
    this.name = name;
    this.port = port;
    this.scheme = scheme;
  }

  /** Base URL, e.g. http://127.0.0.1:40123 (https:// in mtls mode). */
  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
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
    const [command, args] = serviceCommand(this.name, options.preload);
    const env = { ...options.env, PORT: String(this.port), HOST: '127.0.0.1', SHOP_EXIT_WITH_PARENT: '1' };
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
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
      await this.#waitReady(options.readyPaths, options.timeoutMs, options.tls);
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

  // The service's JSON line (pino's, or inventory's log.py) `{"msg":"listening","port":N}`: proof that our child, not
  // some other process that took the port meanwhile, answers on it.
  #isListeningLine(line: string): boolean {
    try {
      const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
      return entry.msg === 'listening' && entry.port === this.port;
    } catch {
      return false;
    }
  }

  async #waitReady(paths: readonly string[], timeoutMs: number, tls: StartProcessOptions['tls']): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#listening) {
      if (!this.running) throw new Error(`the process exited (code ${this.#child?.exitCode ?? 'none'})`);
      if (Date.now() > deadline) throw new Error(`it did not log "listening" within ${timeoutMs} ms`);
      await sleep(50);
    }
    for (const p of paths) {
      for (;;) {
        if (!this.running) throw new Error(`the process exited (code ${this.#child?.exitCode ?? 'none'})`);
        const ok = await answers200(`${this.url}${p}`, tls);
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

  /** Kills the child with SIGKILL (a crash) and resolves once it exited; start() may follow. */
  async crash(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    if (this.running) {
      child.kill('SIGKILL');
      await this.#exited;
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
