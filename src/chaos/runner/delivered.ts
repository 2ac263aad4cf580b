import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../../core/duration.js';
import type { DeliveryCount, ExpectationVerdict } from '../../core/results.js';
import type { SpanRecord, TraceSource } from '../../evidence/types.js';
import type { RequestSample } from '../load/types.js';
import type { Scenario } from '../scenario/schema.js';
import type { LagTarget } from './consumer-lag.js';
import {
  countDeliveries,
  type DeliveryAccount,
  type DeliveryCounts,
  deadlineOf,
  describeCounts,
  type Processing,
  type PublishedMessage,
} from './delivered-count.js';
import { readId } from './eventually.js';

type DeliveredSpec = Extract<Scenario['eventually'][number], { type: 'delivered' }>;

/** Default span attribute holding the message identity, per transport. */
export const DEFAULT_ID_ATTRIBUTE: Record<DeliveredSpec['transport'], string> = {
  kafka: 'messaging.kafka.message.key',
  rabbitmq: 'messaging.message.id',
};

/** The check's display name: its `name`, or one made from the consumer and `within`. */
export function deliveredName(spec: DeliveredSpec): string {
  return spec.name ?? `every message processed once by ${spec.consumer} within ${spec.within} of the heal`;
}

/** The consumer-lag targets of the scenario's `delivered` checks with `lag`. */
export function lagTargets(eventually: Scenario['eventually']): LagTarget[] {
  return eventually.flatMap((e) =>
    e.type === 'delivered' && e.lag
      ? [
          {
            name: deliveredName(e),
            consumer: e.consumer,
            brokers: e.lag.brokers,
            topic: e.lag.topic,
            group: e.lag.group,
            everyMs: parseDuration(e.lag.every),
          },
        ]
      : [],
  );
}

/** What the `delivered` check needs from the run. */
export interface DeliveredRun {
  readonly samples: readonly RequestSample[];
  /** Path of the load request each sample sent. */
  readonly pathOf: (sample: RequestSample) => string;
  /** Phases in run order with their windows (epoch ms). */
  readonly phases: readonly { readonly name: string; readonly startedAt: number; readonly endedAt: number }[];
  /** When the last fault healed (end of the load when there was none). */
  readonly healedAt: number;
  readonly traces: TraceSource | undefined;
  readonly phaseLabel: string;
  readonly signal?: AbortSignal;
}

/** How often the trace source is read while messages are outstanding, ms. */
const POLL_MS = 500;
/** Reads after the deadline, to tell late messages from lost ones. */
const GRACE_MS = 2000;

/** The messages the accepted requests promised, each in the phase its request was sent in. */
export function publishedMessages(spec: DeliveredSpec, run: DeliveredRun): PublishedMessage[] {
  const out: PublishedMessage[] = [];
  for (const s of run.samples) {
    if (!spec.statuses.includes(s.status)) continue;
    if (spec.request !== undefined && run.pathOf(s) !== spec.request) continue;
    const id = readId(s.bodySnippet, spec.idField);
    if (id === null) continue;
    const phase = run.phases.find((p) => s.intendedAt >= p.startedAt && s.intendedAt < p.endedAt)?.name ?? 'after';
    out.push({ id, at: s.intendedAt, phase });
  }
  return out;
}

/**
 * The messages a producer published, from its PRODUCER spans that carry the
 * identity attribute: one per id, at its first send that did not end in error,
 * in the phase that send started in. `failedOnly` counts ids whose every send
 * ended in error (never published, so not expected at the consumer).
 */
