// The shop's launcher, used by tests, contracts, chaos and the demo:
//   startShop(options) -> free ports -> products + delivery + customers -> orders -> gateway,
//   each waited for on /health (delivery also on /ready: its queue is bound;
//   customers speaks gRPC only: its "listening" line comes once the port is bound),
//   children die with this process (stdin pipe), stop() ends them all.
import { mkdirSync } from 'node:fs';
import amqp from 'amqplib';
import { freePort, PortInUseError, type ServiceName, ServiceProcess } from './service-process.ts';
import { DEFAULT_DELIVERY_QUEUE, DEFAULT_EXCHANGE } from './shared/messaging.ts';

export { ROOT, type ServiceName } from './service-process.ts';

/** The services in start order (stop runs in reverse). */
export const SERVICE_NAMES: readonly ServiceName[] = ['products', 'delivery', 'customers', 'orders', 'gateway'];

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
  /** Stops every service (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  /** Stops one service (connections to its port are then refused); startService reuses the port. */
  stopService(name: ServiceName): Promise<void>;
  /**
   * (Re)starts one service on its port, waiting for health; `env` adds to (and
   * wins over) its overrides from now on. Throws PortInUseError if another
   * process took the port while the service was stopped.
   */
  startService(name: ServiceName, env?: Record<string, string>): Promise<void>;
  /** The last lines a service printed (its pino lines), for diagnostics. */
  logTail(name: ServiceName): string;
}

// Variables the launcher decides per service; inherited values would make runs
// depend on the caller's shell (use options.env to set them).
const CONTROLLED =
  /^(PORT|HOST|PRODUCTS_URL|ORDERS_URL|CUSTOMERS_ADDR|RABBITMQ_URL|NODE_OPTIONS|ORDERS_.*|GATEWAY_.*|SHOP_.*)$/;

function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONTROLLED.test(name)));
}

/** HTTP paths that must answer 200 before a service counts as started (customers has no HTTP). */
export function readyPaths(name: ServiceName): string[] {
  if (name === 'customers') return [];
  return name === 'delivery' ? ['/health', '/ready'] : ['/health'];
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
    customers: { ...options.env?.customers },
  };
  const messaging: MessagingNames = {
    exchange: options.messaging?.exchange ?? DEFAULT_EXCHANGE,
    deliveryQueue: options.messaging?.deliveryQueue ?? DEFAULT_DELIVERY_QUEUE,
  };
  // What each service needs to know; only called once the services it names have started.
  const launcherEnv = (name: ServiceName): Record<string, string> => {
    switch (name) {
      case 'products':
      case 'customers':
        return {};
      case 'delivery':
        return {
          RABBITMQ_URL: options.rabbitmqUrl,
          SHOP_EXCHANGE: messaging.exchange,
          SHOP_DELIVERY_QUEUE: messaging.deliveryQueue,
        };
      case 'orders':
        return {
          RABBITMQ_URL: options.rabbitmqUrl,
          PRODUCTS_URL: get('products').url,
          CUSTOMERS_ADDR: get('customers').address,
          SHOP_EXCHANGE: messaging.exchange,
        };
      case 'gateway':
        return { ORDERS_URL: get('orders').url, PRODUCTS_URL: get('products').url };
    }
  };

  const startOne = async (service: ServiceProcess): Promise<void> => {
    await service.start({
      env: {
        ...baseEnv(),
        OTEL_SERVICE_NAME: service.name,
        ...(options.tracesEndpoint
          ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: options.tracesEndpoint, OTEL_BSP_SCHEDULE_DELAY: '200' }
          : {}),
        ...launcherEnv(service.name),
        ...overrides[service.name],
      },
      preload: (options.preload ?? false) && !options.noPreload?.includes(service.name),
      ...(options.logDir ? { logDir: options.logDir } : {}),
      readyPaths: readyPaths(service.name),
      timeoutMs: options.startTimeoutMs ?? 20_000,
    });
  };
  // First start: a port that was free may be taken before the service binds it
  // (other processes pick ports too); then try another one.
  const startFirst = async (name: ServiceName): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const service = new ServiceProcess(name, await freePort(attempt === 1 ? options.ports?.[name] : 0));
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
  };
  process.once('exit', killAll);
  const stopAll = async (): Promise<void> => {
    process.off('exit', killAll);
    for (const name of [...SERVICE_NAMES].reverse()) await services.get(name)?.stop();
    if (options.messaging?.deleteOnStop && !deleted) {
      deleted = true;
      await deleteMessaging(options.rabbitmqUrl, messaging);
    }
  };
  let deleted = false;

  try {
    await Promise.all([startFirst('products'), startFirst('delivery'), startFirst('customers')]);
    await startFirst('orders');
    await startFirst('gateway');
  } catch (error) {
    await stopAll();
    throw error;
  }

  const urls: ShopUrls = {
    gateway: get('gateway').url,
    orders: get('orders').url,
    products: get('products').url,
    delivery: get('delivery').url,
  };
  return {
    urls,
    grpc: { customers: get('customers').address },
    messaging,
    stop: stopAll,
    [Symbol.asyncDispose]: stopAll,
    stopService: (name) => get(name).stop(),
    async startService(name, env) {
      Object.assign(overrides[name], env);
      await startOne(get(name));
    },
    logTail: (name) => get(name).tail(),
  };
}
