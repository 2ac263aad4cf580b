import { containerExists, engineAddress, removeContainer } from '../../containers/engine.js';
import { describeNetError } from '../../core/probe.js';
import { restoreRegistry } from '../registry/restore.js';
import { ToxiproxyClient } from './client.js';
import type { JournalRecord, ServerContainer } from './journal.js';
import { belongsToRun } from './run-id.js';

/** What a rollback did. */
export interface RollbackOutcome {
  /** True when the Toxiproxy shows nothing of the run any more (or an owned server is gone). */
  readonly ok: boolean;
  /** Human-readable notes on calls that failed and the fallback taken. */
  readonly notes: readonly string[];
}

/** Options for {@link rollbackRecord}. */
export interface RollbackOptions {
  /** Per-call timeout in milliseconds. Default 2000. */
  readonly timeoutMs?: number;
}

/**
 * Undoes everything a journal knows about: re-pointed registry entries first,
 * then toxics, then proxies, then anything else named after the run. Each call is bounded. When calls fail and
 * the Toxiproxy belongs to the run, `POST /reset` is the fallback; a shared
 * Toxiproxy is never reset. Idempotent; safe to run from another process.
 */
export async function rollbackRecord(record: JournalRecord, options: RollbackOptions = {}): Promise<RollbackOutcome> {
  const registry = record.registry ?? [];
  if (record.proxies.length === 0 && record.toxics.length === 0 && registry.length === 0) {
    return { ok: true, notes: [] }; // the run never got to change anything
  }
  // Registry first: callers move back to the real instance before the proxy they use goes away.
  const restored = await restoreRegistry(registry, options);
  const outcome = await rollbackToxiproxy(record, options);
  return { ok: restored.ok && outcome.ok, notes: [...restored.notes, ...outcome.notes] };
}

async function rollbackToxiproxy(record: JournalRecord, options: RollbackOptions): Promise<RollbackOutcome> {
  if (record.proxies.length === 0 && record.toxics.length === 0) return { ok: true, notes: [] };
  const client = new ToxiproxyClient(record.toxiproxyUrl, { timeoutMs: options.timeoutMs ?? 2000 });
  const notes: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (error) {
      notes.push(`${what}: ${describeNetError(error)}`);
      return false;
    }
  };
  let failed = false;
  for (const t of record.toxics) {
    failed = !(await attempt(`remove toxic ${t.name}`, () => client.removeToxic(t.proxy, t.name))) || failed;
  }
  for (const p of record.proxies) {
    failed = !(await attempt(`delete proxy ${p}`, () => client.deleteProxy(p))) || failed;
  }
  let leftovers: string[] = [];
  const listed = await attempt('list proxies', async () => {
    leftovers = (await client.listProxies()).map((p) => p.name).filter((n) => belongsToRun(n, record.runId));
  });
  for (const name of leftovers) {
    failed = !(await attempt(`delete proxy ${name}`, () => client.deleteProxy(name))) || failed;
  }
  if (!listed && record.owned && record.serverPid && !isAlive(record.serverPid)) {
    return { ok: true, notes: [...notes, 'the owned Toxiproxy is gone, and with it every proxy'] };
  }
  if (!listed && record.owned && record.serverContainer && !(await containerPresent(record.serverContainer))) {
    return { ok: true, notes: [...notes, 'the owned Toxiproxy container is gone, and with it every proxy'] };
  }
  if ((failed || !listed) && record.owned) {
    if (await attempt('POST /reset', () => client.reset())) notes.push('fell back to POST /reset (owned Toxiproxy)');
    for (const p of [...record.proxies, ...leftovers]) await attempt(`delete proxy ${p}`, () => client.deleteProxy(p));
  }
  let remaining: string[] | null = null;
  await attempt('verify', async () => {
    remaining = (await client.listProxies()).map((p) => p.name).filter((n) => belongsToRun(n, record.runId));
  });
  const left = remaining as string[] | null;
  if (left && left.length > 0) notes.push(`still present: ${left.join(', ')}`);
  return { ok: left !== null && left.length === 0, notes };
}

/** False only when the engine says the container no longer exists. */
async function containerPresent(c: ServerContainer): Promise<boolean> {
  return containerExists(engineAddress({ DOCKER_HOST: c.engine }), c.id).catch(() => true);
}

/** Force-removes the container of an owned Toxiproxy; true when it is gone. Never throws. */
export async function removeServerContainer(c: ServerContainer): Promise<boolean> {
  return removeContainer(engineAddress({ DOCKER_HOST: c.engine }), c.id).catch(() => false);
}

/** True when a process with this id exists (signal 0 probe). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
