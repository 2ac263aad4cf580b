import { describe, expect, it } from 'vitest';
import { expectationRegistry } from '../../src/chaos/expectations/registry.js';
import type { RequestSample } from '../../src/chaos/load/types.js';
import { lagPoint } from '../../src/chaos/runner/consumer-lag.js';
import {
  checkDelivered,
  lagTargets,
  processingsOf,
  producedMessages,
  publishedMessages,
} from '../../src/chaos/runner/delivered.js';
import { countDeliveries, describeCounts } from '../../src/chaos/runner/delivered-count.js';
import { scenarioSchema } from '../../src/chaos/scenario/schema.js';
import type { SpanRecord, TraceSource } from '../../src/evidence/types.js';

// The `delivered` accounting: published ids (accepted responses) against the
// consumer's processing spans, per run and per phase. Pure functions, plus the
// check itself over an in-memory trace source (no broker needed to judge).

const T0 = 1_000_000;
const PHASES = [
  { name: 'steady', startedAt: T0, endedAt: T0 + 2000 },
  { name: 'cut', startedAt: T0 + 2000, endedAt: T0 + 6000 },
  { name: 'back', startedAt: T0 + 6000, endedAt: T0 + 9000 },
];
const HEAL = T0 + 6000;

function sample(seq: number, at: number, id: string, status = 201): RequestSample {
  return {
    seq,
    intendedAt: at,
    startedAt: at,
    latencyMs: 5,
    serviceTimeMs: 5,
    status,
    correlationId: `c-${seq}`,
    bodySnippet: JSON.stringify({ id, status: 'created' }),
    path: '/api/orders',
  };
}

function consumerSpan(id: string, at: number, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: 't',
    spanId: `${id}-${at}`,
    name: 'process shop.orders',
    kind: 'consumer',
    service: 'notifications',
    startTime: at,
    endTime: at + 3,
    attributes: { 'messaging.kafka.message.key': id },
    status: 'unset',
    ...extra,
  };
}

const spec = (over: Record<string, unknown> = {}) =>
  scenarioSchema(expectationRegistry).parse({
    version: 1,
    name: 's',
    proxies: [{ name: 'kafka', listen: '127.0.0.1:19094', upstream: '127.0.0.1:9094' }],
    load: { target: 'http://127.0.0.1:1', rate: 1, requests: [{ method: 'POST', path: '/api/orders' }] },
    phases: [{ name: 'steady', kind: 'steady', duration: '1s' }],
    eventually: [{ type: 'delivered', consumer: 'notifications', transport: 'kafka', within: '2s', ...over }],
  }).eventually[0] as Extract<
    ReturnType<ReturnType<typeof scenarioSchema>['parse']>['eventually'][number],
    { type: 'delivered' }
  >;

function source(spans: SpanRecord[]): TraceSource {
  return { name: 'memory', spans: async () => spans, close: async () => {} };
}

const run = (samples: RequestSample[], spans: SpanRecord[] | undefined) => ({
  samples,
  pathOf: (s: RequestSample) => s.path ?? '',
  phases: PHASES,
  healedAt: HEAL,
  traces: spans ? source(spans) : undefined,
  phaseLabel: 'eventually',
});

describe('countDeliveries', () => {
  const published = [
    { id: 'a', at: T0 + 100, phase: 'steady' },
    { id: 'b', at: T0 + 2500, phase: 'cut' },
    { id: 'c', at: T0 + 3000, phase: 'cut' },
    { id: 'd', at: T0 + 7000, phase: 'back' },
  ];
  const options = { healedAt: HEAL, withinMs: 2000, phases: ['steady', 'cut', 'back'] };

  it('counts a clean run: every message processed once, in time', () => {
    const account = countDeliveries(
      published,
      published.map((m) => ({ id: m.id, at: m.at + 10 })),
      options,
    );
    expect(account.total).toMatchObject({ published: 4, processed: 4, lost: 0, duplicated: 0, late: 0 });
    expect(account.phases.map((p) => [p.phase, p.counts.published])).toEqual([
      ['steady', 1],
      ['cut', 2],
      ['back', 1],
    ]);
  });

  it('counts lost, duplicated and late messages with examples, in the phase they were published', () => {
    const account = countDeliveries(
      published,
      [
        { id: 'a', at: T0 + 110 },
        { id: 'a', at: T0 + 6500 }, // redelivered after the heal
        { id: 'b', at: HEAL + 2500 }, // after heal + within
        { id: 'x', at: T0 + 50 }, // not published by this run
        { id: 'd', at: T0 + 7100 },
      ],
      options,
    );
    expect(account.total).toMatchObject({ published: 4, processed: 3, lost: 1, duplicated: 1, late: 1 });
    expect(account.total.examples).toEqual({ lost: ['c'], duplicated: ['a'], late: ['b'] });
    // Delay of the processed ones (first processing - publish): a 10, d 100, b 6000 (late).
    expect(account.total.delayMs).toEqual({ p50: 100, max: 6000 });
    expect(account.foreign).toBe(1);
    const cut = account.phases.find((p) => p.phase === 'cut')!.counts;
    expect(cut).toMatchObject({ published: 2, lost: 1, late: 1 });
    expect(describeCounts(cut)).toBe('published 2, processed 1, lost 1 (e.g. c), duplicated 0, late 1 (e.g. b)');
  });

  it('gives a message published after the heal its own deadline', () => {
    const account = countDeliveries([{ id: 'd', at: T0 + 7000, phase: 'back' }], [{ id: 'd', at: T0 + 8900 }], options);
    expect(account.total.late).toBe(0);
  });
});

