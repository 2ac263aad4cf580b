import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MsaVerifyError } from '../../core/errors.js';
import { isAlive } from './rollback.js';

// One chaos run per fixed listen address per machine. Two runs that create a
// proxy on the same address interfere: with Kafka the address is the one the
// broker advertises, so every client follows whichever proxy holds it, and the
// second run's faults (or its rollback) hit the first run's traffic. Each run
// claims its addresses with an exclusive lock file in the system's temp folder,
// holding its pid; a file whose pid is gone is stale and taken over.

/** Who holds a listen address. */
export interface ListenHolder {
  readonly pid: number;
  readonly runId: string;
  readonly scenario: string;
  readonly file: string;
  /** Epoch ms the claim was made. */
  readonly since: number;
}

/** A proxy whose listen address the run claims. */
export interface ListenClaim {
  readonly proxy: string;
  /** `host:port`; a port 0 (any free port) is never claimed. */
  readonly listen: string;
}

/** Folder of the lock files: `<os.tmpdir()>/msa-verify-listen`. */
export function listenLockDir(): string {
  return path.join(os.tmpdir(), 'msa-verify-listen');
}

function lockFile(dir: string, listen: string): string {
  return path.join(dir, `${listen.replace(/[^A-Za-z0-9.-]/g, '_')}.lock`);
}

async function holderOf(file: string): Promise<ListenHolder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ListenHolder;
  } catch {
    return undefined; // gone meanwhile, or half-written by a run that died at once
  }
}

/** Removes the claims of runs whose process is gone (a killed runner leaves its files behind). */
async function sweepStale(dir: string): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.lock')).slice(0, 1000);
  for (const f of files) {
    const file = path.join(dir, f);
    const holder = await holderOf(file);
    if (holder && !isAlive(holder.pid) && (await holderOf(file))?.runId === holder.runId) {
      await rm(file, { force: true });
    }
  }
}

/** Creates the lock file exclusively; false when it exists. */
async function create(file: string, me: ListenHolder): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(JSON.stringify(me));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function busy(claim: ListenClaim, holder: ListenHolder, kafkaHint: boolean): MsaVerifyError {
  const since = new Date(holder.since).toISOString();
  return new MsaVerifyError(
    'MSAV_LISTEN_BUSY',
    `proxy ${claim.proxy}: listen address ${claim.listen} is held by another chaos run on this machine ` +
      `(scenario ${holder.scenario} from ${holder.file}, run ${holder.runId}, pid ${holder.pid}, since ${since}); ` +
      'two runs on one address would fault and roll back each other’s traffic' +
      (kafkaHint
        ? ': it is the address the Kafka broker advertises, so only one Kafka chaos run at a time (docs/kafka-chaos.md)'
        : '') +
      '. Wait for it to end, or give this run another listen address',
  );
}

/**
 * Claims the listen addresses for the run; the returned function releases
 * them (only files this run still holds). Nothing is claimed when one is
 * busy: the claims made so far are released before the error is thrown.
 * @throws MsaVerifyError `MSAV_LISTEN_BUSY` (exit 3) naming the holder.
 */
export async function claimListenAddresses(
  claims: readonly ListenClaim[],
  holder: Omit<ListenHolder, 'pid' | 'since'>,
  options: { dir?: string; kafka?: ReadonlySet<string> } = {},
): Promise<() => Promise<void>> {
  const dir = options.dir ?? listenLockDir();
  await mkdir(dir, { recursive: true });
  await sweepStale(dir);
  const me: ListenHolder = { ...holder, pid: process.pid, since: Date.now() };
  const held: string[] = [];
  const release = async (): Promise<void> => {
    for (const file of held.splice(0)) {
      if ((await holderOf(file))?.runId === me.runId) await rm(file, { force: true });
    }
  };
  try {
    for (const claim of claims) {
      if (/:0$/.test(claim.listen)) continue;
      const file = lockFile(dir, claim.listen);
      // Two tries: the second after removing a stale file (its run is gone).
      for (let attempt = 0; ; attempt++) {
        if (await create(file, me)) {
          held.push(file);
          break;
        }
        let other = await holderOf(file);
        if (!other) {
          await sleep(100); // a claim being written
          other = await holderOf(file);
        }
        if (other && isAlive(other.pid)) throw busy(claim, other, options.kafka?.has(claim.proxy) ?? false);
        if (attempt > 0) throw busy(claim, other ?? { ...me, pid: 0, runId: 'unknown' }, false);
        // Only the stale claim itself: another run may have taken it over meanwhile.
        if ((await holderOf(file))?.runId === other?.runId) await rm(file, { force: true });
      }
    }
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}
