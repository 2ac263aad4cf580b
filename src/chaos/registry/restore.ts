// Undoing `placement: registry`: each re-pointed entry gets its original value
// back, but only while it still holds the run's value (a compare-and-swap that
// keeps the entry's lease). An entry that is gone (its instance's lease expired)
// or that its owner rewrote (a re-registration) is left alone: writing the old
// value then would resurrect a dead instance or undo a newer registration.
import { EtcdCallError, EtcdClient } from '../../core/discovery/etcd-client.js';
import { describeNetError } from '../../core/probe.js';
import type { RegistryChange } from '../toxiproxy/journal.js';

/** What restoring the registry did. */
export interface RegistryRestoreOutcome {
  /** True when no entry holds the run's value any more. */
  readonly ok: boolean;
  readonly notes: readonly string[];
}

/** Restores every entry of `changes`; idempotent, bounded calls (`timeoutMs`, default 2000). */
export async function restoreRegistry(
  changes: readonly RegistryChange[],
  options: { timeoutMs?: number } = {},
): Promise<RegistryRestoreOutcome> {
  const notes: string[] = [];
  let ok = true;
  for (const c of changes) {
    const client = new EtcdClient(c.url, { timeoutMs: options.timeoutMs ?? 2000 });
    try {
      if (await client.swap(c.key, c.replacementB64, c.originalB64)) continue;
      const now = await client.get(c.key);
      if (now === null) notes.push(`registry entry ${c.key} is gone (its lease expired); nothing to restore`);
      else if (now.valueB64 === c.replacementB64) {
        ok = false; // the swap raced with another writer; the next attempt retries
        notes.push(`registry entry ${c.key} still points at the proxy`);
      } else if (now.valueB64 !== c.originalB64) {
        notes.push(`registry entry ${c.key} was rewritten by its owner during the run; left as it is now`);
      }
    } catch (error) {
      ok = false;
      const why = error instanceof EtcdCallError ? error.message : `etcd ${c.url}: ${describeNetError(error)}`;
      notes.push(`restore registry entry ${c.key}: ${why}`);
    }
  }
  return { ok, notes };
}
