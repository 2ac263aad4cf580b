import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import { ROOT } from './services.js';

/** What {@link usePrivateToxiproxy} sets up; read it inside tests (it is filled in by beforeAll). */
export interface PrivateToxiproxy {
  readonly toxiproxy: ManagedToxiproxy;
  /** A temporary folder of the test file's own (reports, logs, the journal). */
  readonly work: string;
  /** A config naming the private Toxiproxy, with its journal in `work`. */
  readonly config: string;
}

/**
 * Starts a Toxiproxy of its own and writes a config that points chaos runs at
 * it. Tests that run at the same time each take one: scenario files name their
 * proxies, so two runs on one Toxiproxy would replace each other's.
 */
export async function startPrivateToxiproxy(prefix: string): Promise<PrivateToxiproxy> {
  const toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  try {
    const work = await mkdtemp(path.join(os.tmpdir(), prefix));
    const config = path.join(work, 'msa-verify.config.yaml');
    await writeFile(
      config,
      [
        'version: 1',
        `toxiproxy: { url: "${toxiproxy.url}" }`,
        `chaos: { journalDir: "${path.join(work, 'journal')}", maxDuration: 2m }`,
        '',
      ].join('\n'),
    );
    return { toxiproxy, work, config };
  } catch (err) {
    await toxiproxy.stop();
    throw err;
  }
}

/** A private Toxiproxy for the test file, started before its tests and stopped after them. */
export function usePrivateToxiproxy(prefix: string): PrivateToxiproxy {
  const state = {} as { toxiproxy: ManagedToxiproxy; work: string; config: string };
  beforeAll(async () => {
    Object.assign(state, await startPrivateToxiproxy(prefix));
  });
  afterAll(async () => {
    await state.toxiproxy?.stop();
  });
  return state;
}
