// The shop's launcher, used by tests, contracts, chaos and the demo:
//   startShop(options) -> free ports -> products + delivery + customers (+ notifications) -> [inventory] -> orders -> gateway,
//   each waited for on /health (delivery also on /ready: its queue is bound;
//   notifications, started only with `kafka`, on /ready: it joined its group;
//   customers speaks gRPC only: its "listening" line comes once the port is bound),
//   children die with this process (stdin pipe), stop() ends them all.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import amqp from 'amqplib';
import { type ShopDns, startShopDns } from './dns-server.ts';
import { clientTlsFiles, readTlsFiles, serviceTlsFiles } from './pki.ts';
import { freePort, PortInUseError, type ServiceName, ServiceProcess } from './service-process.ts';
import { waitForEntry } from './shared/discovery.ts';
import { DEFAULT_KAFKA_TOPIC, DEFAULT_NOTIFICATIONS_GROUP } from './shared/kafka.ts';
import { DEFAULT_DELIVERY_QUEUE, DEFAULT_EXCHANGE } from './shared/messaging.ts';

export { ROOT, type ServiceName } from './service-process.ts';

/** The services that register themselves in the registry with SHOP_DISCOVERY=etcd. */
const REGISTERED: ReadonlySet<ServiceName> = new Set(['gateway', 'orders', 'products', 'delivery']);

/** The services in start order (stop runs in reverse); inventory only with `inventory: true`, notifications only with `kafka`. */
export const SERVICE_NAMES: readonly ServiceName[] = [
  'products',
  'delivery',
  'customers',
  'notifications',
  'inventory',
  'orders',
  'gateway',
];

/** Options for {@link startShop}. */
export interface ShopOptions {
  /** Broker for orders and delivery, e.g. amqp://guest:guest@127.0.0.1:5672. */
  rabbitmqUrl: string;
  /** Start services with `node --import msa-verify/instrument` (needs the built preload in dist/). Default false. */
  preload?: boolean;
  /** With `preload`, services started without it anyway (the broken variant "a service without the preload"). */
  noPreload?: readonly ServiceName[];
  /**
   * With `preload`: OTLP/HTTP traces URL every service exports to (e.g. Jaeger's
   * `http://127.0.0.1:4318/v1/traces`), with a 200 ms batch delay. Default: none.
   */
  tracesEndpoint?: string;
  /**
   * Also start inventory, the Python (FastAPI) service in examples/shop/inventory,
   * and let orders reserve stock there (orders gets INVENTORY_URL). Needs the
   * venv of scripts/python-venv. Default false.
   */
  inventory?: boolean;
  /** Per-service environment overrides; they win over what the launcher sets (e.g. orders.PRODUCTS_URL). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Directory for `<service>.log` files (appended); default: output kept only in memory. */
  logDir?: string;
  /** Ports to use when free (otherwise a free port is picked). Default: any free port. */
  ports?: Partial<Record<ServiceName, number>>;
  /** Time each service has to become healthy, ms. Default 20000. */
  startTimeoutMs?: number;
  /**
   * Exchange and delivery queue names (default shop.events and
   * delivery.orders-created). Shops that share one RabbitMQ, e.g. parallel
   * tests, must use their own: see {@link uniqueMessaging}. With
   * `deleteOnStop`, stop() deletes the queue and the exchange.
   */
  messaging?: { exchange?: string; deliveryQueue?: string; deleteOnStop?: boolean };
  /**
   * Kafka: with it, orders also publishes order.created to `topic` (default
   * shop.orders) and the notifications service consumes it in consumer group
   * `group` (default notifications). Without it, no notifications service.
   * Shops sharing one broker must use their own names: see {@link uniqueKafka}.
   */
  kafka?: KafkaNames & {
    brokers: string;
    /**
     * Wait for notifications to join its group before the shop counts as started
     * (default true). false when the brokers are a Toxiproxy proxy that a chaos run
     * creates only later: notifications keeps trying to connect meanwhile.
     */
    waitReady?: boolean;
  };
  /**
   * Service discovery through etcd (SHOP_DISCOVERY=etcd for every service): each
   * registers `<prefix>services/<name>` under a kept-alive lease and orders finds
   * products through it (`ordersMode`: `watch`, default, or `once`, the naive caller).
   * Shops that share one etcd must use their own `prefix` (ending in `/`).
   */
  discovery?: { etcdUrl: string; prefix?: string; ordersMode?: 'watch' | 'once' };
  /**
   * DNS SRV discovery (SHOP_DISCOVERY=dns for orders): a dnsmasq on a free
   * loopback port serves `_<service>._tcp.<domain>` (default `shop.test`) for
   * every service, and orders looks products up there per call (TTL 1 s).
   */
  dns?: { domain?: string };
  /**
   * `mtls`: every service serves https, requires a client certificate from the
   * test CA (.tools/pki, scripts/pki.sh) and calls the others over https with
   * its own certificate (SHOP_SECURITY=mtls). Default `plain`.
   */
  security?: 'plain' | 'mtls';
  /**
   * With `mtls`, services that serve plain http anyway and are called over
   * http:// (the broken variant "a service called over plain HTTP in mtls mode").
   */
  plainServices?: readonly ServiceName[];
  /**
   * Start the identity service (an OpenID Connect provider) first, and make
   * gateway and orders require its access tokens (SHOP_AUTH=jwt). Default false.
   */
  auth?: boolean;
}

