import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../../core/duration.js';
import type { DeliveryCount, ExpectationVerdict } from '../../core/results.js';
import type { SpanRecord, TraceSource } from '../../evidence/types.js';
import type { RequestSample } from '../load/types.js';
import type { Scenario } from '../scenario/schema.js';
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
  const name = spec.name ?? `every message processed once by ${spec.consumer} within ${spec.within} of the heal`;
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
  const published = publishedMessages(spec, run);
  if (published.length === 0) {
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
  const lastDeadline = Math.max(...published.map((m) => deadlineOf(m, { healedAt: run.healedAt, withinMs })));
  const wanted = new Set(published.map((m) => m.id));
  let spans: SpanRecord[] = [];
  let consumerSpans = 0;
  let processings: Processing[] = [];
  let settled = false;
  while (!run.signal?.aborted) {
    spans = await run.traces.spans({ from, to: Date.now() + 60_000 });
    consumerSpans = spans.filter((s) => s.service === spec.consumer && s.kind === 'consumer').length;
    processings = processingsOf(spans, spec.consumer, idAttribute);
    const done = new Set(processings.map((p) => p.id));
    const outstanding = [...wanted].some((id) => !done.has(id));
    if (!outstanding && settled) break;
    if (!outstanding) settled = true; // one more read: duplicates and the exporters' last batches
    if (Date.now() > lastDeadline + GRACE_MS) break;
    await sleep(POLL_MS);
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
      `${describeCounts(total)}${delay(total)} (by ${spec.consumer}, identity ${idAttribute})` +
        (wrong.length > 0 ? `: ${wrong.join('; ')}` : '') +
        (account.foreign > 0 ? `; ${account.foreign} processing(s) of messages this run did not publish ignored` : ''),
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
