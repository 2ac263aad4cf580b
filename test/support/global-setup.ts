import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

function services(action: 'up' | 'status' | 'down-only', ...names: string[]): boolean {
  try {
    execFileSync('bash', [path.join(root, 'scripts/services'), action, ...names], { stdio: 'inherit', cwd: root });
    return true;
  } catch {
    return false;
  }
}

/** The components `scripts/services status` reports down (one `down  NAME` line each). */
function downComponents(): string[] {
  let text: string;
  try {
    text = execFileSync('bash', [path.join(root, 'scripts/services'), 'status'], { cwd: root, encoding: 'utf8' });
  } catch (error) {
    text = String((error as { stdout?: unknown }).stdout ?? '');
  }
  return [...text.matchAll(/^down\s+(\S+)$/gm)].map((m) => m[1]!);
}

/**
 * Starts Toxiproxy, RabbitMQ, Kafka, Prometheus, Pushgateway, Jaeger and etcd for the run unless
 * they are already up (then it leaves them as it found them; of a partly running
 * set it stops only those it started). The integration
 * and e2e projects name it; vitest runs every project's global setup (one after
 * the other, synchronously here) before any test and the teardowns after the
 * last, so the second project finds the components up and shares them. The unit
 * project starts nothing. MSAV_NO_SERVICES=1 skips it (to run integration tests
 * against components started by hand).
 */
export default function setup(): (() => void) | undefined {
  if (process.env.MSAV_NO_SERVICES === '1') return undefined;
  // Only the components that were down are this run's to stop: one left running
  // by hand (or by another checkout sharing .tools) stays up after the run.
  const mine = downComponents();
  if (mine.length === 0) {
    services('status');
    exportAddresses();
    return undefined;
  }
  if (!services('up')) {
    services('down-only', ...mine); // stop whatever did start
    throw new Error('scripts/services up failed: see the log lines above');
  }
  exportAddresses();
  return () => {
    services('down-only', ...mine);
  };
}

// The addresses go into the environment that test workers and the CLI
// subprocesses inherit, so msa-verify.config.yaml's ${VAR:-default} picks them up.
function exportAddresses(): void {
  const text = readFileSync(path.join(root, '.tools/run/services.env'), 'utf8');
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) process.env[line.slice(0, eq)] = line.slice(eq + 1);
  }
}
