// A small client for etcd's v3 JSON gateway (HTTP + JSON, part of every etcd
// v3 server): msa-verify needs only range, put, a compare-and-swap and the
// lease's time to live, so no gRPC client is pulled in. Keys and values travel
// base64-encoded; int64 fields arrive as decimal strings.
import { describeNetError } from '../probe.js';

/** One key-value pair as stored, value as raw base64 (so it can be restored byte for byte). */
export interface EtcdEntry {
  readonly key: string;
  /** Base64 of the value. */
  readonly valueB64: string;
  /** The value decoded as UTF-8. */
  readonly value: string;
  /** Revision of the last change to this key. */
  readonly modRevision: string;
  /** Lease id (decimal string); `'0'` when the key has no lease. */
  readonly lease: string;
}

/** A call to etcd failed (unreachable, or an error answer). */
export class EtcdCallError extends Error {
  override readonly name = 'EtcdCallError';
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Calls one etcd member's JSON gateway; every call bounded by `timeoutMs` (default 3000). */
export class EtcdClient {
  readonly url: string;
  readonly #timeoutMs: number;

  constructor(url: string, options: { timeoutMs?: number } = {}) {
    this.url = url.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 3000;
  }

  /** The entry at `key`, or null when there is none. */
  async get(key: string): Promise<EtcdEntry | null> {
    const body = (await this.#call('/v3/kv/range', { key: b64(key) })) as { kvs?: RawKv[] };
    const kv = body.kvs?.[0];
    return kv ? toEntry(kv) : null;
  }

  /**
   * Replaces the value of `key` only while it still holds `expectedB64` (a
   * compare-and-swap), keeping the key's lease. True when it was replaced.
   */
  async swap(key: string, expectedB64: string, newB64: string): Promise<boolean> {
    const body = (await this.#call('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'VALUE', result: 'EQUAL', value: expectedB64 }],
      success: [{ request_put: { key: b64(key), value: newB64, ignore_lease: true } }],
    })) as { succeeded?: boolean };
    return body.succeeded === true;
  }

  /** Writes `key` (tests and tools; the runner only swaps). `lease` binds it to a lease. */
  async put(key: string, value: string, lease?: string): Promise<void> {
    await this.#call('/v3/kv/put', { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) });
  }

  /** Seconds the lease has left; -1 when it has expired or never existed. */
  async leaseTtl(lease: string): Promise<number> {
    const body = (await this.#call('/v3/lease/timetolive', { ID: lease })) as { TTL?: string };
    return Number(body.TTL ?? -1);
  }

  async #call(path: string, payload: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new EtcdCallError(`etcd ${this.url}: ${describeNetError(error)}`, { cause: error });
    }
    const text = await res.text();
    if (!res.ok) throw new EtcdCallError(`etcd ${this.url}${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new EtcdCallError(`etcd ${this.url}${path}: not JSON: ${text.slice(0, 200)}`);
    }
  }
}

interface RawKv {
  key: string;
  value?: string;
  mod_revision?: string;
  lease?: string;
}

function toEntry(kv: RawKv): EtcdEntry {
  const valueB64 = kv.value ?? '';
  return {
    key: Buffer.from(kv.key, 'base64').toString('utf8'),
    valueB64,
    value: Buffer.from(valueB64, 'base64').toString('utf8'),
    modRevision: kv.mod_revision ?? '0',
    lease: kv.lease ?? '0',
  };
}
