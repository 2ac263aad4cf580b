import { randomBytes } from 'node:crypto';

/** Prefix of every proxy and toxic name msa-verify creates. */
export const NAME_PREFIX = 'msav-';

/** A short unique run id: lower-case base-36 time and 4 random hex digits, e.g. `mfx3k2a9-1f2e`. */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(2).toString('hex')}`;
}

/** Name of a proxy of a run, as created in Toxiproxy. */
export function proxyName(runId: string, proxy: string): string {
  return `${NAME_PREFIX}${runId}-${proxy}`;
}

/** Name of a toxic of a run. */
export function toxicName(runId: string, phase: string, index: number): string {
  return `${NAME_PREFIX}${runId}-${phase}-${index}`;
}

/** True when a Toxiproxy name belongs to the run. */
export function belongsToRun(name: string, runId: string): boolean {
  return name.startsWith(`${NAME_PREFIX}${runId}-`);
}
