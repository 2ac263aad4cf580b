import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../core/write-file-atomic.js';

/** Default folder of run journals, relative to the working directory. */
export const DEFAULT_JOURNAL_DIR = '.msa-verify/chaos';

/** A registry entry the run re-pointed at one of its proxies (written before the swap). */
export interface RegistryChange {
  readonly kind: 'etcd';
  /** Client URL of the etcd member. */
  readonly url: string;
  readonly key: string;
  /** The entry's value before the run (base64, restored byte for byte). */
  originalB64: string;
  /** The value the run wrote (base64): restored only while the entry still holds it. */
  readonly replacementB64: string;
}

/** What a run has changed (or is about to change) in a Toxiproxy; enough to undo it from another process. */
export interface JournalRecord {
  readonly version: 1;
  readonly runId: string;
  readonly scenario: string;
  /** Process id of the runner. */
  readonly pid: number;
  readonly toxiproxyUrl: string;
  /** True when the run started this Toxiproxy: then `POST /reset` and stopping it are allowed. */
  readonly owned: boolean;
  /** Process id of a managed toxiproxy-server. */
  readonly serverPid?: number;
  /** The container of a managed Toxiproxy (`managed: container`). */
  readonly serverContainer?: ServerContainer;
  readonly startedAt: number;
  /** Proxy names created (written before the create call). */
  proxies: string[];
  /** Toxics added and not yet removed (written before the add call). */
  toxics: { proxy: string; name: string }[];
  /** Registry entries re-pointed at the run's proxies (`placement: registry`); absent in older journals. */
  registry?: RegistryChange[];
}

/** A container on a Docker engine. */
export interface ServerContainer {
  /** The engine (a DOCKER_HOST value). */
  readonly engine: string;
  readonly id: string;
}

/**
 * The journal of one run: `<dir>/<runId>.json` plus a heartbeat file
 * `<dir>/<runId>.heartbeat` whose mtime the runner refreshes every second.
 * Every change is written to disk BEFORE it is made in Toxiproxy.
 */
export class Journal {
  readonly file: string;
  readonly heartbeatFile: string;
  readonly record: JournalRecord;

  constructor(dir: string, record: JournalRecord) {
    this.record = record;
    this.file = path.join(dir, `${record.runId}.json`);
    this.heartbeatFile = path.join(dir, `${record.runId}.heartbeat`);
  }

  /** Writes the journal atomically. */
  async save(): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(this.record, null, 2)}\n`);
  }

  /** Records a proxy about to be created. */
  async willCreateProxy(name: string): Promise<void> {
    if (!this.record.proxies.includes(name)) this.record.proxies.push(name);
    await this.save();
  }

  /** Records a toxic about to be added. */
  async willAddToxic(proxy: string, name: string): Promise<void> {
    this.record.toxics.push({ proxy, name });
    await this.save();
  }

  /** Records a registry entry about to be re-pointed (or, for a key already recorded, its new original). */
  async willRepoint(change: RegistryChange): Promise<void> {
    this.record.registry ??= [];
    const list = this.record.registry;
    const known = list.find((c) => c.url === change.url && c.key === change.key);
    if (known) known.originalB64 = change.originalB64;
    else list.push({ ...change });
    await this.save();
  }

  /** Records a registry entry that was never re-pointed after all (the swap found it changed). */
  async repointDropped(url: string, key: string): Promise<void> {
    this.record.registry = (this.record.registry ?? []).filter((c) => c.url !== url || c.key !== key);
    await this.save();
  }

  /** Records a toxic removed. */
  async toxicRemoved(proxy: string, name: string): Promise<void> {
    this.record.toxics = this.record.toxics.filter((t) => t.proxy !== proxy || t.name !== name);
    await this.save();
  }

  /** Refreshes the heartbeat. */
  async beat(): Promise<void> {
    await writeFileAtomic(this.heartbeatFile, `${Date.now()}\n`);
  }

  /** Deletes journal, heartbeat and watchdog log: nothing is left to undo. */
  async close(): Promise<void> {
    await rm(this.file, { force: true });
    await rm(this.heartbeatFile, { force: true });
    await rm(watchdogLogFile(this.file), { force: true });
  }
}

/** The watchdog's log next to a journal file: `<dir>/<runId>.watchdog.log`. */
export function watchdogLogFile(journalFile: string): string {
  return journalFile.replace(/\.json$/, '.watchdog.log');
}

/** A journal found on disk. */
export interface FoundJournal {
  readonly file: string;
  readonly heartbeatFile: string;
  readonly record: JournalRecord;
}

/** Reads every journal of a folder; unreadable files are skipped. */
export async function readJournals(dir: string): Promise<FoundJournal[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: FoundJournal[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const file = path.join(dir, name);
    const record = await readJournal(file);
    if (record) found.push({ file, heartbeatFile: file.replace(/\.json$/, '.heartbeat'), record });
  }
  return found;
}

/** Reads one journal file; null when missing or unreadable. */
export async function readJournal(file: string): Promise<JournalRecord | null> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as JournalRecord;
    return value.version === 1 && typeof value.runId === 'string' ? value : null;
  } catch {
    return null;
  }
}
