import { type Logger, pino } from 'pino';

/**
 * The JSON logger every shop service uses: one pino line per event on stdout,
 * tagged with the service name. Level from `LOG_LEVEL` (default `info`).
 */
export function createLogger(service: string): Logger {
  return pino({ name: service, level: process.env.LOG_LEVEL ?? 'info', base: { service, pid: process.pid } });
}

export type { Logger };
