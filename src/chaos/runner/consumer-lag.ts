import { setTimeout as sleep } from 'node:timers/promises';
import { quietKafkajsTimers } from '../../core/kafkajs-timers.js';
import type { ConsumerLagPoint, ConsumerLagSeries } from '../../core/results.js';

// Consumer lag as Kafka defines it (the LAG column of kafka-consumer-groups.sh):
// for each partition of the topic, its end offset minus the group's committed
// offset, summed. Read with an admin client on brokers outside the fault, every
// `everyMs`, while the run lasts. A read that fails leaves a gap and is counted.

/** What to sample: one `delivered` check's `lag`. */
export interface LagTarget {
  /** The check's display name. */
  readonly name: string;
  readonly consumer: string;
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly group: string;
  /** Time between reads, ms. */
  readonly everyMs: number;
}

/** The newest sample of a target, for live progress. */
export interface LagReading {
  readonly consumer: string;
  readonly topic: string;
  readonly group: string;
  readonly lag: number;
  readonly at: number;
}

/** Most samples kept per series (an hour at the default 1 s); the sampler stops reading after that. */
export const MAX_LAG_POINTS = 3600;

/** How long a stop waits for a read in flight, ms. */
const STOP_MS = 5000;

/**
 * One sample from the topic's offsets (`fetchTopicOffsets`) and the group's
 * (`fetchOffsets`). A partition the group never committed on counts from its
 * low offset: everything the topic still holds is unconsumed.
 */
export function lagPoint(
  at: number,
  ends: readonly { readonly partition: number; readonly high: string; readonly low: string }[],
  committed: readonly { readonly partition: number; readonly offset: string }[],
): ConsumerLagPoint {
  const byPartition = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  let end = 0;
  let done = 0;
  for (const p of ends) {
    const high = Number(p.high);
    const c = byPartition.get(p.partition);
    end += high;
    done += c === undefined || c < 0 ? Number(p.low) : Math.min(c, high);
  }
  return { at, end, committed: done, lag: end - done };
}

/** Samples the lag of each target until {@link LagSampler.stop}. */
export class LagSampler {
  readonly #stop = new AbortController();
  readonly #runs: Promise<ConsumerLagSeries>[];

  /** Starts sampling at once; `onReading` gets every target's newest reading after each read. */
  constructor(targets: readonly LagTarget[], onReading?: (readings: readonly LagReading[]) => void) {
    const latest = new Map<LagTarget, LagReading>();
    this.#runs = targets.map((t) =>
      this.#sample(t, (r) => {
        latest.set(t, r);
        onReading?.([...latest.values()]);
      }),
    );
  }

  /** Stops reading and returns one series per target, in the targets' order. */
  async stop(): Promise<ConsumerLagSeries[]> {
    this.#stop.abort();
    return Promise.all(this.#runs);
  }

  async #sample(t: LagTarget, onReading: (r: LagReading) => void): Promise<ConsumerLagSeries> {
    const points: ConsumerLagPoint[] = [];
    let failed = 0;
    let first: string | undefined;
    const signal = this.#stop.signal;
    const { Kafka, logLevel } = await import('kafkajs');
    quietKafkajsTimers();
    const admin = new Kafka({
      clientId: 'msa-verify-lag',
      brokers: [...t.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 0 },
    }).admin();
    let connected = false;
    while (!signal.aborted && points.length < MAX_LAG_POINTS) {
      const started = Date.now();
      try {
        if (!connected) {
          await admin.connect();
          connected = true;
        }
        const [ends, offsets] = await Promise.all([
          admin.fetchTopicOffsets(t.topic),
          admin.fetchOffsets({ groupId: t.group, topics: [t.topic] }),
        ]);
        const point = lagPoint(Date.now(), ends, offsets.find((o) => o.topic === t.topic)?.partitions ?? []);
        points.push(point);
        onReading({ consumer: t.consumer, topic: t.topic, group: t.group, lag: point.lag, at: point.at });
      } catch (error) {
        failed += 1;
        first ??= (error as Error).message;
      }
      await sleep(Math.max(0, t.everyMs - (Date.now() - started)), undefined, { signal }).catch(() => undefined);
    }
    await Promise.race([admin.disconnect().catch(() => undefined), sleep(STOP_MS)]);
    return {
      name: t.name,
      consumer: t.consumer,
      topic: t.topic,
      group: t.group,
      points,
      ...(first !== undefined ? { failedReads: { count: failed, first } } : {}),
    };
  }
}
