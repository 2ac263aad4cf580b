import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

function services(action: 'up' | 'down' | 'status'): boolean {
  try {
    execFileSync('bash', [path.join(root, 'scripts/services'), action], { stdio: 'inherit', cwd: root });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts Toxiproxy, RabbitMQ, Kafka, Prometheus, Pushgateway, Jaeger and etcd for the run unless
 * they are already up (then it leaves them as it found them). The integration
 * and e2e projects name it; vitest runs every project's global setup (one after
 * the other, synchronously here) before any test and the teardowns after the
 * last, so the second project finds the components up and shares them. The unit
 * project starts nothing. MSAV_NO_SERVICES=1 skips it (to run integration tests
 * against components started by hand).
 */
export default function setup(): (() => void) | undefined {
  if (process.env.MSAV_NO_SERVICES === '1') return undefined;
  if (services('status')) {
    exportAddresses();
    return undefined;
  }
  if (!services('up')) {
    services('down'); // stop whatever did start
    throw new Error('scripts/services up failed: see the log lines above');
  }
  exportAddresses();
  return () => {
    services('down');
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
