import { freePort } from '../core/net.js';
import { probeHttp } from '../core/probe.js';
import { TOXIPROXY_IMAGE } from './images.js';
import { type ManagedContainer, startContainer } from './start.js';

/** A Toxiproxy server running in a container this process started. */
export interface ToxiproxyContainer extends ManagedContainer {
  /** API URL on 127.0.0.1. */
  readonly url: string;
}

/** Options for {@link startToxiproxyContainer}. */
export interface ToxiproxyContainerOptions {
  /** Default `msa-verify/toxiproxy:2.12.0` (built locally, FROM scratch). */
  readonly image?: string;
  /** Milliseconds to wait for the API. Default 20000. */
  readonly startTimeoutMs?: number;
}

/**
 * Starts a private Toxiproxy in a container on the host network, its API on
 * 127.0.0.1 and a free port; ready when `GET /version` answers.
 * @throws MsaVerifyError `MSAV_COMPONENT_UNAVAILABLE` (exit 3), see {@link startContainer}.
 */
export async function startToxiproxyContainer(options: ToxiproxyContainerOptions = {}): Promise<ToxiproxyContainer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const container = await startContainer({
    image: options.image ?? TOXIPROXY_IMAGE,
    role: 'toxiproxy',
    command: ['-host', '127.0.0.1', '-port', String(port)],
    ready: async () => (await probeHttp(`${url}/version`, { timeoutMs: 500 })).ok,
    ...(options.startTimeoutMs ? { startTimeoutMs: options.startTimeoutMs } : {}),
  });
  return Object.assign(container, { url });
}
