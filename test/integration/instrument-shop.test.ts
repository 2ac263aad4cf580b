import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { readSpans } from '../support/instrument-process.ts';
import { waitFor } from '../support/net.ts';
import { serviceUrls } from '../support/services.ts';

// The example shop with the preload and no tracing code of its own:
// gateway -> orders -> products over HTTP, orders -> RabbitMQ -> delivery.
describe('the example shop with the preload', () => {
  it('one trace and one correlation id from the gateway to the delivery consumer', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'msav-shop-')), 'spans.jsonl');
    const common = { MSA_VERIFY_TRACES_FILE: file, OTEL_BSP_SCHEDULE_DELAY: '100' };
    await using shop = await startShop({
      rabbitmqUrl: serviceUrls().RABBITMQ_URL,
      preload: true,
      messaging: uniqueMessaging('instr'),
      env: {
        gateway: { ...common, OTEL_SERVICE_NAME: 'gateway' },
        orders: { ...common, OTEL_SERVICE_NAME: 'orders' },
        products: { ...common, OTEL_SERVICE_NAME: 'products' },
        delivery: { ...common, OTEL_SERVICE_NAME: 'delivery' },
      },
    });
    const cid = `shop-${Date.now()}`;
    const res = await fetch(`${shop.urls.gateway}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': cid },
      body: JSON.stringify({ customerId: 'c-1', items: [{ productId: 'p-1', quantity: 2 }] }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-correlation-id')).toBe(cid);
    const order = (await res.json()) as { id: string };

    // Every hop: gateway in and out, orders in, out to products and to RabbitMQ, products in, delivery consuming.
    const hops = ['gateway SERVER', 'gateway CLIENT', 'orders SERVER', 'orders CLIENT', 'orders PRODUCER'];
    const wanted = [...hops, 'products SERVER', 'delivery CONSUMER'];
    await waitFor(() => {
      const seen = new Set(
        readSpans(file)
          .filter((s) => s.attributes['correlation.id'] === cid)
          .map((s) => `${s.resource['service.name']} ${s.kind}`),
      );
      return wanted.every((w) => seen.has(w));
    }, 20_000);
    const spans = readSpans(file).filter((s) => s.attributes['correlation.id'] === cid);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
    // One root (the gateway's server span); every other span's parent is in the trace.
    expect(roots.map((r) => `${r.resource['service.name']} ${r.kind}`)).toEqual(['gateway SERVER']);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const producer = spans.find((s) => s.kind === 'PRODUCER')!;
    // The outbox publishes from a background loop; the preload parents it on the order request.
    expect(byId.get(producer.parentSpanId)?.resource['service.name']).toBe('orders');
    expect(byId.get(producer.parentSpanId)?.kind).toBe('SERVER');
    const consumer = spans.find((s) => s.kind === 'CONSUMER' && s.resource['service.name'] === 'delivery')!;
    expect(consumer.parentSpanId).toBe(producer.spanId);

    const delivery = await fetch(`${shop.urls.delivery}/api/deliveries/${order.id}`);
    if (delivery.status === 200) expect(await delivery.json()).toMatchObject({ correlationId: cid });
  });
});