describe('publishedMessages and processingsOf', () => {
  it('takes accepted responses of the request only, in the phase they were sent', () => {
    const published = publishedMessages(
      spec({ request: '/api/orders' }),
      run([sample(0, T0 + 10, 'a'), sample(1, T0 + 2100, 'b', 503), sample(2, T0 + 2200, 'c')], []),
    );
    expect(published).toEqual([
      { id: 'a', at: T0 + 10, phase: 'steady' },
      { id: 'c', at: T0 + 2200, phase: 'cut' },
    ]);
  });

  it("counts the consumer's consumer spans with the id attribute, not errors, other services or kinds", () => {
    const spans = [
      consumerSpan('a', T0),
      consumerSpan('b', T0, { status: 'error' }),
      consumerSpan('c', T0, { service: 'delivery' }),
      consumerSpan('d', T0, { kind: 'producer' }),
      consumerSpan('e', T0, { attributes: {} }),
    ];
    expect(processingsOf(spans, 'notifications', 'messaging.kafka.message.key')).toEqual([{ id: 'a', at: T0 }]);
  });
});

describe('checkDelivered', () => {
  const samples = [sample(0, T0 + 100, 'a'), sample(1, T0 + 2500, 'b'), sample(2, T0 + 7000, 'c')];

  it('passes when every published message was processed once, with one verdict per phase', async () => {
    const { verdicts, deliveries } = await checkDelivered(
      spec(),
      run(samples, [consumerSpan('a', T0 + 200), consumerSpan('b', T0 + 6100), consumerSpan('c', T0 + 7100)]),
    );
    expect(verdicts.map((v) => v.passed)).toEqual([true, true, true, true]);
    expect(verdicts[0]!.message).toContain('published 3, processed 3, lost 0');
    expect(verdicts[2]!.name).toContain('(phase cut)');
    expect(deliveries.map((d) => [d.phase, d.published, d.processed, d.lost])).toEqual([
      ['all', 3, 3, 0],
      ['steady', 1, 1, 0],
      ['cut', 1, 1, 0],
      ['back', 1, 1, 0],
    ]);
  });

  it('fails with the lost count and the lost ids (negative)', async () => {
    const { verdicts } = await checkDelivered(
      spec(),
      run(samples, [consumerSpan('a', T0 + 200), consumerSpan('c', T0 + 7100)]),
    );
    expect(verdicts[0]).toMatchObject({ passed: false, observed: 1 });
    expect(verdicts[0]!.message).toContain('lost 1 (e.g. b)');
    expect(verdicts[0]!.message).toContain('1 lost (bound 0)');
    expect(verdicts.find((v) => v.name.includes('(phase cut)'))!.passed).toBe(false);
    expect(verdicts.find((v) => v.name.includes('(phase steady)'))!.passed).toBe(true);
  }, 10_000);

  it('fails on duplicates above maxDuplicates and passes within it', async () => {
    const spans = [
      consumerSpan('a', T0 + 200),
      consumerSpan('a', T0 + 6200),
      consumerSpan('b', T0 + 6100),
      consumerSpan('c', T0 + 7100),
    ];
    const { verdicts: strict } = await checkDelivered(spec(), run(samples, spans));
    expect(strict[0]!.passed).toBe(false);
    expect(strict[0]!.message).toContain('1 duplicated (bound 0)');
    const { verdicts: allowed } = await checkDelivered(spec({ maxDuplicates: 2 }), run(samples, spans));
    expect(allowed[0]!.passed).toBe(true);
  });

  it('fails, saying why, when the consumer reported no span or nothing was published', async () => {
    const { verdicts: none } = await checkDelivered(
      spec({ within: '0ms' }),
      run(samples, [consumerSpan('a', T0, { service: 'x' })]),
    );
    expect(none).toHaveLength(1);
    expect(none[0]!.message).toContain('notifications reported no consumer span');
    const { verdicts: nothing } = await checkDelivered(spec(), run([sample(0, T0, 'a', 503)], []));
    expect(nothing[0]!.message).toContain('no message was published to follow');
    const { verdicts: noSource } = await checkDelivered(spec(), run(samples, undefined));
    expect(noSource[0]!.message).toContain('no trace source');
  }, 10_000);

  it('is refused by the schema with the field named when a parameter is wrong', () => {
    expect(() => spec({ transport: 'sqs' })).toThrow(/transport/);
    expect(() => spec({ maxDuplicate: 1 })).toThrow(/maxDuplicate/);
  });
});

