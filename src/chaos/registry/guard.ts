// While a run lasts, each re-pointed entry is read every `periodMs`:
//   holds the run's value                 -> fine
//   names the same instance again          -> its owner re-registered (a new lease after the old
//                                             one expired, or a new value): re-point it again, journalled
//   holds exactly its original value+lease -> someone restored it (`chaos reset`): a loss, not re-pointed
//   gone, or names another address         -> the path through the proxy is lost: recorded, and the
//                                             run's registry verdict fails with when and why
import { setTimeout as sleep } from 'node:timers/promises';
import { entryAddress } from '../../core/discovery/entry-value.js';
import { EtcdClient } from '../../core/discovery/etcd-client.js';
import type { ChaosSession } from '../toxiproxy/session.js';

/** An entry the run re-pointed at one of its proxies. */
export interface RepointedEntry {
  /** Scenario proxy name. */
  readonly proxy: string;
  readonly url: string;
  readonly key: string;
  /** `host:port` of the registered instance (the proxy's upstream). */
  readonly instance: string;
  /** Where the entry points during the run (the proxy's listen address). */
  readonly listen: string;
  readonly replacementB64: string;
  /** The entry as it was before the run: value (base64) and lease. */
  readonly original: { readonly valueB64: string; readonly lease: string };
}

/** What the guard saw of one entry. */
export interface GuardLog {
  /** Times the owner re-registered and the entry was re-pointed again. */
  readonly repointed: number[];
  /** Periods the entry did not point at the proxy (epoch ms; `to` undefined while it lasts). */
  readonly lost: { from: number; to?: number; why: string }[];
}

/** Watches re-pointed entries until disposed. */
export class RegistryGuard implements AsyncDisposable {
  readonly #logs = new Map<string, GuardLog>();
  readonly #stop = new AbortController();
  readonly #loop: Promise<void>;
  readonly #session: ChaosSession;
  readonly #entries: readonly RepointedEntry[];
  readonly #note: (text: string) => void;
  /** What each entry held before it was (last) re-pointed. */
  readonly #original = new Map<string, { valueB64: string; lease: string }>();

  constructor(session: ChaosSession, entries: readonly RepointedEntry[], note: (text: string) => void, periodMs = 500) {
    this.#session = session;
    this.#entries = entries;
    this.#note = note;
    for (const e of entries) {
      this.#logs.set(e.proxy, { repointed: [], lost: [] });
      this.#original.set(e.proxy, { ...e.original });
    }
    this.#loop = this.#run(periodMs);
  }

  /** The log of each scenario proxy with `placement: registry`. */
  logs(): ReadonlyMap<string, GuardLog> {
    return this.#logs;
  }

  async #run(periodMs: number): Promise<void> {
    while (!this.#stop.signal.aborted) {
      for (const e of this.#entries) await this.#check(e).catch(() => undefined); // an unreachable etcd: next round
      await sleep(periodMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  async #check(e: RepointedEntry): Promise<void> {
    const log = this.#logs.get(e.proxy)!;
    const open = log.lost.find((l) => l.to === undefined);
    const now = await new EtcdClient(e.url, { timeoutMs: 1000 }).get(e.key);
    if (now?.valueB64 === e.replacementB64) {
      if (open) open.to = Date.now();
      return;
    }
    const before = this.#original.get(e.proxy)!;
    const restored = now?.valueB64 === before.valueB64 && now.lease === before.lease;
    if (now && !restored && entryAddress(now.value)?.hostPort === e.instance && !this.#stop.signal.aborted) {
      const again = await this.#session.repointEntry({
        url: e.url,
        key: e.key,
        originalB64: now.valueB64,
        replacementB64: e.replacementB64,
      });
      if (again) {
        this.#original.set(e.proxy, { valueB64: now.valueB64, lease: now.lease });
        log.repointed.push(Date.now());
        this.#note(`registry entry ${e.key} was registered again by its owner (lease ${now.lease}); re-pointed it`);
        if (open) open.to = Date.now();
        return;
      }
    }
    if (open) return;
    const why = !now
      ? 'it was deleted (the instance deregistered, or its lease expired)'
      : restored
        ? 'it was set back to its original value by someone else (chaos reset?)'
        : `it was rewritten to ${JSON.stringify(now.value.slice(0, 100))}`;
    log.lost.push({ from: Date.now(), why });
    this.#note(`registry entry ${e.key} no longer points at proxy ${e.proxy}: ${why}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }
}