export function producedMessages(
  spans: readonly SpanRecord[],
  producer: string,
  idAttribute: string,
  phases: DeliveredRun['phases'],
): { published: PublishedMessage[]; producerSpans: number; failedOnly: number } {
  const first = new Map<string, number>();
  const failed = new Set<string>();
  let producerSpans = 0;
  for (const span of spans) {
    if (span.service !== producer || span.kind !== 'producer') continue;
    producerSpans += 1;
    const id = span.attributes[idAttribute];
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    const key = String(id);
    if (span.status === 'error') {
      failed.add(key);
      continue;
    }
    first.set(key, Math.min(first.get(key) ?? Number.POSITIVE_INFINITY, span.startTime));
  }
  const published = [...first]
    .map(([id, at]) => ({ id, at, phase: phases.find((p) => at >= p.startedAt && at < p.endedAt)?.name ?? 'after' }))
    .sort((a, b) => a.at - b.at);
  return { published, producerSpans, failedOnly: [...failed].filter((id) => !first.has(id)).length };
}

/**
 * The consumer's processings: its CONSUMER spans that carry the identity
 * attribute and did not end in error (a handler that threw did not process
 * the message; its redelivery will, or it is lost).
 */
export function processingsOf(spans: readonly SpanRecord[], consumer: string, idAttribute: string): Processing[] {
  const seen = new Set<string>();
  const out: Processing[] = [];
  for (const span of spans) {
    if (span.service !== consumer || span.kind !== 'consumer' || span.status === 'error' || seen.has(span.spanId)) {
      continue;
    }
    const id = span.attributes[idAttribute];
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    seen.add(span.spanId);
    out.push({ id: String(id), at: span.startTime });
  }
  return out;
}

function delay(c: DeliveryCounts): string {
  return c.delayMs ? `; delay p50 ${Math.round(c.delayMs.p50)} ms, max ${Math.round(c.delayMs.max)} ms` : '';
}

function breaches(c: DeliveryCounts, spec: DeliveredSpec, duplicatesBound: number): string[] {
  const out: string[] = [];
  if (c.lost > spec.lost) out.push(`${c.lost} lost (bound ${spec.lost})`);
  if (c.duplicated > duplicatesBound) out.push(`${c.duplicated} duplicated (bound ${duplicatesBound})`);
  if (c.late > 0) out.push(`${c.late} late (processed more than ${spec.within} after the heal)`);
  return out;
}

/**
 * Reads the consumer's spans until every published message was processed (then
 * one more read, for duplicates and late exports) or until the last deadline
 * plus a grace period, then judges: one verdict for the run and one per phase
 * that published. Fails when nothing was published or the consumer reported
 * no span at all (the evidence is missing, not the messages).
 */
