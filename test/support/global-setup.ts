import { execFileSync } from 'node:child_process';
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
 * Starts Toxiproxy, RabbitMQ, Prometheus and Pushgateway for the run unless
 * they are already up (then it leaves them as it found them).
 * MSAV_NO_SERVICES=1 skips this for unit-only runs.
 */
export default function setup(): (() => void) | undefined {
  if (process.env.MSAV_NO_SERVICES === '1') return undefined;
  if (services('status')) return undefined;
  if (!services('up')) throw new Error('scripts/services up failed: see the log lines above');
  return () => {
    services('down');
  };
}
