import type { Logger } from 'pino';

/** Thrown when an environment variable holds a value the service cannot use. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/**
 * Reads an integer environment variable, or `fallback` when unset or empty.
 * Throws EnvError naming the variable and the expectation when the value is
 * not an integer within [min, max].
 */
export function intEnv(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EnvError(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** Reads an environment variable that must be one of `choices`; `fallback` when unset or empty. */
export function choiceEnv<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  const match = choices.find((c) => c === value);
  if (match === undefined) {
    throw new EnvError(`${name}=${JSON.stringify(raw)}: expected one of ${choices.join(', ')}`);
  }
  return match;
}

/** Reads a URL environment variable; `fallback` when unset or empty, EnvError when not a URL. */
export function urlEnv(name: string, fallback: string): string {
  const raw = process.env[name];
  const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  if (!URL.canParse(value)) throw new EnvError(`${name}=${JSON.stringify(raw)}: expected a URL`);
  return value.replace(/\/+$/, '');
}

/** Reads a plain string environment variable; `fallback` when unset or empty. */
export function stringEnv(name: string, fallback: string): string {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

/**
 * Runs `read` (which reads the service's environment); on EnvError logs one
 * fatal line and exits with code 2, the house code for invalid input.
 */
export function readConfigOrExit<T>(logger: Logger, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EnvError) {
      logger.fatal({ err: error }, `invalid configuration: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
