// orders: accepts orders, prices them with products (through the resilience
// policy in policy.ts), reserves their stock in inventory when INVENTORY_URL
// is set (same policy, own breaker), keeps them in memory and publishes order.created.
//   POST /api/orders     -> 201 order | 400 invalid_body | 422 unknown_product | 503 products_unavailable
//                           | 409 out_of_stock | 503 inventory_unavailable (with INVENTORY_URL)
//                           | 422 unknown_customer, customer_blocked | 503 customers_unavailable (gRPC to customers)
//   GET  /api/orders/:id -> 200 order | 404
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { createTokenChecker, readAuth } from '../shared/auth.ts';
import { dnsResolver, readDiscoverySettings, registerSelf, resolve } from '../shared/discovery.ts';
import { choiceEnv, readConfigOrExit, stringEnv, urlEnv } from '../shared/env.ts';
import { grpcChannelCredentials } from '../shared/grpc-tls.ts';
import {
  clientGoneSignal,
  correlationIdOf,
  decodePathPart,
  MAX_BODY_BYTES,
  readJsonBody,
  requestUrl,
  safeHandler,
  sendJson,
} from '../shared/http.ts';
import { brokerList, DEFAULT_KAFKA_TOPIC } from '../shared/kafka.ts';
import { closeServer, handleShutdown, listen } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/logger.ts';
import { DEFAULT_EXCHANGE, DEFAULT_RABBITMQ_URL, type OrderCreatedEvent } from '../shared/messaging.ts';
import { agentFor, createServer, describeSecurity, readSecurity } from '../shared/tls.ts';
import { CustomersUnavailableError, createCustomersClient, type GetCustomer } from './customers-client.ts';
import { readCustomersSettings } from './customers-policy.ts';
import { createInventoryClient, InventoryUnavailableError } from './inventory-client.ts';
import { startKafkaOutbox } from './kafka-outbox.ts';
import { startOutbox } from './outbox.ts';
import { buildPolicy, readPolicySettings } from './policy.ts';
import { createProductsClient, ProductsUnavailableError } from './products-client.ts';
import { validateOrder } from './validate.ts';

const logger = createLogger('orders');
const config = readConfigOrExit(logger, () => ({
  productsUrl: urlEnv('PRODUCTS_URL', 'http://127.0.0.1:8082'),
  rabbitmqUrl: urlEnv('RABBITMQ_URL', DEFAULT_RABBITMQ_URL),
  exchange: stringEnv('SHOP_EXCHANGE', DEFAULT_EXCHANGE),
  policy: readPolicySettings(),
  customers: readCustomersSettings(),
  eventCorrelation: choiceEnv('ORDERS_EVENT_CORRELATION', ['on', 'off'], 'on') === 'on',
  discovery: readDiscoverySettings(),
  dns: process.env.SHOP_DISCOVERY === 'dns' ? dnsResolver('products', logger) : undefined,
  // How orders follows products in the registry: watch (resilient) or once at start (naive).
  discoveryMode: choiceEnv('ORDERS_DISCOVERY', ['watch', 'once'], 'watch'),
  inventoryUrl: process.env.INVENTORY_URL?.trim() ? urlEnv('INVENTORY_URL', '') : undefined,
  security: readSecurity(),
  // gRPC to customers over TLS with orders' certificate: on by default in mtls mode; `off` calls it in clear
  // (the launcher says so when customers serves plain: the variant `tls: required` catches).
  customersTls:
    choiceEnv('ORDERS_CUSTOMERS_TLS', ['on', 'off'], process.env.SHOP_SECURITY === 'mtls' ? 'on' : 'off') === 'on',
  // Orders trusts the gateway's audience check; it checks signature, issuer, expiry and the scope for writes.
  auth: readAuth(false),
  writeScope: stringEnv('ORDERS_WRITE_SCOPE', 'orders:write'),
  // Kafka is optional: without KAFKA_BROKERS orders publishes to RabbitMQ only.
  kafkaBrokers: brokerList(stringEnv('KAFKA_BROKERS', '')),
  kafkaTopic: stringEnv('SHOP_KAFKA_TOPIC', DEFAULT_KAFKA_TOPIC),
  kafkaProducer: choiceEnv('ORDERS_KAFKA_PRODUCER', ['safe', 'unsafe'], 'safe'),
  rabbitPublish: choiceEnv('ORDERS_RABBIT_PUBLISH', ['confirmed', 'fire-and-forget'], 'confirmed'),
}));
logger.info(
  {
    productsUrl: config.productsUrl,
    inventoryUrl: config.inventoryUrl,
    exchange: config.exchange,
    policy: config.policy,
    customers: config.customers,
    customersTls: config.customersTls,
    ...describeSecurity(config.security),
  },
  'configured',
);
const productsAgent = agentFor(config.security, config.productsUrl);
const checkToken = config.auth ? createTokenChecker(config.auth, config.security) : undefined;

