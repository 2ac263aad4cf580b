import { request } from 'node:http';

/**
 * Where the Docker engine's API is: `DOCKER_HOST` (`unix://` or `tcp://`),
 * else the default socket `/var/run/docker.sock`.
 */
export interface EngineAddress {
  /** The DOCKER_HOST-style value, e.g. `unix:///var/run/docker.sock`. */
  readonly host: string;
  readonly socketPath?: string;
  readonly hostname?: string;
  readonly port?: number;
}

/** The engine address from the environment. */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): EngineAddress {
  const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return { host, socketPath: host.slice('unix://'.length) };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { host, hostname: url.hostname, port: Number(url.port || 2375) };
}

/** One answer of the engine's API. */
export interface EngineResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * One call to the Docker engine's HTTP API; bounded by `timeoutMs` (default 3000).
 * @throws Error when the engine cannot be reached or does not answer in time.
 */
export function engineCall(
  address: EngineAddress,
  method: 'GET' | 'DELETE' | 'HEAD',
  path: string,
  timeoutMs = 3000,
): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    const target = address.socketPath
      ? { socketPath: address.socketPath }
      : { host: address.hostname, port: address.port };
    const req = request({ ...target, method, path, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${address.host} did not answer within ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** What the engine says about itself. */
export type EngineProbe =
  | { readonly ok: true; readonly host: string; readonly version: string; readonly apiVersion: string }
  | { readonly ok: false; readonly host: string; readonly detail: string };

/** Asks the engine for its version; never throws. */
export async function probeEngine(env: NodeJS.ProcessEnv = process.env, timeoutMs = 2000): Promise<EngineProbe> {
  let address: EngineAddress;
  try {
    address = engineAddress(env);
  } catch {
    return {
      ok: false,
      host: env.DOCKER_HOST ?? '',
      detail: `DOCKER_HOST=${env.DOCKER_HOST} is not a unix:// or tcp:// address`,
    };
  }
  try {
    const res = await engineCall(address, 'GET', '/version', timeoutMs);
    if (res.status !== 200) return { ok: false, host: address.host, detail: `HTTP ${res.status} on ${address.host}` };
    const v = JSON.parse(res.body) as { Version?: string; ApiVersion?: string };
    return { ok: true, host: address.host, version: v.Version ?? '?', apiVersion: v.ApiVersion ?? '?' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail =
      code === 'ENOENT' ? `no socket at ${address.socketPath}` : `${address.host}: ${(error as Error).message}`;
    return { ok: false, host: address.host, detail };
  }
}

/** A container as the engine lists it. */
export interface ListedContainer {
  readonly id: string;
  readonly image: string;
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Containers (running or not) carrying every given label (`key` or `key=value`). */
export async function listContainers(address: EngineAddress, labels: readonly string[]): Promise<ListedContainer[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: labels }));
  const res = await engineCall(address, 'GET', `/containers/json?all=1&filters=${filters}`);
  if (res.status !== 200)
    throw new Error(`listing containers on ${address.host}: HTTP ${res.status} ${res.body.trim()}`);
  const listed = JSON.parse(res.body) as { Id: string; Image: string; State: string; Labels: Record<string, string> }[];
  return listed.map((c) => ({ id: c.Id, image: c.Image, state: c.State, labels: c.Labels ?? {} }));
}

/** Force-removes a container (and its anonymous volumes); true when it is gone (removed now or before). */
export async function removeContainer(address: EngineAddress, id: string): Promise<boolean> {
  const res = await engineCall(address, 'DELETE', `/containers/${encodeURIComponent(id)}?force=1&v=1`, 10_000);
  return res.status === 204 || res.status === 404;
}

/** True when the engine knows this container; throws when the engine cannot be asked. */
export async function containerExists(address: EngineAddress, id: string): Promise<boolean> {
  const res = await engineCall(address, 'GET', `/containers/${encodeURIComponent(id)}/json`);
  if (res.status === 404) return false;
  if (res.status === 200) return true;
  throw new Error(`inspecting container ${id} on ${address.host}: HTTP ${res.status}`);
}

/** True when the engine has this image (by `name:tag`). */
export async function imageExists(address: EngineAddress, image: string): Promise<boolean> {
  // Names keep their slashes: the API routes /images/{name}/json with slashes in the name.
  const res = await engineCall(address, 'GET', `/images/${image.split('/').map(encodeURIComponent).join('/')}/json`);
  if (res.status === 404) return false;
  if (res.status === 200) return true;
  throw new Error(`inspecting image ${image} on ${address.host}: HTTP ${res.status}`);
}