/** The identity service of a shop started with `auth`: where and how to get tokens. */
export interface ShopIdentity {
  /** Issuer and base URL, e.g. https://127.0.0.1:40123. */
  readonly url: string;
  /** OAuth2 token endpoint (client credentials, client_secret_basic). */
  readonly tokenUrl: string;
  /** Secret of the clients shop-load, shop-reader and shop-short (random per shop). */
  readonly clientSecret: string;
  /** Audience of the shop's API. */
  readonly audience: string;
  /** Audience of another API (tokens for it must be refused). */
  readonly otherAudience: string;
}

/** The topic and consumer group of the shop's Kafka half. */
export interface KafkaNames {
  topic?: string;
  group?: string;
}

/** A topic and consumer group no other shop uses (the broker creates the topic on first use). */
export function uniqueKafka(prefix = 'shop'): Required<KafkaNames> {
  const id = `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return { topic: `${id}.orders`, group: `${id}.notifications` };
}

/** Names the shop's messages flow through. */
export interface MessagingNames {
  exchange: string;
  deliveryQueue: string;
}

/** Unique exchange/queue names (deleted on stop) for a shop that shares RabbitMQ with others. */
export function uniqueMessaging(prefix = 'shop'): Required<NonNullable<ShopOptions['messaging']>> {
  const id = `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return { exchange: `${id}.events`, deliveryQueue: `${id}.delivery`, deleteOnStop: true };
}

