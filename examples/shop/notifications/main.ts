// notifications: sends a (simulated) notification for every order.created it
// consumes from Kafka, in consumer group `notifications`, once per order.
//   GET /api/notifications/:orderId -> 200 notification | 404
//   GET /api/notifications          -> 200 {"items":[...],"duplicates":N}
//   GET /ready                      -> 200 when the consumer joined its group, 503 otherwise
import { appendFileSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { choiceEnv, intEnv, readConfigOrExit, stringEnv } from '../shared/env.ts';
import { decodePathPart, requestUrl, safeHandler, sendJson } from '../shared/http.ts';
import { brokerList, DEFAULT_KAFKA_TOPIC, DEFAULT_NOTIFICATIONS_GROUP } from '../shared/kafka.ts';
import { closeServer, handleShutdown, listen } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/logger.ts';
import type { OrderCreatedEvent } from '../shared/messaging.ts';
import { type KafkaConsumer, startKafkaConsumer } from './consumer.ts';

const logger = createLogger('notifications');
const config = readConfigOrExit(logger, () => ({
  brokers: brokerList(stringEnv('KAFKA_BROKERS', '127.0.0.1:9092')),
  topic: stringEnv('SHOP_KAFKA_TOPIC', DEFAULT_KAFKA_TOPIC),
  groupId: stringEnv('SHOP_NOTIFICATIONS_GROUP', DEFAULT_NOTIFICATIONS_GROUP),
  commit: choiceEnv('NOTIFICATIONS_COMMIT', ['after', 'before'], 'after'),
  /** How long sending one notification takes, ms (the work a crash can interrupt). */
  sendMs: intEnv('NOTIFICATIONS_SEND_MS', 5, 0, 60_000),
  /** File of sent notifications (JSON lines), kept across restarts; default none (memory only). */
  sentFile: stringEnv('NOTIFICATIONS_SENT_FILE', ''),
  /** Fault injection: the process dies (exit 70) while sending its Nth notification; 0 = never. */
  crashAt: intEnv('NOTIFICATIONS_CRASH_AT', 0, 0),
}));

/** A sent notification. */
interface Notification {
  orderId: string;
  customerId: string;
  totalCents: number;
  correlationId: string | null;
  sentAt: string;
}
const sent = new Map<string, Notification>();
let duplicates = 0;
/** Notifications this process started to send (for NOTIFICATIONS_CRASH_AT). */
let attempts = 0;
// Idempotence across restarts: what was sent before (the file is the side effect) is not sent again.
if (config.sentFile) {
  let text = '';
  try {
    text = readFileSync(config.sentFile, 'utf8');
  } catch {
    text = '';
  }
  for (const line of text.split('\n').filter(Boolean)) {
    const n = JSON.parse(line) as Notification;
    sent.set(n.orderId, n);
  }
}

async function send(event: OrderCreatedEvent, correlationId: string | undefined): Promise<void> {
  if (sent.has(event.orderId)) {
    duplicates += 1;
    logger.info({ orderId: event.orderId, correlationId }, 'duplicate order.created ignored');
    return;
  }
  attempts += 1;
  if (attempts === config.crashAt) {
    // A crash in the middle of the work: nothing sent; the offset is where the commit mode left it.
    logger.fatal({ orderId: event.orderId, attempt: attempts }, 'crashing while sending (NOTIFICATIONS_CRASH_AT)');
    process.exit(70);
  }
  if (config.sendMs > 0) await sleep(config.sendMs);
  const notification: Notification = {
    orderId: event.orderId,
    customerId: event.customerId,
    totalCents: event.totalCents,
    correlationId: correlationId ?? null,
    sentAt: new Date().toISOString(),
  };
  if (config.sentFile) appendFileSync(config.sentFile, `${JSON.stringify(notification)}\n`);
  sent.set(event.orderId, notification);
  logger.info({ orderId: event.orderId, correlationId }, 'notification sent');
}
// Started once the HTTP server listens, so /health answers while the group is being joined.
let consumer: KafkaConsumer | undefined;

function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const path = requestUrl(req).pathname;
  if (path === '/health') return sendJson(res, 200, { status: 'ok' });
  if (path === '/ready') {
    return consumer?.consuming
      ? sendJson(res, 200, { status: 'ready' })
      : sendJson(res, 503, { status: 'not_ready', reason: 'not in its consumer group' });
  }
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });
  if (path === '/api/notifications') return sendJson(res, 200, { items: [...sent.values()], duplicates });
  const match = /^\/api\/notifications\/([^/]+)$/.exec(path);
  if (match) {
    const orderId = decodePathPart(match[1]!);
    const notification = orderId === undefined ? undefined : sent.get(orderId);
    return notification
      ? sendJson(res, 200, notification)
      : sendJson(res, 404, { error: 'not_found', orderId: orderId ?? match[1] });
  }
  return sendJson(res, 404, { error: 'not_found' });
}

const server = http.createServer(safeHandler(handle, (err) => logger.error({ err }, 'request failed')));
handleShutdown(logger, async () => {
  await closeServer(server);
  await consumer?.stop();
});
await listen(server, logger);
// Kafka may be unreachable at start (a proxy not created yet, a broker restarting): keep trying.
// The same when kafkajs gives up on a running consumer: a new one rejoins the group and resumes
// from the committed offsets.
async function startConsuming(): Promise<void> {
  for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
    try {
      consumer = await startKafkaConsumer({ ...config, logger, process: send, onGaveUp: restartConsumer });
      return;
    } catch (err) {
      logger.warn({ err, retryInMs: delay }, 'kafka consumer could not start; trying again');
      await sleep(delay);
    }
  }
}
function restartConsumer(error: unknown): void {
  const old = consumer;
  consumer = undefined;
  logger.warn({ err: error }, 'kafka consumer gave up; starting a new one');
  void (async () => {
    await old?.stop().catch(() => {});
    await startConsuming();
  })();
}
await startConsuming();
