// `delivered` accounting throughput against the broker's own, in one run:
//   1. peer: the kafkajs producer alone (idempotent, acks -1, batches of 500)
//      writing N records to a fresh topic on the local broker -> records/s;
//   2. us: what `delivered` does per message once the spans are read: pick the
//      consumer's processing spans out of all spans (processingsOf), match them to
//      the published ids and count lost/duplicated/late per phase (countDeliveries),
//      on N published ids and N + 1% duplicate spans (plus as many spans of other
//      services) -> messages/s;
//   ratio = ours / peer (> 1: the accounting is not the bottleneck).
// Reading the spans (Jaeger, OTLP, file) is not included: it is the trace source's cost.
// Usage: npm run build && node bench/chaos/delivered-bench.ts [--messages 50000] [--rounds 3]
//          [--brokers 127.0.0.1:9092]
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

type Delivered = typeof import('../../src/chaos/runner/delivered.js');
type Count = typeof import('../../src/chaos/runner/delivered-count.js');
type SpanRecord = import('../../src/evidence/types.js').SpanRecord;

const root = path.resolve(import.meta.dirname, '../..');
const dist = (p: string): string => path.join(root, 'dist', p);
if (!existsSync(dist('chaos/runner/delivered.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
const delivered = (await import(pathToFileURL(dist('chaos/runner/delivered.js')).href)) as Delivered;
const count = (await import(pathToFileURL(dist('chaos/runner/delivered-count.js')).href)) as Count;

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
  },
});
const N = Number(values.messages);
const ROUNDS = Number(values.rounds);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function producerRate(): Promise<number> {
  const kafka = new Kafka({ clientId: 'msav-bench', brokers: [values.brokers], logLevel: logLevel.NOTHING });
  const topic = `msav-bench-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const value = JSON.stringify({ type: 'order.created', orderId: randomUUID(), totalCents: 4990, currency: 'EUR' });
  try {
    const started = performance.now();
    for (let i = 0; i < N; i += 500) {
      const messages = Array.from({ length: Math.min(500, N - i) }, (_, j) => ({
        key: `o-${i + j}`,
        value,
        headers: { 'x-correlation-id': `c-${i + j}` },
      }));
      await producer.send({ topic, acks: -1, messages });
    }
    return N / ((performance.now() - started) / 1000);
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
}

function accountingRate(): number {
  const t0 = Date.now();
  const phases = ['steady', 'cut', 'back'];
  const published = Array.from({ length: N }, (_, i) => ({ id: `o-${i}`, at: t0 + i, phase: phases[i % 3]! }));
  const span = (id: string, at: number, service: string): SpanRecord => ({
    traceId: 't',
    spanId: `${service}-${id}-${at}`,
    name: 'process shop.orders',
    kind: 'consumer',
    service,
    startTime: at,
    endTime: at + 1,
    attributes: { 'messaging.kafka.message.key': id },
    status: 'unset',
  });
  const spans: SpanRecord[] = [];
  for (let i = 0; i < N; i++) {
    spans.push(span(`o-${i}`, t0 + i + 5, 'notifications'), span(`o-${i}`, t0 + i + 2, 'orders'));
    if (i % 100 === 0) spans.push(span(`o-${i}`, t0 + i + 900, 'notifications'));
  }
  const started = performance.now();
  const processings = delivered.processingsOf(spans, 'notifications', 'messaging.kafka.message.key');
  const account = count.countDeliveries(published, processings, { healedAt: t0, withinMs: 60_000, phases });
  const seconds = (performance.now() - started) / 1000;
  if (account.total.processed !== N) throw new Error(`accounting is wrong: ${JSON.stringify(account.total)}`);
  return N / seconds;
}

const peer: number[] = [];
const ours: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  peer.push(await producerRate());
  ours.push(accountingRate());
}
const p = median(peer);
const o = median(ours);
console.log(`messages: ${N}, rounds: ${ROUNDS} (medians)`);
console.log(`kafkajs producer alone (idempotent, acks -1, batches of 500): ${Math.round(p)} records/s`);
console.log(`delivered accounting (processingsOf + countDeliveries):      ${Math.round(o)} messages/s`);
console.log(`ratio (accounting / producer): ${(o / p).toFixed(1)}`);