async function deleteMessaging(rabbitmqUrl: string, names: MessagingNames): Promise<void> {
  const connection = await amqp.connect(rabbitmqUrl, { timeout: 5000 });
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(names.deliveryQueue);
    await channel.deleteExchange(names.exchange);
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Base URLs of the running services. */
export interface ShopUrls {
  gateway: string;
  orders: string;
  products: string;
  delivery: string;
  /** Only with `inventory: true`. */
  inventory?: string;
  /** Only when the shop was started with `kafka`. */
  notifications?: string;
}

/** gRPC addresses of the running services, host:port (no scheme: what grpc-js takes). */
export interface ShopGrpcAddresses {
  customers: string;
}

/** A running shop. */
export interface Shop {
  readonly urls: ShopUrls;
  /** Services that speak gRPC (customers), apart from `urls` (which are all HTTP). */
  readonly grpc: ShopGrpcAddresses;
  /** The exchange and queue in use. */
  readonly messaging: MessagingNames;
  /** With `auth`: the identity service. */
  readonly identity?: ShopIdentity;
  /** Stops every service (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  /** Stops one service (connections to its port are then refused); startService reuses the port. */
  stopService(name: ServiceName): Promise<void>;
  /** Kills one service with SIGKILL (a crash: no graceful stop), resolving once it exited. */
  crashService(name: ServiceName): Promise<void>;
  /**
   * (Re)starts one service on its port, waiting for health; `env` adds to (and
   * wins over) its overrides from now on. Throws PortInUseError if another
   * process took the port while the service was stopped.
   */
  startService(name: ServiceName, env?: Record<string, string>): Promise<void>;
  /** The last lines a service printed (its pino lines), for diagnostics. */
  logTail(name: ServiceName): string;
  /** With `dns`: the DNS server (`127.0.0.1:<port>`) and the domain its SRV records are in. */
  readonly dns?: { readonly server: string; readonly domain: string };
}

// Variables the launcher decides per service; inherited values would make runs
// depend on the caller's shell (use options.env to set them).
const CONTROLLED =
  /^(PORT|HOST|PRODUCTS_URL|ORDERS_URL|INVENTORY_URL|CUSTOMERS_ADDR|RABBITMQ_URL|KAFKA_BROKERS|NODE_OPTIONS|ORDERS_.*|GATEWAY_.*|NOTIFICATIONS_.*|SHOP_.*|INVENTORY_.*|IDENTITY_.*)$/;

function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONTROLLED.test(name)));
}

/**
 * What OpenTelemetry's Python auto-instrumentation (opentelemetry-distro) needs
 * besides OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: traces only,
 * over OTLP/HTTP (the distro defaults to gRPC and to exporting metrics and logs
 * too), W3C trace context and baggage.
 */
function pythonOtelEnv(exporting: boolean): Record<string, string> {
  return {
    OTEL_TRACES_EXPORTER: exporting ? 'otlp' : 'none',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_PROPAGATORS: 'tracecontext,baggage',
    OTEL_PYTHON_FASTAPI_EXCLUDED_URLS: 'health',
  };
}

function kafkaEnv(kafka: NonNullable<ShopOptions['kafka']>): Record<string, string> {
  return {
    KAFKA_BROKERS: kafka.brokers,
    SHOP_KAFKA_TOPIC: kafka.topic ?? DEFAULT_KAFKA_TOPIC,
    SHOP_NOTIFICATIONS_GROUP: kafka.group ?? DEFAULT_NOTIFICATIONS_GROUP,
  };
}

/** HTTP paths that must answer 200 before a service counts as started (customers has no HTTP). */
export function readyPaths(name: ServiceName): string[] {
  if (name === 'customers') return [];
  return name === 'delivery' || name === 'notifications' ? ['/health', '/ready'] : ['/health'];
}

