import { setTimeout as sleep } from 'node:timers/promises';

export { freePort } from '../../src/core/net.ts';

/** Polls `check` until it returns true or `timeoutMs` passes; errors count as "not yet". */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}
