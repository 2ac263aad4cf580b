import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

function docker(action: 'up' | 'down' | 'status'): boolean {
  try {
    execFileSync('bash', [path.join(root, 'scripts/services'), action, 'docker'], { stdio: 'inherit', cwd: root });
    return true;
  } catch {
    return false;
  }
}

/**
 * Global setup of the `containers` project: a Docker engine and msa-verify's
 * images (`scripts/services up docker`: an engine that answers, or dockerd
 * started as root with --bridge=none --iptables=false; missing images built).
 * Its DOCKER_HOST goes to the test workers. Without an engine the tests are
 * skipped, loudly, and in CI (CI=true) the run fails instead: CI installs the
 * engine (scripts/setup), so a missing one is a broken set-up, not a skip.
 * It stops dockerd after the run only if it started it.
 */
export default function setup(): (() => void) | undefined {
  // `up docker` reuses an engine that answers and builds only missing images;
  // `status docker` before it tells whether this run started the engine.
  const wasUp = docker('status');
  if (!docker('up')) {
    const reason = 'no Docker engine: scripts/services up docker failed (see above)';
    if (process.env.CI === 'true') throw new Error(`${reason}; CI must run the container tests`);
    console.warn(`\n*** containers project: ${reason}; its tests are SKIPPED ***\n`);
    process.env.MSAV_NO_DOCKER = reason;
    return undefined;
  }
  process.env.DOCKER_HOST = readFileSync(path.join(root, '.tools/run/docker.host'), 'utf8').trim();
  if (wasUp) return undefined;
  return () => {
    docker('down');
  };
}
