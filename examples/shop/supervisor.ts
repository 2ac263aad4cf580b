// Background process behind `examples/shop/run up`: starts the shop with the
// launcher, writes .tools/run/shop.env, and stops the shop on SIGTERM/SIGINT
// (its children also die if this process is killed outright).
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ServiceName, startShop } from './launcher.ts';
import { clientTlsFiles } from './pki.ts';
import { RUN_DIR, readServicesEnv, SHOP_ENV_FILE, SHOP_PID_FILE, SHOP_SECRET_FILE } from './run-files.ts';
import { DEFAULT_RABBITMQ_URL } from './shared/messaging.ts';

// Policy variables a user may set in the shell for `run up` (see README).
const PASS_THROUGH: Record<ServiceName, RegExp> = {
  orders: /^(ORDERS_.*|LOG_LEVEL)$/,
  delivery: /^(LOG_LEVEL)$/,
  gateway: /^(GATEWAY_.*|LOG_LEVEL)$/,
  products: /^(LOG_LEVEL)$/,
  inventory: /^(INVENTORY_.*|LOG_LEVEL)$/,
  identity: /^(IDENTITY_TOKEN_TTL|LOG_LEVEL)$/,
  notifications: /^(NOTIFICATIONS_.*|LOG_LEVEL)$/,
  customers: /^(LOG_LEVEL)$/,
};

function envFor(name: ServiceName): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => PASS_THROUGH[name].test(e[0]) && e[1] !== undefined,
    ),
  );
}

const services = readServicesEnv();
const rabbitmqUrl = process.env.RABBITMQ_URL ?? services.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL;
// With the preload, spans go to Jaeger when scripts/services runs it (so `msa-verify trace` works right after).
// Kafka (orders -> notifications) when a broker is known (scripts/services writes KAFKA_BROKERS).
const kafkaBrokers = process.env.KAFKA_BROKERS ?? services.KAFKA_BROKERS;
const tracesEndpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? services.JAEGER_OTLP_TRACES_URL;
const shop = await startShop({
  rabbitmqUrl,
  preload: process.env.SHOP_PRELOAD === '1',
  ...(tracesEndpoint ? { tracesEndpoint } : {}),
  // SHOP_NO_PRELOAD=products,delivery: these start without the preload (a broken variant).
  noPreload: (process.env.SHOP_NO_PRELOAD ?? '').split(',').filter(Boolean) as ServiceName[],
  logDir: path.join(RUN_DIR, 'shop'),
  // The Python inventory service (needs scripts/python-venv); SHOP_INVENTORY=0 leaves it out.
  inventory: process.env.SHOP_INVENTORY !== '0',
  messaging: { exchange: process.env.SHOP_EXCHANGE, deliveryQueue: process.env.SHOP_DELIVERY_QUEUE },
  // SHOP_DISCOVERY=etcd: services register in etcd (ETCD_URL of scripts/services) and orders resolves products there.
  ...(process.env.SHOP_DISCOVERY === 'etcd'
    ? {
        discovery: {
          etcdUrl: process.env.SHOP_ETCD_URL ?? services.ETCD_URL ?? 'http://127.0.0.1:2379',
          ...(process.env.SHOP_DISCOVERY_PREFIX ? { prefix: process.env.SHOP_DISCOVERY_PREFIX } : {}),
        },
      }
    : {}),
  ...(kafkaBrokers
    ? {
        kafka: {
          brokers: kafkaBrokers,
          topic: process.env.SHOP_KAFKA_TOPIC,
          group: process.env.SHOP_NOTIFICATIONS_GROUP,
        },
      }
    : {}),
  // SHOP_PORTS=any: free ports only (tests); default: prefer the ports of msa-verify.config.yaml.
  ports:
    process.env.SHOP_PORTS === 'any'
      ? {}
      : {
          gateway: 8080,
          orders: 8081,
          products: 8082,
          delivery: 8083,
          inventory: 8084,
          notifications: 8085,
          customers: 8086,
          identity: 8087,
        },
  // SHOP_SECURITY=mtls: the secured shop; SHOP_PLAIN_SERVICES=products: these serve plain http anyway (a broken variant).
  security: process.env.SHOP_SECURITY === 'mtls' ? 'mtls' : 'plain',
  plainServices: (process.env.SHOP_PLAIN_SERVICES ?? '').split(',').filter(Boolean) as ServiceName[],
  // SHOP_AUTH=jwt: the identity service (an OpenID Connect provider) first, and gateway and orders require its tokens.
  auth: process.env.SHOP_AUTH === 'jwt',
  env: {
    identity: envFor('identity'),
    gateway: envFor('gateway'),
    orders: envFor('orders'),
    products: envFor('products'),
    delivery: envFor('delivery'),
    inventory: envFor('inventory'),
    notifications: envFor('notifications'),
    customers: envFor('customers'),
  },
});

const lines = [
  `SHOP_GATEWAY_URL=${shop.urls.gateway}`,
  `SHOP_ORDERS_URL=${shop.urls.orders}`,
  `SHOP_PRODUCTS_URL=${shop.urls.products}`,
  `SHOP_DELIVERY_URL=${shop.urls.delivery}`,
  `SHOP_CUSTOMERS_ADDR=${shop.grpc.customers}`,
  `SHOP_RABBITMQ_URL=${rabbitmqUrl}`,
  ...(shop.urls.inventory ? [`SHOP_INVENTORY_URL=${shop.urls.inventory}`] : []),
  // What msa-verify needs to call the secured shop (msa-verify.mtls.config.yaml reads these).
  ...(process.env.SHOP_SECURITY === 'mtls'
    ? Object.entries(clientTlsFiles()).map(([field, file]) => `SHOP_CLIENT_TLS_${field.toUpperCase()}=${file}`)
    : []),
  ...(shop.urls.notifications ? [`SHOP_NOTIFICATIONS_URL=${shop.urls.notifications}`] : []),
  ...(kafkaBrokers ? [`SHOP_KAFKA_BROKERS=${kafkaBrokers}`] : []),
  ...(shop.identity
    ? [
        `SHOP_IDENTITY_URL=${shop.identity.url}`,
        `SHOP_TOKEN_URL=${shop.identity.tokenUrl}`,
        `SHOP_AUTH_AUDIENCE=${shop.identity.audience}`,
      ]
    : []),
];
// The clients' secret goes to a file of its own, readable by the owner only: `run up` prints shop.env.
if (shop.identity) {
  writeFileSync(`${SHOP_SECRET_FILE}.tmp`, `SHOP_CLIENT_SECRET=${shop.identity.clientSecret}\n`, { mode: 0o600 });
  chmodSync(`${SHOP_SECRET_FILE}.tmp`, 0o600);
  renameSync(`${SHOP_SECRET_FILE}.tmp`, SHOP_SECRET_FILE);
} else {
  rmSync(SHOP_SECRET_FILE, { force: true });
}
writeFileSync(`${SHOP_ENV_FILE}.tmp`, `${lines.join('\n')}\n`);
renameSync(`${SHOP_ENV_FILE}.tmp`, SHOP_ENV_FILE);
writeFileSync(SHOP_PID_FILE, `${process.pid}\n`);
console.log(`shop up (pid ${process.pid}): ${SHOP_ENV_FILE}`);

const keepAlive = setInterval(() => {}, 60_000);
let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(keepAlive);
  await shop.stop();
  rmSync(SHOP_ENV_FILE, { force: true });
  rmSync(SHOP_SECRET_FILE, { force: true });
  rmSync(SHOP_PID_FILE, { force: true });
  console.log('shop down');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
