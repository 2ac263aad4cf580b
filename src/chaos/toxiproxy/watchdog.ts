import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Milliseconds without a heartbeat after which the watchdog rolls a run back. Default 4000. */
export const DEFAULT_STALE_MS = 4000;

/**
 * Starts the detached watchdog of a run: its own process group, no stdio, not
 * waited for. It exits by itself when the journal disappears (clean end) and
 * rolls the run back when the runner dies or stops beating (e.g. `kill -9`).
 * @returns the watchdog's process id.
 */
export function spawnWatchdog(journalFile: string, staleMs = DEFAULT_STALE_MS): number {
  const child = spawn(process.execPath, [watchdogScript(), journalFile, String(staleMs)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child.pid ?? 0;
}

// The compiled entry next to this module; from the TypeScript sources (tests) the built copy in dist/.
function watchdogScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const src = `${path.sep}src${path.sep}`;
    const i = here.lastIndexOf(src);
    return `${here.slice(0, i)}${path.sep}dist${path.sep}${here.slice(i + src.length).replace(/watchdog\.ts$/, 'watchdog-main.js')}`;
  }
  return path.join(path.dirname(here), 'watchdog-main.js');
}
