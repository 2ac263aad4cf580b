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
 * A private Toxiproxy for the test file, started before its tests and stopped
 * after them, and a config that points chaos runs at it.
 */
export function usePrivateToxiproxy(prefix: string): PrivateToxiproxy {
  const state = {} as { toxiproxy: ManagedToxiproxy; work: string; config: string };
  beforeAll(async () => {
    state.toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
    state.work = await mkdtemp(path.join(os.tmpdir(), prefix));
    state.config = path.join(state.work, 'msa-verify.config.yaml');
    await writeFile(
      state.config,
      [
        'version: 1',
        `toxiproxy: { url: "${state.toxiproxy.url}" }`,
        `chaos: { journalDir: "${path.join(state.work, 'journal')}", maxDuration: 2m }`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await state.toxiproxy?.stop();
  });
  return state;
}
