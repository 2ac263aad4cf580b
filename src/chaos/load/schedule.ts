// The open-model schedule as pure arithmetic: request `seq` is due at
// `start + seq * 1000 / rate`, whatever happened to earlier requests.

/** Number of requests a plan schedules: `floor(durationMs * ratePerSec / 1000)`. */
export function scheduledCount(ratePerSec: number, durationMs: number): number {
  return Math.floor((durationMs * ratePerSec) / 1000 + 1e-9);
}

/** Epoch ms at which request `seq` is due. */
export function intendedAt(startedAt: number, ratePerSec: number, seq: number): number {
  return startedAt + (seq * 1000) / ratePerSec;
}

/** How many requests (from seq 0) are due at `now`, capped at `total`. */
export function dueCount(startedAt: number, ratePerSec: number, total: number, now: number): number {
  if (now < startedAt) return 0;
  const due = Math.floor(((now - startedAt) * ratePerSec) / 1000 + 1e-9) + 1;
  return Math.min(total, due);
}
