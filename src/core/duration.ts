import { MsaVerifyError } from './errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Pattern that a duration string must match, for schemas and messages. */
export const DURATION_PATTERN = DURATION_RE.source;

/**
 * Parses `250ms`, `5s`, `1.5m`, `1h` into milliseconds (an integer, rounded).
 * Negative, unitless and empty strings are rejected.
 */
export function parseDuration(text: string): number {
  const match = DURATION_RE.exec(text.trim());
  if (!match) {
    throw new MsaVerifyError(
      'MSAV_DURATION_INVALID',
      `invalid duration "${text}": expected a number and a unit (ms, s, m, h), e.g. 250ms or 5s`,
    );
  }
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
  return Math.round(Number(amount) * UNIT_MS[unit]);
}

/** Returns true if `text` is a valid duration string. */
export function isDuration(text: string): boolean {
  return DURATION_RE.test(text.trim());
}

/** Formats milliseconds compactly (`1.5s`, `250ms`) for messages. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number(ms.toFixed(1))}ms`;
}
