import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type KafkaPublisherVariant,
  startKafkaPublisherFixture,
  topicOf,
} from '../fixtures/contracts/kafka-publisher.js';
import { type CliResult, runCli } from '../support/cli.js';
import { ROOT, serviceUrls } from '../support/services.js';

// `transport: kafka` as a user runs it: the consumer test writes a message pact
// with topic and key, then a real publisher (a fixture server with broken
// variants) publishes through the real Kafka broker and msa-verify checks the
// record it reads back (own consumer group, from the offsets taken before).

const project = path.join(ROOT, 'test/fixtures/contracts/kafka-project');
const config = path.join(project, 'msa-verify.config.yaml');
const brokers = serviceUrls().KAFKA_BROKERS;
let pactDir: string;

const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> =>
  runCli(['contracts', ...args, '--config', config], { cwd: project, env, timeoutMs: 90_000 });

async function verify(variant: KafkaPublisherVariant): Promise<CliResult> {
  await using publisher = await startKafkaPublisherFixture({ brokers, variant });
  return await cli(['verify', '--provider', 'orders'], {
    MSAV_PACT_DIR: pactDir,
    KAFKA_BROKERS: brokers,
    ORDERS_URL: publisher.url,
    ORDERS_TOPIC: topicOf(variant),
  });
}

beforeAll(async () => {
  pactDir = await mkdtemp(path.join(os.tmpdir(), 'msav-kafka-pacts-'));
  const r = await cli(['test'], { MSAV_PACT_DIR: pactDir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(await readdir(pactDir)).toEqual(['notifier-orders.json']);
}, 90_000);

describe('msa-verify contracts with transport: kafka', () => {
  it('passes when the real publisher sends the agreed record through the broker', async () => {
    const r = await verify('good');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ notifier → orders (transport)  1/1 interactions');
  });

  it('exits 1 naming metadata.topic when the publisher writes to another topic', async () => {
    const r = await verify('wrong-topic');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('interaction "an order.created record"');
    expect(r.stdout).toContain('metadata.topic');
    expect(r.stdout).toContain('msav-fixture.orders.v2');
  });

  it('exits 1 naming metadata.key when the record is keyed by something else than the order id', async () => {
    const r = await verify('wrong-key');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('metadata.key');
    expect(r.stdout).toContain('c-1');
  });

  it('exits 1 naming metadata.x-correlation-id when the publisher drops the correlation header', async () => {
    const r = await verify('no-correlation');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('metadata.x-correlation-id');
  });

  it('exits 1 when the publisher does not propagate the inbound correlation id', async () => {
    const r = await verify('own-correlation');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('metadata.x-correlation-id');
    expect(r.stdout).toContain('not propagated: sent msav-');
    expect(r.stdout).toContain('got minted-by-publisher');
  });

  it('exits 1 naming body.totalCents when the record body breaks the pact', async () => {
    const r = await verify('broken-body');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('body.totalCents');
  });

  it('exits 3 when the broker is unreachable', async () => {
    await using publisher = await startKafkaPublisherFixture({ brokers, variant: 'good' });
    const r = await cli(['verify', '--provider', 'orders'], {
      MSAV_PACT_DIR: pactDir,
      KAFKA_BROKERS: '127.0.0.1:9',
      ORDERS_URL: publisher.url,
    });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain('Kafka unreachable');
  });
});