// Without CUSTOMERS_ADDR (orders alone, e.g. in its consumer test against products) there is no customer check.
const customersAddress = config.customers.address;
const getCustomer: GetCustomer | undefined =
  customersAddress === undefined
    ? undefined
    : createCustomersClient(
        {
          ...config.customers,
          address: customersAddress,
          credentials: readConfigOrExit(logger, () => grpcChannelCredentials(config.security, config.customersTls)),
        },
        logger,
      );

// With SHOP_DISCOVERY=etcd, products' address comes from the registry (PRODUCTS_URL is not read).
// With SHOP_DISCOVERY=dns, from an SRV lookup per call (cached for the record's TTL).
const products = config.discovery
  ? await resolve(config.discovery, 'products', config.discoveryMode, logger)
  : config.dns
    ? { current: config.dns.current, stop: async () => {} }
    : { current: () => config.productsUrl, stop: async () => {} };
const fetchProducts = createProductsClient({
  baseUrl: products.current,
  policy: buildPolicy(config.policy, logger),
  abortOnTimeout: config.policy.kind !== 'naive',
  cancelOnClientGone: config.policy.kind === 'resilient',
  ...(productsAgent ? { agent: productsAgent } : {}),
});
const reserveStock = config.inventoryUrl
  ? createInventoryClient({
      baseUrl: config.inventoryUrl,
      policy: buildPolicy(config.policy, logger, 'inventory'),
      abortOnTimeout: config.policy.kind !== 'naive',
      cancelOnClientGone: config.policy.kind === 'resilient',
      agent: agentFor(config.security, config.inventoryUrl),
    })
  : undefined;
const outbox = startOutbox({
  rabbitmqUrl: config.rabbitmqUrl,
  exchange: config.exchange,
  logger,
  correlationHeader: config.eventCorrelation,
  mode: config.rabbitPublish,
});
const kafkaOutbox =
  config.kafkaBrokers.length === 0
    ? undefined
    : startKafkaOutbox({
        brokers: config.kafkaBrokers,
        topic: config.kafkaTopic,
        logger,
        mode: config.kafkaProducer,
        correlationHeader: config.eventCorrelation,
      });

/** An accepted order (the 201 body). */
interface Order {
  id: string;
  status: 'created';
  customerId: string;
  items: OrderCreatedEvent['items'];
  totalCents: number;
  currency: string;
  createdAt: string;
}
const orders = new Map<string, Order>();

