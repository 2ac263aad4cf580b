// quietKafkajsTimers against the real broker: kafkajs 2.2.4 as installed asks
// for timers of minus the epoch (Node 23+ prints a TimeoutNegativeWarning for
// them), and after the patch the same client work asks for none, while the
// pending-request check still runs (a 1 ms timer where Node used 1 ms).
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { quietKafkajsTimers } from '../../src/core/kafkajs-timers.js';
import { serviceUrls } from '../support/services.js';

const realSetTimeout = globalThis.setTimeout;
const callReal = realSetTimeout as unknown as (fn: () => void, ms?: number, ...rest: unknown[]) => unknown;

/** Delays of the timers set while an admin client connects, lists topics and disconnects. */
async function timerDelays(): Promise<number[]> {
  const delays: number[] = [];
  globalThis.setTimeout = ((fn: () => void, ms?: number, ...rest: unknown[]) => {
    if (typeof ms === 'number') delays.push(ms);
    return callReal(fn, ms, ...rest);
  }) as typeof setTimeout;
  try {
    const admin = new Kafka({
      clientId: 'msav-kafkajs-timers',
      brokers: serviceUrls().KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  return delays;
}

describe('quietKafkajsTimers', () => {
  it('leaves no negative timer delay in kafkajs, and keeps the pending-request check (1 ms)', async () => {
    // Unpatched first (the patch is for the whole process): the installed kafkajs does ask for them.
    const before = await timerDelays();
    expect(before.filter((ms) => ms < 0).length).toBeGreaterThan(0);

    quietKafkajsTimers();
    quietKafkajsTimers(); // idempotent
    const after = await timerDelays();
    expect(after.filter((ms) => ms < 0)).toEqual([]);
    // Unpatched, kafkajs sets no 1 ms timer here: these are the clamped ones.
    expect(before.filter((ms) => ms === 1)).toEqual([]);
    expect(after.filter((ms) => ms === 1).length).toBeGreaterThan(0);
  });
});