/** Starts the whole shop on free ports and waits until every service is healthy. */
export async function startShop(options: ShopOptions): Promise<Shop> {
  if (options.logDir) mkdirSync(options.logDir, { recursive: true });
  const services = new Map<ServiceName, ServiceProcess>();
  const get = (name: ServiceName): ServiceProcess => services.get(name)!;
  const overrides: Record<ServiceName, Record<string, string>> = {
    gateway: { ...options.env?.gateway },
    orders: { ...options.env?.orders },
    products: { ...options.env?.products },
    delivery: { ...options.env?.delivery },
    inventory: { ...options.env?.inventory },
    identity: { ...options.env?.identity },
    notifications: { ...options.env?.notifications },
    customers: { ...options.env?.customers },
  };
  const kafka = options.kafka;
  const identitySecret = randomBytes(24).toString('base64url');
  const audience = 'https://shop.example/api';
  const otherAudience = 'https://other.example/api';
  const authEnv = (): Record<string, string> =>
    options.auth ? { SHOP_AUTH: 'jwt', SHOP_AUTH_ISSUER: get('identity').url, SHOP_AUTH_AUDIENCE: audience } : {};
  const messaging: MessagingNames = {
    exchange: options.messaging?.exchange ?? DEFAULT_EXCHANGE,
    deliveryQueue: options.messaging?.deliveryQueue ?? DEFAULT_DELIVERY_QUEUE,
  };
  // What each service needs to know; only called once the services it names have started.
  const secured = (name: ServiceName): boolean => options.security === 'mtls' && !options.plainServices?.includes(name);
  // The launcher's own client certificate, for the readiness probes of https services.
  const probeTls = options.security === 'mtls' ? readTlsFiles(clientTlsFiles()) : undefined;
  const securityEnv = (name: ServiceName): Record<string, string> => {
    if (options.security !== 'mtls') return {};
    const files = serviceTlsFiles(name);
    // A plain service still gets the files: its own calls to secured services need them.
    return {
      SHOP_SECURITY: secured(name) ? 'mtls' : 'plain',
      SHOP_TLS_CA: files.ca,
      SHOP_TLS_CERT: files.cert,
      SHOP_TLS_KEY: files.key,
      // gRPC addresses carry no scheme: orders is told whether customers serves TLS.
      ...(name === 'orders' ? { ORDERS_CUSTOMERS_TLS: secured('customers') ? 'on' : 'off' } : {}),
    };
  };
  const launcherEnv = (name: ServiceName): Record<string, string> => ({ ...securityEnv(name), ...serviceEnv(name) });
  const serviceEnv = (name: ServiceName): Record<string, string> => {
    switch (name) {
      case 'identity':
        return {
          IDENTITY_CLIENT_SECRET: identitySecret,
          IDENTITY_AUDIENCE: audience,
          IDENTITY_OTHER_AUDIENCE: otherAudience,
        };
      case 'products':
      case 'customers':
        return {};
      case 'delivery':
        return {
          RABBITMQ_URL: options.rabbitmqUrl,
          SHOP_EXCHANGE: messaging.exchange,
          SHOP_DELIVERY_QUEUE: messaging.deliveryQueue,
        };
      case 'inventory':
        // The example shop serves its Pact provider states (contracts verify).
        return { PRODUCTS_URL: get('products').url, INVENTORY_PROVIDER_STATES: 'on' };
      case 'notifications':
        return kafka ? kafkaEnv(kafka) : {};
      case 'orders':
        return {
          RABBITMQ_URL: options.rabbitmqUrl,
          PRODUCTS_URL: get('products').url,
          CUSTOMERS_ADDR: get('customers').address,
          SHOP_EXCHANGE: messaging.exchange,
          ...(services.has('inventory') ? { INVENTORY_URL: get('inventory').url } : {}),
          ...authEnv(),
          ...(kafka ? kafkaEnv(kafka) : {}),
        };
      case 'gateway':
        return { ORDERS_URL: get('orders').url, PRODUCTS_URL: get('products').url, ...authEnv() };
    }
  };

  const dnsDomain = options.dns?.domain ?? 'shop.test';
  const dnsPort = options.dns ? await freePort(0) : 0;
  let dns: ShopDns | undefined;
  const discoveryEnv = (name: ServiceName): Record<string, string> => {
    if (options.dns && name === 'orders') {
      return { SHOP_DISCOVERY: 'dns', SHOP_DNS_SERVER: `127.0.0.1:${dnsPort}`, SHOP_DNS_DOMAIN: dnsDomain };
    }
    const d = options.discovery;
    if (!d) return {};
    return {
      SHOP_DISCOVERY: 'etcd',
      SHOP_ETCD_URL: d.etcdUrl,
      ...(d.prefix ? { SHOP_DISCOVERY_PREFIX: d.prefix } : {}),
      ...(name === 'orders' && d.ordersMode ? { ORDERS_DISCOVERY: d.ordersMode } : {}),
    };
  };

  const startOne = async (service: ServiceProcess): Promise<void> => {
    await service.start({
      env: {
        ...baseEnv(),
        ...discoveryEnv(service.name),
        OTEL_SERVICE_NAME: service.name,
        ...(options.tracesEndpoint
          ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: options.tracesEndpoint, OTEL_BSP_SCHEDULE_DELAY: '200' }
          : {}),
        ...(service.name === 'inventory' ? pythonOtelEnv(options.tracesEndpoint !== undefined) : {}),
        ...launcherEnv(service.name),
        ...overrides[service.name],
      },
      preload: (options.preload ?? false) && !options.noPreload?.includes(service.name),
      ...(options.logDir ? { logDir: options.logDir } : {}),
      readyPaths:
        service.name === 'notifications' && kafka?.waitReady === false ? ['/health'] : readyPaths(service.name),
      ...(probeTls ? { tls: probeTls } : {}),
      timeoutMs: options.startTimeoutMs ?? 20_000,
    });
    // With discovery a service is started once its registry entry is there (it registers right after listening).
    // The HTTP services of the order path register; customers (gRPC), notifications, inventory and identity do not.
    if (options.discovery && REGISTERED.has(service.name)) {
      const d = options.discovery;
      await waitForEntry(
        d.etcdUrl,
        `${d.prefix ?? '/msav-shop/'}services/${service.name}`,
        options.startTimeoutMs ?? 20_000,
      );
    }
  };
  // First start: a port that was free may be taken before the service binds it
  // (other processes pick ports too); then try another one.
  const startFirst = async (name: ServiceName): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort(attempt === 1 ? options.ports?.[name] : 0);
      const service = new ServiceProcess(name, port, secured(name) ? 'https' : 'http');
      services.set(name, service);
      try {
        await startOne(service);
        return;
      } catch (error) {
        if (!(error instanceof PortInUseError) || attempt >= 3) throw error;
      }
    }
  };
  const killAll = (): void => {
    for (const service of services.values()) service.killNow();
    dns?.killNow();
  };
  process.once('exit', killAll);
  const stopAll = async (): Promise<void> => {
    process.off('exit', killAll);
    for (const name of [...SERVICE_NAMES].reverse()) await services.get(name)?.stop();
    await dns?.stop();
    if (options.messaging?.deleteOnStop && !deleted) {
      deleted = true;
      await deleteMessaging(options.rabbitmqUrl, messaging);
    }
  };
  let deleted = false;

  try {
    if (options.auth) await startFirst('identity');
    await Promise.all([
      startFirst('products'),
      startFirst('delivery'),
      startFirst('customers'),
      ...(kafka ? [startFirst('notifications')] : []),
    ]);
    if (options.inventory) await startFirst('inventory');
    await startFirst('orders');
    await startFirst('gateway');
    // The records name the ports the services ended up on; orders looks them up per call, so it may start first.
    if (options.dns) {
      dns = await startShopDns(
        dnsPort,
        dnsDomain,
        Object.fromEntries([...services].map(([name, service]) => [name, service.port])),
      );
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const urls: ShopUrls = {
    gateway: get('gateway').url,
    orders: get('orders').url,
    products: get('products').url,
    delivery: get('delivery').url,
    ...(services.has('inventory') ? { inventory: get('inventory').url } : {}),
    ...(kafka ? { notifications: get('notifications').url } : {}),
  };
  const identity: ShopIdentity | undefined = options.auth
    ? {
        url: get('identity').url,
        tokenUrl: `${get('identity').url}/token`,
        clientSecret: identitySecret,
        audience,
        otherAudience,
      }
    : undefined;
  return {
    urls,
    grpc: { customers: get('customers').address },
    messaging,
    ...(identity ? { identity } : {}),
    stop: stopAll,
    [Symbol.asyncDispose]: stopAll,
    stopService: (name) => get(name).stop(),
    crashService: (name) => get(name).crash(),
    async startService(name, env) {
      Object.assign(overrides[name], env);
      await startOne(get(name));
    },
    logTail: (name) => get(name).tail(),
    ...(dns ? { dns: { server: dns.server, domain: dns.domain } } : {}),
  };
}