describe('published from the producer spans (producer)', () => {
  const producerSpan = (id: string, at: number, extra: Partial<SpanRecord> = {}) =>
    consumerSpan(id, at, { service: 'orders', kind: 'producer', name: 'send shop.orders', ...extra });

  it('counts one message per id at its first send not in error, in the phase it was sent', () => {
    const spans = [
      producerSpan('a', T0 + 100),
      producerSpan('b', T0 + 2500, { status: 'error' }), // failed during the cut ...
      producerSpan('b', T0 + 6200), // ... and sent again after the heal
      producerSpan('b', T0 + 6300, { spanId: 'b-again' }),
      producerSpan('c', T0 + 3000, { status: 'error' }), // never sent
      consumerSpan('a', T0 + 150),
      producerSpan('d', T0 + 100, { service: 'payments' }),
    ];
    const produced = producedMessages(spans, 'orders', 'messaging.kafka.message.key', PHASES);
    expect(produced.published).toEqual([
      { id: 'a', at: T0 + 100, phase: 'steady' },
      { id: 'b', at: T0 + 6200, phase: 'back' },
    ]);
    expect(produced).toMatchObject({ producerSpans: 5, failedOnly: 1 });
  });

  it('judges what the producer sent: a message it never sent is not lost, one it sent and nobody processed is', async () => {
    // c was accepted (a response) but never sent: counted from responses it is lost, from the producer spans not.
    const spans = [
      producerSpan('a', T0 + 110),
      producerSpan('b', T0 + 6100),
      producerSpan('c', T0 + 3000, { status: 'error' }),
      consumerSpan('a', T0 + 200),
      consumerSpan('b', T0 + 6150),
    ];
    const samples = [sample(0, T0 + 100, 'a'), sample(1, T0 + 2500, 'b'), sample(2, T0 + 2600, 'c')];
    const fromResponses = await checkDelivered(spec({ within: '0ms' }), run(samples, spans));
    expect(fromResponses.verdicts[0]!.message).toContain('lost 1 (e.g. c)');
    const fromSpans = await checkDelivered(spec({ producer: 'orders' }), run(samples, spans));
    expect(fromSpans.verdicts[0]!.passed, fromSpans.verdicts[0]!.message).toBe(true);
    expect(fromSpans.verdicts[0]!.message).toContain('published 2, processed 2, lost 0');
    expect(fromSpans.verdicts[0]!.message).toContain('published = producer spans of orders');
    expect(fromSpans.verdicts[0]!.message).toContain('1 message(s) whose every send ended in error');
    const lost = await checkDelivered(spec({ producer: 'orders' }), run(samples, spans.slice(0, 4)));
    expect(lost.verdicts[0]).toMatchObject({ passed: false, observed: 1 });
    expect(lost.verdicts[0]!.message).toContain('lost 1 (e.g. b)');
  }, 10_000);

  it('fails, saying so, when no producer span was found (negative), never a quiet pass', async () => {
    const spans = [consumerSpan('a', T0 + 200)];
    const { verdicts } = await checkDelivered(spec({ producer: 'orders', within: '0ms' }), run([], spans));
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ passed: false, observed: null });
    expect(verdicts[0]!.message).toMatch(/^no producer spans of orders were found \(the trace source gave 1 span/);
    const unkeyed = await checkDelivered(
      spec({ producer: 'orders', within: '0ms' }),
      run([], [consumerSpan('a', T0, { service: 'orders', kind: 'producer', attributes: {} })]),
    );
    expect(unkeyed.verdicts[0]!.message).toContain(
      '1 producer span(s) of orders, none both with attribute messaging.kafka.message.key',
    );
  }, 10_000);
});

describe('consumer lag', () => {
  it('sums end minus committed offsets over the partitions; an uncommitted partition counts from its low offset', () => {
    const ends = [
      { partition: 0, high: '40', low: '0' },
      { partition: 1, high: '25', low: '5' },
      { partition: 2, high: '10', low: '0' },
    ];
    const committed = [
      { partition: 0, offset: '31' },
      { partition: 1, offset: '-1' },
      { partition: 2, offset: '10' },
    ];
    expect(lagPoint(T0, ends, committed)).toEqual({ at: T0, end: 75, committed: 46, lag: 29 });
    expect(lagPoint(T0, ends, []).lag).toBe(70);
  });

  it('takes lag targets from delivered checks with lag; the schema refuses lag on RabbitMQ, naming the field', () => {
    const lag = { brokers: '127.0.0.1:9092, 127.0.0.1:9095', topic: 'shop.orders', group: 'notifications' };
    const s = spec({ lag, name: 'orders delivered' });
    expect(lagTargets([s])).toEqual([
      {
        name: 'orders delivered',
        consumer: 'notifications',
        brokers: ['127.0.0.1:9092', '127.0.0.1:9095'],
        topic: 'shop.orders',
        group: 'notifications',
        everyMs: 1000,
      },
    ]);
    expect(() => spec({ lag, transport: 'rabbitmq' })).toThrow(/"lag"[\s\S]*needs transport: kafka/);
    expect(() => spec({ lag: { ...lag, brokers: 'kafka' } })).toThrow(/brokers[\s\S]*host:port/);
  });
});
