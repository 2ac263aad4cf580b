import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net.js';
import { serviceUrls } from '../support/services.js';

// The real components started by scripts/services (through the global setup).
const urls = serviceUrls();

describe('real components started by scripts/services', () => {
  let upstream: http.Server;
  let upstreamPort: number;

  beforeAll(async () => {
    upstream = http.createServer((_req, res) => res.end('through the proxy'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

  it('Toxiproxy: creates a proxy that carries traffic, then deletes it', async () => {
    const name = `components-${randomUUID().slice(0, 8)}`;
    const created = await fetch(`${urls.TOXIPROXY_URL}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }),
    });
    expect(created.status).toBe(201);
    const proxy = (await created.json()) as { listen: string };
    const body = await (await fetch(`http://${proxy.listen}/`)).text();
    expect(body).toBe('through the proxy');
    const deleted = await fetch(`${urls.TOXIPROXY_URL}/proxies/${name}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const list = (await (await fetch(`${urls.TOXIPROXY_URL}/proxies`)).json()) as Record<string, unknown>;
    expect(Object.keys(list)).not.toContain(name);
  });

  it('RabbitMQ: publishes one message and consumes it back', async () => {
    const conn = await amqp.connect(urls.RABBITMQ_URL);
    try {
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      const payload = randomUUID();
      ch.sendToQueue(queue, Buffer.from(payload), { contentType: 'text/plain' });
      let received: string | undefined;
      await ch.consume(queue, (msg) => {
        if (msg) {
          received = msg.content.toString();
          ch.ack(msg);
        }
      });
      await waitFor(() => received !== undefined, 5000);
      expect(received).toBe(payload);
    } finally {
      await conn.close();
    }
  });

  it('Pushgateway and Prometheus: a pushed metric is scraped and queryable', async () => {
    const value = Math.floor(Math.random() * 1e6);
    const job = `components_${randomUUID().slice(0, 8)}`;
    const pushed = await fetch(`${urls.PUSHGATEWAY_URL}/metrics/job/${job}`, {
      method: 'PUT',
      body: `# TYPE msa_verify_components_probe gauge\nmsa_verify_components_probe ${value}\n`,
    });
    expect(pushed.status).toBe(200);
    let seen: string | undefined;
    await waitFor(async () => {
      const q = encodeURIComponent(`msa_verify_components_probe{job="${job}"}`);
      const res = (await (await fetch(`${urls.PROMETHEUS_URL}/api/v1/query?query=${q}`)).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      seen = res.data.result[0]?.value[1];
      return seen !== undefined;
    }, 20_000);
    expect(Number(seen)).toBe(value);
    await fetch(`${urls.PUSHGATEWAY_URL}/metrics/job/${job}`, { method: 'DELETE' });
  });

  it('Kafka: creates a topic, produces one record with a header and consumes it back', async () => {
    const kafka = new Kafka({ brokers: [urls.KAFKA_BROKERS], clientId: 'components', logLevel: logLevel.NOTHING });
    const topic = `components-${randomUUID().slice(0, 8)}`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    try {
      await admin.connect();
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })).toBe(true);
      const payload = randomUUID();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: payload, headers: { probe: 'yes' } }] });
      let received: { value: string; probe: string } | undefined;
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received = { value: String(message.value), probe: String(message.headers?.probe) };
        },
      });
      await waitFor(() => received !== undefined, 15_000);
      expect(received).toEqual({ value: payload, probe: 'yes' });
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
