import type { StartedTestContainer, WaitStrategy } from 'testcontainers';
import { MsaVerifyError } from '../core/errors.js';
import { engineAddress, imageExists, probeEngine } from './engine.js';
import { BUILD_HINT, LABEL_MANAGED, LABEL_PID, LABEL_ROLE, LABEL_SESSION } from './images.js';
import { reaperSession } from './reaper.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A container msa-verify started and removes. */
export interface ManagedContainer extends AsyncDisposable {
  readonly id: string;
  readonly image: string;
  /** The engine it runs on (a DOCKER_HOST value). */
  readonly engine: string;
  /** Stops and removes it; idempotent, bounded (about 5 s). */
  stop(): Promise<void>;
}

/** Options for {@link startContainer}. */
export interface StartContainerOptions {
  readonly image: string;
  /** What it is for; the `msa-verify.role` label and messages. */
  readonly role: string;
  readonly command: readonly string[];
  /** Resolves true once the container serves (probed every 100 ms). */
  readonly ready: () => Promise<boolean>;
  /** Files written into the container before it starts. */
  readonly files?: readonly { readonly content: string; readonly target: string }[];
  /** Milliseconds to wait for `ready`. Default 20000. */
  readonly startTimeoutMs?: number;
}

/**
 * Starts a container through testcontainers on the host network (the engine
 * runs without a bridge; the container's ports are this machine's), labelled
 * for msa-verify and its reaper, and waits until `ready`. The image must exist
 * locally: nothing is pulled. A container that does not become ready is removed.
 * @throws MsaVerifyError `MSAV_COMPONENT_UNAVAILABLE` (exit 3) when no engine
 *   answers, the image is missing, or the container does not become ready.
 */
export async function startContainer(options: StartContainerOptions): Promise<ManagedContainer> {
  const address = engineAddress(process.env);
  // Host networking puts the container's ports on the engine's machine: it must be this one.
  if (address.hostname !== undefined && !LOOPBACK.has(address.hostname)) {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `${options.role} container: DOCKER_HOST=${address.host} is another machine; the container route needs an engine on this one (its containers share this machine's network)`,
    );
  }
  const probe = await probeEngine(process.env);
  if (!probe.ok) {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `${options.role} container: no Docker engine answers (${probe.detail}); start one with scripts/services up docker, or set DOCKER_HOST`,
    );
  }
  if (!(await imageExists(address, options.image))) {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `${options.role} container: image ${options.image} is not on the engine at ${address.host}; ${BUILD_HINT}`,
    );
  }
  // testcontainers reads these when it first talks to the engine. Its reaper (Ryuk)
  // cannot run on a bridge-less engine (see reaper.ts); containers here share the
  // host network, so the host is this machine, not a bridge gateway.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const { GenericContainer, PullPolicy } = await import('testcontainers');
  const session = reaperSession(address);
  let container = new GenericContainer(options.image)
    .withNetworkMode('host')
    .withPullPolicy(PullPolicy.neverPull())
    .withCommand([...options.command])
    .withLabels({
      [LABEL_MANAGED]: 'true',
      [LABEL_PID]: String(process.pid),
      [LABEL_SESSION]: session,
      [LABEL_ROLE]: options.role,
    })
    .withWaitStrategy(new ReadyWhen(options.ready).withStartupTimeout(options.startTimeoutMs ?? 20_000));
  if (options.files?.length) container = container.withCopyContentToContainer([...options.files]);
  let started: StartedTestContainer;
  try {
    started = await container.start();
  } catch (cause) {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `${options.role} container (${options.image}) did not start: ${(cause as Error).message}`,
      { cause },
    );
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= started
      .stop({ timeout: 2000, remove: true, removeVolumes: true })
      .then(() => undefined)
      .catch(async () => {
        // Stopping failed (engine busy, container already gone): remove by force.
        const { removeContainer } = await import('./engine.js');
        await removeContainer(address, started.getId()).catch(() => undefined);
      });
    return stopping;
  };
  return { id: started.getId(), image: options.image, engine: address.host, stop, [Symbol.asyncDispose]: stop };
}

/** The part of testcontainers' container handle the wait uses. */
interface InspectableContainer {
  inspect(): Promise<{ State: { Running: boolean; ExitCode: number } }>;
}

/** Ready when a probe of this machine's address says so; fails early when the container exits. */
class ReadyWhen implements WaitStrategy {
  #timeoutMs = 20_000;
  #timeoutSet = false;
  readonly #ready: () => Promise<boolean>;

  constructor(ready: () => Promise<boolean>) {
    this.#ready = ready;
  }

  async waitUntilReady(container: InspectableContainer): Promise<void> {
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      if (await this.#ready().catch(() => false)) return;
      const state = (await container.inspect()).State;
      if (!state.Running) throw new Error(`the container exited with code ${state.ExitCode} before it was ready`);
      if (Date.now() > deadline) throw new Error(`not ready within ${this.#timeoutMs}ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.#timeoutMs = startupTimeoutMs;
    this.#timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.#timeoutSet;
  }

  getStartupTimeout(): number {
    return this.#timeoutMs;
  }
}
