import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineAddress } from './engine.js';

// testcontainers' own reaper (Ryuk) runs as a container whose port 8080 is
// published through the bridge network and which testcontainers then connects
// to. The engine here runs with --bridge=none: a published port is silently not
// mapped (the container starts with no ports), so Ryuk could never be reached,
// even if its image were built locally; and no registry could provide the image.
// msa-verify turns it off (TESTCONTAINERS_RYUK_DISABLED) and uses this reaper
// instead: a detached host process per msa-verify process and engine that
// waits for that process to end, however it ends (return, throw, signal,
// kill -9), and then force-removes every container labelled with its session.

interface Session {
  readonly id: string;
  readonly pid: number;
}

const sessions = new Map<string, Session>();

/**
 * The reaper session of this process for an engine: started on first use
 * (before the first container is created), shared by every later container.
 * @returns the session id to put in the container's `msa-verify.session` label.
 */
export function reaperSession(address: EngineAddress): string {
  const known = sessions.get(address.host);
  if (known) return known.id;
  const id = randomUUID();
  const child = spawn(process.execPath, [reaperScript(), address.host, String(process.pid), id], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  sessions.set(address.host, { id, pid: child.pid ?? 0 });
  return id;
}

// The compiled entry next to this module; from the TypeScript sources (tests) the built copy in dist/.
function reaperScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const src = `${path.sep}src${path.sep}`;
    const i = here.lastIndexOf(src);
    return `${here.slice(0, i)}${path.sep}dist${path.sep}${here.slice(i + src.length).replace(/reaper\.ts$/, 'reaper-main.js')}`;
  }
  return path.join(path.dirname(here), 'reaper-main.js');
}