export async function checkDelivered(
  spec: DeliveredSpec,
  run: DeliveredRun,
): Promise<{ verdicts: ExpectationVerdict[]; deliveries: DeliveryCount[] }> {
  const withinMs = parseDuration(spec.within);
  const idAttribute = spec.idAttribute ?? DEFAULT_ID_ATTRIBUTE[spec.transport];
  const name = deliveredName(spec);
  const bound = `lost <= ${spec.lost}, duplicated <= ${spec.maxDuplicates}, late = 0`;
  const verdict = (passed: boolean, observed: number | null, message: string, suffix = ''): ExpectationVerdict => ({
    type: spec.type,
    name: `${name}${suffix}`,
    phase: run.phaseLabel,
    passed,
    observed,
    bound,
    unit: 'messages',
    message,
  });
  const failed = (message: string) => ({ verdicts: [verdict(false, null, message)], deliveries: [] });
  const producer = spec.producer;
  let published = producer === undefined ? publishedMessages(spec, run) : [];
  if (producer === undefined && published.length === 0) {
    return failed(
      `no response had status ${spec.statuses.join('/')} with a readable "${spec.idField}", so no message was published to follow`,
    );
  }
  if (!run.traces) {
    return failed(
      `no trace source: give the scenario \`traces\` so that ${spec.consumer}'s consumer spans can be read`,
    );
  }
  const from = Math.min(...run.phases.map((p) => p.startedAt));
  const timing = { healedAt: run.healedAt, withinMs };
  let spans: SpanRecord[] = [];
  let consumerSpans = 0;
  let produced: ReturnType<typeof producedMessages> | undefined;
  let processings: Processing[] = [];
  let settled = false;
  while (!run.signal?.aborted) {
    spans = await run.traces.spans({ from, to: Date.now() + 60_000 });
    if (producer !== undefined) {
      produced = producedMessages(spans, producer, idAttribute, run.phases);
      published = produced.published;
    }
    consumerSpans = spans.filter((s) => s.service === spec.consumer && s.kind === 'consumer').length;
    processings = processingsOf(spans, spec.consumer, idAttribute);
    const done = new Set(processings.map((p) => p.id));
    const outstanding = published.length === 0 || published.some((m) => !done.has(m.id));
    if (!outstanding && settled) break;
    if (!outstanding) settled = true; // one more read: duplicates and the exporters' last batches
    // Until a producer span shows up, its messages could only have been published by the heal.
    const lastDeadline = Math.max(run.healedAt + withinMs, ...published.map((m) => deadlineOf(m, timing)));
    if (Date.now() > lastDeadline + GRACE_MS) break;
    await sleep(POLL_MS);
  }
  if (producer !== undefined && published.length === 0) {
    const ofProducer = spans.filter((s) => s.service === producer).length;
    return failed(
      produced && produced.producerSpans > 0
        ? `${produced.producerSpans} producer span(s) of ${producer}, none both with attribute ${idAttribute} and not in error, so no published message was found to follow`
        : `no producer spans of ${producer} were found (the trace source gave ${spans.length} span(s) in all, ${ofProducer} of ${producer}), so nothing shows what it published: start it with the preload and list it in the scenario's traces`,
    );
  }
  const account: DeliveryAccount = countDeliveries(published, processings, {
    healedAt: run.healedAt,
    withinMs,
    phases: run.phases.map((p) => p.name),
  });
  if (consumerSpans === 0) {
    return failed(
      `${spec.consumer} reported no consumer span (the trace source gave ${spans.length} span(s) in all), so nothing shows what it processed (started without the preload, or exporting elsewhere than the scenario's traces source)`,
    );
  }
  if (processings.length === 0) {
    return failed(
      `${consumerSpans} consumer span(s) of ${spec.consumer}, none with attribute ${idAttribute}: set idAttribute to the attribute that carries the message identity`,
    );
  }
  const total = account.total;
  const wrong = breaches(total, spec, spec.maxDuplicates);
  const verdicts = [
    verdict(
      wrong.length === 0,
      total.lost,
      `${describeCounts(total)}${delay(total)} (by ${spec.consumer}, identity ${idAttribute}` +
        `${producer === undefined ? '' : `, published = producer spans of ${producer}`})` +
        (wrong.length > 0 ? `: ${wrong.join('; ')}` : '') +
        (account.foreign > 0 ? `; ${account.foreign} processing(s) of messages this run did not publish ignored` : '') +
        (produced?.failedOnly
          ? `; ${produced.failedOnly} message(s) whose every send ended in error not counted as published`
          : ''),
    ),
  ];
  for (const { phase, counts } of account.phases) {
    if (counts.published === 0) continue;
    const phaseWrong = breaches(counts, spec, spec.maxDuplicates);
    verdicts.push(
      verdict(
        phaseWrong.length === 0,
        counts.lost,
        `published in ${phase}: ${describeCounts(counts)}${delay(counts)}` +
          (phaseWrong.length > 0 ? `: ${phaseWrong.join('; ')}` : ''),
        ` (phase ${phase})`,
      ),
    );
  }
  const record = (phase: string, c: DeliveryCounts): DeliveryCount => ({
    name,
    consumer: spec.consumer,
    transport: spec.transport,
    phase,
    published: c.published,
    processed: c.processed,
    lost: c.lost,
    duplicated: c.duplicated,
    late: c.late,
    examples: c.examples,
    ...(c.delayMs ? { delayMs: c.delayMs } : {}),
  });
  const deliveries = [
    record('all', total),
    ...account.phases.filter((p) => p.counts.published > 0).map((p) => record(p.phase, p.counts)),
  ];
  return { verdicts, deliveries };
}
