// Pure accounting behind the `delivered` check: published ids (with the time
// and phase they were published in) against processings (consumer spans by
// message identity) -> lost, duplicated, late, per run and per phase.

/** One message the system promised to deliver: an accepted request's id. */
export interface PublishedMessage {
  readonly id: string;
  /** Epoch ms the request was sent. */
  readonly at: number;
  readonly phase: string;
}

/** One processing of a message by the consumer (a consumer span). */
export interface Processing {
  readonly id: string;
  /** Epoch ms the processing started. */
  readonly at: number;
}

/** Counts for a set of published messages. */
export interface DeliveryCounts {
  readonly published: number;
  /** Published messages processed at least once. */
  readonly processed: number;
  /** Published messages never processed. */
  readonly lost: number;
  /** Processings beyond the first, summed over the messages. */
  readonly duplicated: number;
  /** Messages first processed after their deadline (`max(heal, published) + within`). */
  readonly late: number;
  /** Up to three ids of each kind, for the report. */
  readonly examples: { readonly lost: string[]; readonly duplicated: string[]; readonly late: string[] };
  /**
   * Delivery delay of the processed messages (first processing - publish), ms:
   * median and maximum; null when none was processed. The backlog a fault built.
   */
  readonly delayMs: { readonly p50: number; readonly max: number } | null;
}

/** The accounting of a run: in all, and per phase (in the order the phases ran). */
export interface DeliveryAccount {
  readonly total: DeliveryCounts;
  readonly phases: readonly { readonly phase: string; readonly counts: DeliveryCounts }[];
  /** Processings whose id no accepted request published (other traffic on the topic/queue). */
  readonly foreign: number;
}

/** Parameters of {@link countDeliveries}. */
export interface CountOptions {
  /** Epoch ms the last fault healed (the end of the load when there was no fault). */
  readonly healedAt: number;
  readonly withinMs: number;
  /** Phase names in run order (phases that published nothing are reported with zeros). */
  readonly phases: readonly string[];
}

const EXAMPLES = 3;

/** The moment by which a message must have been processed. */
export function deadlineOf(m: PublishedMessage, options: Pick<CountOptions, 'healedAt' | 'withinMs'>): number {
  return Math.max(options.healedAt, m.at) + options.withinMs;
}

function count(messages: readonly PublishedMessage[], byId: ReadonlyMap<string, number[]>, o: CountOptions) {
  let processed = 0;
  let duplicated = 0;
  const lost: string[] = [];
  const dup: string[] = [];
  const late: string[] = [];
  const delays: number[] = [];
  for (const m of messages) {
    const times = byId.get(m.id) ?? [];
    if (times.length === 0) {
      lost.push(m.id);
      continue;
    }
    processed += 1;
    delays.push(Math.max(0, Math.min(...times) - m.at));
    if (times.length > 1) {
      duplicated += times.length - 1;
      dup.push(m.id);
    }
    if (Math.min(...times) > deadlineOf(m, o)) late.push(m.id);
  }
  return {
    published: messages.length,
    processed,
    lost: lost.length,
    duplicated,
    late: late.length,
    examples: { lost: lost.slice(0, EXAMPLES), duplicated: dup.slice(0, EXAMPLES), late: late.slice(0, EXAMPLES) },
    delayMs: summarize(delays),
  };
}

function summarize(delays: number[]): { p50: number; max: number } | null {
  if (delays.length === 0) return null;
  const sorted = [...delays].sort((a, b) => a - b);
  return { p50: sorted[Math.ceil(sorted.length / 2) - 1]!, max: sorted.at(-1)! };
}

/** Matches processings to published messages by id and counts what went wrong. */
export function countDeliveries(
  published: readonly PublishedMessage[],
  processings: readonly Processing[],
  options: CountOptions,
): DeliveryAccount {
  const byId = new Map<string, number[]>();
  for (const p of processings) byId.set(p.id, [...(byId.get(p.id) ?? []), p.at]);
  const ids = new Set(published.map((m) => m.id));
  let foreign = 0;
  for (const [id, times] of byId) if (!ids.has(id)) foreign += times.length;
  return {
    total: count(published, byId, options),
    phases: options.phases.map((phase) => ({
      phase,
      counts: count(
        published.filter((m) => m.phase === phase),
        byId,
        options,
      ),
    })),
    foreign,
  };
}

/** One line for a set of counts, e.g. `published 40, processed 38, lost 2 (e.g. a, b), duplicated 0, late 0`. */
export function describeCounts(c: DeliveryCounts): string {
  const eg = (ids: string[]): string => (ids.length > 0 ? ` (e.g. ${ids.join(', ')})` : '');
  return (
    `published ${c.published}, processed ${c.processed}, lost ${c.lost}${eg(c.examples.lost)}, ` +
    `duplicated ${c.duplicated}${eg(c.examples.duplicated)}, late ${c.late}${eg(c.examples.late)}`
  );
}
