import { setTimeout as sleep } from 'node:timers/promises';
import { EtcdClient } from '../../core/discovery/etcd-client.js';
import type { ToxiproxyToxic } from '../scenario/toxics.js';
import { ToxiproxyClient } from './client.js';
import { Journal, type RegistryChange, type ServerContainer } from './journal.js';
import { type RollbackOutcome, rollbackRecord } from './rollback.js';
import { proxyName } from './run-id.js';
import { DEFAULT_STALE_MS, spawnWatchdog } from './watchdog.js';

/** Options for {@link ChaosSession.open}. */
export interface ChaosSessionOptions {
  readonly runId: string;
  readonly scenario: string;
  readonly toxiproxyUrl: string;
  /** True when the run started this Toxiproxy (then `POST /reset` is an allowed fallback). */
  readonly owned: boolean;
  readonly serverPid?: number;
  /** The container of a managed Toxiproxy: the watchdog removes it when the runner dies. */
  readonly serverContainer?: ServerContainer;
  readonly journalDir: string;
  /** Start the detached watchdog. Default true. */
  readonly watchdog?: boolean;
  /** Heartbeat period in milliseconds. Default 1000. */
  readonly heartbeatMs?: number;
  /** Per-call timeout for Toxiproxy in milliseconds. Default 3000. */
  readonly timeoutMs?: number;
}

const active = new Set<ChaosSession>();

/** How long a proxy's creation is retried while Toxiproxy finds its listen address in use, ms. */
const BUSY_LISTEN_RETRY_MS = 3000;

/**
 * Everything one run changes in a Toxiproxy, journalled before each change and
 * undone by {@link ChaosSession.rollback} (idempotent) or, if this process
 * dies, by the watchdog from the journal.
 */
export class ChaosSession {
  readonly runId: string;
  readonly client: ToxiproxyClient;
  readonly journal: Journal;
  #heartbeat: NodeJS.Timeout | undefined;
  #rollback: Promise<RollbackOutcome> | undefined;
  readonly #repointed = new Set<string>();
  #closing = false;
  #inFlight: Promise<unknown> = Promise.resolve();

  private constructor(options: ChaosSessionOptions, journal: Journal) {
    this.runId = options.runId;
    this.client = new ToxiproxyClient(options.toxiproxyUrl, { timeoutMs: options.timeoutMs ?? 3000 });
    this.journal = journal;
  }

  /** Writes the journal, starts the heartbeat and the watchdog. */
  static async open(options: ChaosSessionOptions): Promise<ChaosSession> {
    const journal = new Journal(options.journalDir, {
      version: 1,
      runId: options.runId,
      scenario: options.scenario,
      pid: process.pid,
      toxiproxyUrl: options.toxiproxyUrl,
      owned: options.owned,
      ...(options.serverPid ? { serverPid: options.serverPid } : {}),
      ...(options.serverContainer ? { serverContainer: options.serverContainer } : {}),
      startedAt: Date.now(),
      proxies: [],
      toxics: [],
    });
    await journal.save();
    await journal.beat();
    const session = new ChaosSession(options, journal);
    const period = options.heartbeatMs ?? 1000;
    session.#heartbeat = setInterval(() => void journal.beat().catch(() => undefined), period);
    session.#heartbeat.unref();
    if (options.watchdog !== false) spawnWatchdog(journal.file, Math.max(DEFAULT_STALE_MS, period * 3));
    active.add(session);
    return session;
  }

  /** Creates the run's proxy for a scenario proxy; returns its Toxiproxy name. */
  async createProxy(proxy: { name: string; listen: string; upstream: string }): Promise<string> {
    const name = proxyName(this.runId, proxy.name);
    await this.journal.willCreateProxy(name);
    // A listen address can be busy for a moment (a proxy just deleted on the same address, another process's
    // short-lived listener on a port chosen as free): retried for a bounded time, then Toxiproxy's refusal stands.
    const until = Date.now() + BUSY_LISTEN_RETRY_MS;
    for (;;) {
      try {
        await this.client.createProxy({ name, listen: proxy.listen, upstream: proxy.upstream });
        return name;
      } catch (error) {
        if (!(error instanceof Error) || !/address already in use/i.test(error.message) || Date.now() >= until) {
          throw error;
        }
        await sleep(100);
      }
    }
  }

  /**
   * Re-points a registry entry: journals the change, then swaps the entry's
   * value from `originalB64` to `replacementB64` (keeping its lease). False when
   * the entry no longer held `originalB64` (then nothing was changed and the
   * journal forgets it).
   */
  repointEntry(change: Omit<RegistryChange, 'kind'>): Promise<boolean> {
    // Never after the rollback began, and the rollback waits for one in flight:
    // a swap landing after the restore would leave the entry on a deleted proxy.
    if (this.#closing) return Promise.resolve(false);
    const next = this.#repoint(change);
    this.#inFlight = next.catch(() => undefined);
    return next;
  }

  async #repoint(change: Omit<RegistryChange, 'kind'>): Promise<boolean> {
    await this.#inFlight;
    await this.journal.willRepoint({ kind: 'etcd', ...change });
    const swapped = await new EtcdClient(change.url).swap(change.key, change.originalB64, change.replacementB64);
    if (!swapped) {
      const recorded = this.journal.record.registry?.find((c) => c.url === change.url && c.key === change.key);
      // A first re-point that found the entry changed leaves nothing to undo; a later one keeps the record.
      if (recorded && recorded.originalB64 === change.originalB64 && !this.#repointed.has(change.key)) {
        await this.journal.repointDropped(change.url, change.key);
      }
      return false;
    }
    this.#repointed.add(change.key);
    return true;
  }

  async addToxic(proxy: string, name: string, toxic: ToxiproxyToxic): Promise<void> {
    await this.journal.willAddToxic(proxy, name);
    await this.client.addToxic(proxy, { ...toxic, name });
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.client.removeToxic(proxy, name);
    await this.journal.toxicRemoved(proxy, name);
  }

  async setEnabled(proxy: string, enabled: boolean): Promise<void> {
    await this.client.setEnabled(proxy, enabled);
  }

  /**
   * Removes every toxic and proxy of the run (bounded calls; reset only when
   * owned); on success deletes the journal, which also ends the watchdog.
   * Safe to call many times and concurrently: later calls share the first.
   */
  rollback(): Promise<RollbackOutcome> {
    this.#closing = true;
    this.#rollback ??= (async () => {
      await this.#inFlight;
      const outcome = await rollbackRecord(this.journal.record);
      if (this.#heartbeat) clearInterval(this.#heartbeat);
      if (outcome.ok) await this.journal.close();
      active.delete(this);
      return outcome;
    })();
    return this.#rollback;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.rollback();
  }
}

/** Rolls back every session of this process; for signal and uncaught-error handlers. */
export async function rollbackActiveSessions(): Promise<boolean> {
  const outcomes = await Promise.all([...active].map((s) => s.rollback()));
  return outcomes.every((o) => o.ok);
}
