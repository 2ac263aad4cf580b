import { setTimeout as sleep } from 'node:timers/promises';
import { MsaVerifyError } from '../../core/errors.js';

/** @throws MsaVerifyError `MSAV_INTERRUPTED` once the run's signal has fired. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new MsaVerifyError(
      'MSAV_INTERRUPTED',
      `interrupted (${String(signal.reason ?? 'abort')}); the run was rolled back`,
    );
  }
}

/** Waits until the epoch-ms time `at`; an abort ends the wait with `MSAV_INTERRUPTED`. */
export async function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  const ms = at - Date.now();
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch {
    throwIfAborted(signal);
  }
}
