import { percentile } from '../load/stats.js';
import type { RequestSample } from '../load/types.js';

/** A snapshot of a running scenario, emitted about once a second. */
export interface RunProgress {
  readonly runId: string;
  readonly scenario: string;
  readonly phase: string;
  readonly kind: 'steady' | 'fault' | 'fail-first' | 'recovery' | 'setup' | 'drain';
  readonly elapsedMs: number;
  readonly remainingMs: number;
  /** Completed requests per second over the last second. */
  readonly rps: number;
  /** Share of errors (transport errors, timeouts, 5xx) among them, 0..1. */
  readonly errorRate: number;
  /** p50, p95 and p99 latency over the last second, ms; null without samples. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
}

/** True when a sample counts as an error: no response, or a 5xx. */
export function isErrorSample(s: RequestSample): boolean {
  return s.status === 0 || s.status >= 500;
}

/** Rolling one-second window over completed samples. */
export class ProgressWindow {
  #recent: { at: number; sample: RequestSample }[] = [];

  add(sample: RequestSample, now = Date.now()): void {
    this.#recent.push({ at: now, sample });
  }

  /** Rate, error rate and p99 over the last `windowMs`. */
  stats(
    now = Date.now(),
    windowMs = 1000,
  ): { rps: number; errorRate: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null } {
    this.#recent = this.#recent.filter((r) => now - r.at <= windowMs);
    const n = this.#recent.length;
    if (n === 0) return { rps: 0, errorRate: 0, p50Ms: null, p95Ms: null, p99Ms: null };
    const errors = this.#recent.filter((r) => isErrorSample(r.sample)).length;
    const sorted = this.#recent.map((r) => r.sample.latencyMs).sort((a, b) => a - b);
    return {
      rps: (n * 1000) / windowMs,
      errorRate: errors / n,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
    };
  }
}
