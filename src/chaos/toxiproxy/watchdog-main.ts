// Entry of the detached watchdog process (see watchdog.ts). argv: journal file, stale ms.
//   loop every 250ms: journal gone -> exit | runner dead or heartbeat stale -> rollback, stop owned server, exit
// Its log (<runId>.watchdog.log) is deleted with the journal once the rollback is complete; an incomplete
// one keeps both, and whoever completes it later (next run, chaos reset) deletes them.
import { appendFile, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJournal, watchdogLogFile } from './journal.js';
import { isAlive, removeServerContainer, rollbackRecord } from './rollback.js';

const [journalFile, staleArg] = process.argv.slice(2);
const staleMs = Number(staleArg ?? 4000);

async function log(text: string): Promise<void> {
  if (!journalFile) return;
  await appendFile(watchdogLogFile(journalFile), `${new Date().toISOString()} ${text}\n`).catch(() => undefined);
}

async function heartbeatAge(file: string, fallback: number): Promise<number> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch {
    return Date.now() - fallback;
  }
}

async function main(): Promise<void> {
  if (!journalFile) return;
  const heartbeatFile = journalFile.replace(/\.json$/, '.heartbeat');
  for (;;) {
    const record = await readJournal(journalFile);
    if (!record) return; // clean end: the runner removed its journal
    const age = await heartbeatAge(heartbeatFile, record.startedAt);
    const alive = isAlive(record.pid);
    if (!alive || age > staleMs) {
      await log(`run ${record.runId}: runner ${alive ? `silent for ${Math.round(age)}ms` : 'gone'}; rolling back`);
      // Re-read: the runner may have journalled a last change in the meantime.
      const latest = (await readJournal(journalFile)) ?? record;
      let outcome = await rollbackRecord(latest);
      for (let i = 0; i < 3 && !outcome.ok; i++) {
        await sleep(500);
        outcome = await rollbackRecord(latest);
      }
      if (latest.owned && latest.serverPid && isAlive(latest.serverPid)) process.kill(latest.serverPid, 'SIGKILL');
      if (latest.serverContainer && !(await removeServerContainer(latest.serverContainer))) {
        await log(`run ${record.runId}: could not remove container ${latest.serverContainer.id}`);
      }
      await log(`run ${record.runId}: rollback ${outcome.ok ? 'complete' : 'INCOMPLETE'} ${outcome.notes.join('; ')}`);
      if (outcome.ok) {
        await rm(journalFile, { force: true });
        await rm(heartbeatFile, { force: true });
        // The work is done: the log only matters while something is left to undo.
        await rm(watchdogLogFile(journalFile), { force: true });
      }
      return;
    }
    await sleep(250);
  }
}

await main().catch((error: unknown) => log(`watchdog error: ${String(error)}`));
