import { rm, stat } from 'node:fs/promises';
import { type FoundJournal, readJournals, watchdogLogFile } from './journal.js';
import { isAlive, type RollbackOutcome, removeServerContainer, rollbackRecord } from './rollback.js';

/** Milliseconds without heartbeat after which a journal of a live pid is still considered abandoned. */
const ABANDONED_MS = 15_000;

/** One journal that was cleaned (or could not be). */
export interface CleanedRun {
  readonly runId: string;
  readonly scenario: string;
  readonly toxiproxyUrl: string;
  readonly outcome: RollbackOutcome;
}

/**
 * Finds journals of runs that are over (runner gone, or silent for 15 s) and
 * undoes what they recorded; with `all`, every journal, live or not (for
 * `chaos reset`). Journals rolled back completely are deleted.
 */
export async function cleanLeftovers(dir: string, options: { all?: boolean } = {}): Promise<CleanedRun[]> {
  const cleaned: CleanedRun[] = [];
  for (const j of await readJournals(dir)) {
    if (!options.all && !(await abandoned(j))) continue;
    const outcome = await rollbackRecord(j.record);
    if (j.record.owned && j.record.serverPid && isAlive(j.record.serverPid) && !isAlive(j.record.pid)) {
      process.kill(j.record.serverPid, 'SIGKILL');
    }
    if (j.record.serverContainer && !isAlive(j.record.pid)) await removeServerContainer(j.record.serverContainer);
    if (outcome.ok) {
      await rm(j.file, { force: true });
      await rm(j.heartbeatFile, { force: true });
      await rm(watchdogLogFile(j.file), { force: true });
    }
    cleaned.push({ runId: j.record.runId, scenario: j.record.scenario, toxiproxyUrl: j.record.toxiproxyUrl, outcome });
  }
  return cleaned;
}

async function abandoned(j: FoundJournal): Promise<boolean> {
  if (!isAlive(j.record.pid)) return true;
  try {
    return Date.now() - (await stat(j.heartbeatFile)).mtimeMs > ABANDONED_MS;
  } catch {
    return Date.now() - j.record.startedAt > ABANDONED_MS;
  }
}