async function createOrder(req: http.IncomingMessage, res: http.ServerResponse, correlationId: string): Promise<void> {
  const body = await readJsonBody(req);
  if (body.kind === 'too_large') {
    return sendJson(res, 413, { error: 'payload_too_large', limitBytes: MAX_BODY_BYTES });
  }
  if (body.kind === 'malformed') {
    return sendJson(res, 400, { error: 'invalid_body', fields: [{ path: '', message: body.message }] });
  }
  const validated = validateOrder(body.value);
  if (validated.kind === 'invalid') return sendJson(res, 400, { error: 'invalid_body', fields: validated.fields });
  const request = validated.order;
  const productIds = [...new Set(request.items.map((i) => i.productId))];
  const clientGone = clientGoneSignal(res);

  if (getCustomer) {
    const started = performance.now();
    try {
      const found = await getCustomer(request.customerId, { correlationId, signal: clientGone });
      if (found.kind === 'not_found') {
        return sendJson(res, 422, { error: 'unknown_customer', customerId: request.customerId });
      }
      if (!found.customer.active) {
        return sendJson(res, 422, { error: 'customer_blocked', customerId: request.customerId });
      }
    } catch (error) {
      if (!(error instanceof CustomersUnavailableError)) throw error;
      const elapsedMs = Math.round(performance.now() - started);
      logger.warn({ correlationId, reason: error.reason, elapsedMs, err: error.cause }, 'customers unavailable');
      return sendJson(res, 503, { error: 'customers_unavailable', reason: error.reason });
    }
  }

  let products: Awaited<ReturnType<typeof fetchProducts>>;
  const started = performance.now();
  try {
    products = await fetchProducts(productIds, { correlationId, signal: clientGone });
  } catch (error) {
    if (!(error instanceof ProductsUnavailableError)) throw error;
    const elapsedMs = Math.round(performance.now() - started);
    logger.warn({ correlationId, reason: error.reason, elapsedMs, err: error.cause }, 'products unavailable');
    return sendJson(res, 503, { error: 'products_unavailable', reason: error.reason });
  }
  const byId = new Map(products.map((p) => [p.id, p]));
  const unknown = productIds.filter((id) => !byId.has(id));
  if (unknown.length > 0) return sendJson(res, 422, { error: 'unknown_product', productIds: unknown });

  const orderId = randomUUID();
  if (reserveStock) {
    const refused = await reserve(orderId, request.items, correlationId, res);
    if (refused) return;
  }

  const items = request.items.map((i) => ({
    productId: i.productId,
    quantity: i.quantity,
    unitPriceCents: byId.get(i.productId)!.priceCents,
  }));
  const order: Order = {
    id: orderId,
    status: 'created',
    customerId: request.customerId,
    items,
    totalCents: items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0),
    currency: byId.get(items[0]!.productId)!.currency,
    createdAt: new Date().toISOString(),
  };
  orders.set(order.id, order);
  const event: OrderCreatedEvent = {
    type: 'order.created',
    orderId: order.id,
    customerId: order.customerId,
    items: order.items,
    totalCents: order.totalCents,
    currency: order.currency,
    createdAt: order.createdAt,
  };
  outbox.enqueue(event, correlationId);
  kafkaOutbox?.enqueue(event, correlationId);
  logger.info({ correlationId, orderId: order.id, totalCents: order.totalCents }, 'order created');
  res.setHeader('location', `/api/orders/${order.id}`);
  return sendJson(res, 201, order);
}

/** Reserves the stock; answers the client and returns true when the order cannot go on. */
async function reserve(
  orderId: string,
  items: readonly { productId: string; quantity: number }[],
  correlationId: string,
  res: http.ServerResponse,
): Promise<boolean> {
  const started = performance.now();
  try {
    const outcome = await reserveStock!(orderId, items, { correlationId, signal: clientGoneSignal(res) });
    if (outcome.kind === 'reserved') return false;
    sendJson(res, outcome.kind === 'out_of_stock' ? 409 : 422, { error: outcome.kind, productIds: outcome.productIds });
  } catch (error) {
    if (!(error instanceof InventoryUnavailableError)) throw error;
    const elapsedMs = Math.round(performance.now() - started);
    logger.warn({ correlationId, reason: error.reason, elapsedMs, err: error.cause }, 'inventory unavailable');
    sendJson(res, 503, { error: 'inventory_unavailable', reason: error.reason });
  }
  return true;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = requestUrl(req).pathname;
  if (path === '/health') return sendJson(res, 200, { status: 'ok' });
  const correlationId = correlationIdOf(req);
  res.setHeader('x-correlation-id', correlationId);
  if (checkToken && path.startsWith('/api/')) {
    const token = await checkToken(req);
    if (token.kind === 'unauthorized') return sendJson(res, 401, { error: 'invalid_token', reason: token.reason });
    if (token.kind === 'unavailable') return sendJson(res, 503, { error: 'auth_unavailable', reason: token.reason });
    if (req.method === 'POST' && !token.scopes.includes(config.writeScope)) {
      res.setHeader('www-authenticate', `Bearer error="insufficient_scope", scope="${config.writeScope}"`);
      return sendJson(res, 403, { error: 'insufficient_scope', scope: config.writeScope });
    }
  }
  if (path === '/api/orders') {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed' });
    return createOrder(req, res, correlationId);
  }
  const match = /^\/api\/orders\/([^/]+)$/.exec(path);
  if (match) {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });
    const id = decodePathPart(match[1]!);
    const order = id === undefined ? undefined : orders.get(id);
    return order ? sendJson(res, 200, order) : sendJson(res, 404, { error: 'not_found', id: id ?? match[1] });
  }
  return sendJson(res, 404, { error: 'not_found' });
}

const server = createServer(
  config.security,
  safeHandler(handle, (err) => logger.error({ err }, 'request failed')),
);
let registration: Awaited<ReturnType<typeof registerSelf>> | undefined;
handleShutdown(logger, async () => {
  await registration?.stop();
  await closeServer(server);
  await Promise.all([outbox.stop(), kafkaOutbox?.stop()]);
  await products.stop();
});
registration = await registerSelf('orders', await listen(server, logger), logger);
