import { MsaVerifyError } from '../../core/errors.js';
import { describeNetError } from '../../core/probe.js';
import type { ToxiproxyToxic } from '../scenario/toxics.js';

/** A proxy as Toxiproxy reports it. */
export interface ToxiproxyProxy {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: readonly (ToxiproxyToxic & { readonly name: string })[];
}

/** Options for {@link ToxiproxyClient}. */
export interface ToxiproxyClientOptions {
  /** Per-call timeout in milliseconds. Default 3000. Toxiproxy can hang deleting a toxic under traffic. */
  readonly timeoutMs?: number;
}

/**
 * Thin adapter over Toxiproxy's HTTP API using fetch. Every call is bounded by
 * a timeout; network failures throw `MSAV_TOXIPROXY_UNAVAILABLE`, refusals
 * `MSAV_TOXIPROXY_REQUEST_FAILED` (both exit 3).
 */
export class ToxiproxyClient {
  readonly url: string;
  readonly #timeoutMs: number;

  constructor(url: string, options: ToxiproxyClientOptions = {}) {
    this.url = url.replace(/\/$/, '');
    this.#timeoutMs = options.timeoutMs ?? 3000;
  }

  /** Server version; doubles as the reachability probe. */
  async version(): Promise<string> {
    const text = await this.#call('GET', '/version');
    try {
      return String((JSON.parse(text) as { version?: unknown }).version ?? text);
    } catch {
      return text.trim();
    }
  }

  async listProxies(): Promise<ToxiproxyProxy[]> {
    return Object.values(JSON.parse(await this.#call('GET', '/proxies')) as Record<string, ToxiproxyProxy>);
  }

  async createProxy(proxy: { name: string; listen: string; upstream: string; enabled?: boolean }): Promise<void> {
    await this.#call('POST', '/proxies', { enabled: true, ...proxy });
  }

  /** Enables or disables a proxy (disabled: listener closed, connections dropped). */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.#call('POST', `/proxies/${encodeURIComponent(name)}`, { enabled });
  }

  /** Deletes a proxy (and its toxics); a missing proxy is not an error. */
  async deleteProxy(name: string): Promise<void> {
    await this.#call('DELETE', `/proxies/${encodeURIComponent(name)}`, undefined, [404]);
  }

  async addToxic(proxy: string, toxic: ToxiproxyToxic & { name: string }): Promise<void> {
    await this.#call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic);
  }

  /** Removes a toxic; a missing toxic or proxy is not an error. */
  async removeToxic(proxy: string, toxic: string): Promise<void> {
    await this.#call(
      'DELETE',
      `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`,
      undefined,
      [404],
    );
  }

  /** Removes every toxic and re-enables every proxy of this server. Only for a Toxiproxy the run owns. */
  async reset(): Promise<void> {
    await this.#call('POST', '/reset');
  }

  async #call(method: string, path: string, body?: unknown, tolerated: readonly number[] = []): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new MsaVerifyError(
        'MSAV_TOXIPROXY_UNAVAILABLE',
        `Toxiproxy at ${this.url} did not answer ${method} ${path}: ${describeNetError(cause)}`,
        { cause },
      );
    }
    const text = await res.text();
    if (res.ok || tolerated.includes(res.status)) return text;
    throw new MsaVerifyError(
      'MSAV_TOXIPROXY_REQUEST_FAILED',
      `Toxiproxy at ${this.url} refused ${method} ${path}: HTTP ${res.status} ${text.trim().slice(0, 200)}`,
    );
  }
}
