// delivery: schedules a delivery for every order.created it consumes.
//   GET /api/deliveries/:orderId -> 200 delivery | 404
//   GET /api/deliveries          -> 200 {"items":[...]}
//   GET /ready                   -> 200 when consuming, 503 otherwise (the launcher waits for it)
import type http from 'node:http';
import { registerSelf } from '../shared/discovery.ts';
import { readConfigOrExit, stringEnv, urlEnv } from '../shared/env.ts';
import { decodePathPart, requestUrl, safeHandler, sendJson } from '../shared/http.ts';
import { closeServer, handleShutdown, listen } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/logger.ts';
import { DEFAULT_DELIVERY_QUEUE, DEFAULT_EXCHANGE, DEFAULT_RABBITMQ_URL } from '../shared/messaging.ts';
import { createServer, readSecurity } from '../shared/tls.ts';
import { startConsumer } from './consumer.ts';

const logger = createLogger('delivery');
const config = readConfigOrExit(logger, () => ({
  rabbitmqUrl: urlEnv('RABBITMQ_URL', DEFAULT_RABBITMQ_URL),
  exchange: stringEnv('SHOP_EXCHANGE', DEFAULT_EXCHANGE),
  queue: stringEnv('SHOP_DELIVERY_QUEUE', DEFAULT_DELIVERY_QUEUE),
}));

/** A scheduled delivery. */
interface Delivery {
  orderId: string;
  status: 'scheduled';
  scheduledFor: string;
  correlationId: string | null;
}
/** Deliveries are scheduled for the day after the order. */
const DELIVERY_DELAY_MS = 24 * 60 * 60 * 1000;
const deliveries = new Map<string, Delivery>();

const consumer = startConsumer({
  ...config,
  logger,
  process(event, correlationId) {
    // At-least-once delivery: a redelivered event keeps the first schedule.
    if (deliveries.has(event.orderId)) {
      logger.info({ orderId: event.orderId, correlationId }, 'duplicate order.created ignored');
      return;
    }
    const createdAt = Date.parse(event.createdAt);
    const base = Number.isNaN(createdAt) ? Date.now() : createdAt;
    const delivery: Delivery = {
      orderId: event.orderId,
      status: 'scheduled',
      scheduledFor: new Date(base + DELIVERY_DELAY_MS).toISOString(),
      correlationId: correlationId ?? null,
    };
    deliveries.set(event.orderId, delivery);
    logger.info({ orderId: event.orderId, correlationId, scheduledFor: delivery.scheduledFor }, 'delivery scheduled');
  },
});

function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const path = requestUrl(req).pathname;
  if (path === '/health') return sendJson(res, 200, { status: 'ok' });
  if (path === '/ready') {
    return consumer.consuming
      ? sendJson(res, 200, { status: 'ready' })
      : sendJson(res, 503, { status: 'not_ready', reason: 'not consuming' });
  }
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });
  if (path === '/api/deliveries') return sendJson(res, 200, { items: [...deliveries.values()] });
  const match = /^\/api\/deliveries\/([^/]+)$/.exec(path);
  if (match) {
    const orderId = decodePathPart(match[1]!);
    const delivery = orderId === undefined ? undefined : deliveries.get(orderId);
    return delivery
      ? sendJson(res, 200, delivery)
      : sendJson(res, 404, { error: 'not_found', orderId: orderId ?? match[1] });
  }
  return sendJson(res, 404, { error: 'not_found' });
}

const server = createServer(
  readConfigOrExit(logger, readSecurity),
  safeHandler(handle, (err) => logger.error({ err }, 'request failed')),
);
let registration: Awaited<ReturnType<typeof registerSelf>> | undefined;
handleShutdown(logger, async () => {
  await registration?.stop();
  await closeServer(server);
  await consumer.stop();
});
registration = await registerSelf('delivery', await listen(server, logger), logger);
