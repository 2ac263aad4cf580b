import { type Logger, pino } from 'pino';

/**
 * The JSON logger every shop service uses: one pino line per event on stdout,
 * tagged with the service name. Level from `LOG_LEVEL` (default `info`).
 *
 * It writes through process.stdout rather than pino's own sonic-boom
 * destination: when the launcher that reads our stdout dies, sonic-boom's
 * flush at exit retries the broken pipe forever, while process.stdout reports
 * EPIPE as an error, on which the service exits.
 */
export function createLogger(service: string): Logger {
  process.stdout.on('error', () => process.exit(0));
  return pino(
    { name: service, level: process.env.LOG_LEVEL ?? 'info', base: { service, pid: process.pid } },
    process.stdout,
  );
}

export type { Logger };
