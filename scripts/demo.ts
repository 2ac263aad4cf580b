// The demo on the example shop, run by `npm run demo` after scripts/demo has
// set up and started the real components. It runs msa-verify as a user would
// (the built CLI as a subprocess) and ends with a summary.
//
//   shop (with the preload, spans to Jaeger; Python inventory under OpenTelemetry's
//   auto-instrumentation) -> msa-verify contracts -> chaos scenarios
//   against the resilient shop (all must pass) -> one scenario against the naive orders
//   (must fail: the expected finding) -> msa-verify trace (traces/*.yaml against Jaeger)
//   -> HTML report -> Prometheus queries -> summary ending with the Jaeger URL of the trace
//
// MSAV_DEMO_FAST=1 runs one resilient HTTP and one gRPC scenario and one naive scenario only (for the e2e test).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Shop, startShop, uniqueKafka, uniqueMessaging } from '../examples/shop/launcher.ts';
import { readServicesEnv } from '../examples/shop/run-files.ts';
import { freePort } from '../examples/shop/service-process.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const REPORTS = path.resolve(ROOT, process.env.MSAV_DEMO_REPORTS ?? 'reports/demo');
const FAST = process.env.MSAV_DEMO_FAST === '1';
const CLI = path.join(ROOT, 'dist/cli/main.js');
const SERVICES = ['gateway', 'orders', 'products', 'delivery'] as const;

interface Step {
  readonly title: string;
  readonly expected: number;
  readonly code: number | null;
}

const steps: Step[] = [];

function say(text: string): void {
  process.stdout.write(`\n\u001b[1m== ${text}\u001b[0m\n`);
}

/** Runs the CLI, streaming its output, and records whether it exited as expected. */
function msaVerify(title: string, args: string[], env: Record<string, string>, expected = 0): Promise<number | null> {
  say(`${title}\n   $ msa-verify ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.on('close', (code) => {
      steps.push({ title, expected, code });
      resolve(code);
    });
  });
}

async function main(): Promise<number> {
  // Pushes older than this run (earlier demos, test runs on a long-lived machine) stay out of the summary.
  const startedAt = Date.now() / 1000;
  const services = readServicesEnv();
  const rabbitmqUrl = services.RABBITMQ_URL as string;
  // Another checkout's `services status` may have rewritten services.env without Jaeger: use its default address.
  const jaegerUrl = services.JAEGER_URL ?? 'http://127.0.0.1:16686';
  const jaegerOtlp = services.JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces';
  const rabbit = new URL(rabbitmqUrl);
  await rm(REPORTS, { recursive: true, force: true });
  await mkdir(REPORTS, { recursive: true });

  const productsProxy = `127.0.0.1:${await freePort()}`;
  const rabbitmqProxy = `127.0.0.1:${await freePort()}`;
  const inventoryProxy = `127.0.0.1:${await freePort()}`;
  const customersProxy = `127.0.0.1:${await freePort()}`;
  const preload = existsSync(path.join(ROOT, 'dist/instrument/preload.js')) && process.env.MSAV_DEMO_PRELOAD !== '0';

  // With the preload, each service serves its RED metrics; Prometheus finds them through file_sd.
  const metricsPorts = Object.fromEntries(
    await Promise.all(SERVICES.map(async (name) => [name, await freePort()] as const)),
  ) as Record<(typeof SERVICES)[number], number>;
  const targetsFile = path.join(services.PROMETHEUS_TARGETS_DIR as string, 'msa-verify-demo-shop.json');
  say(`starting the example shop${preload ? ' with the msa-verify/instrument preload' : ''}`);
  const demoGroup = uniqueKafka('demo').group;
  const shop: Shop = await startShop({
    rabbitmqUrl,
    preload,
    // The shop's spans go to Jaeger, where `msa-verify trace` reads them back.
    ...(preload ? { tracesEndpoint: jaegerOtlp } : {}),
    logDir: path.join(REPORTS, 'logs'),
    // The Python service (examples/shop/inventory): in the contracts, a chaos scenario and a trace check.
    inventory: true,
    // Its own exchange and queue: another shop on the same RabbitMQ must not consume the demo's events.
    messaging: uniqueMessaging('demo'),
    // Kafka: orders -> notifications on topic shop.orders (the pact's), in a consumer group of the demo's own.
    // Not waiting for its group join: for kafka-cut, notifications restarts on the proxy's address, which exists
    // only once the run created it.
    kafka: { brokers: services.KAFKA_BROKERS as string, group: demoGroup, waitReady: false },
    env: Object.fromEntries(SERVICES.map((name) => [name, { MSA_VERIFY_METRICS_PORT: String(metricsPorts[name]) }])),
  });
  if (preload) {
    const targets = SERVICES.map((name) => ({ targets: [`127.0.0.1:${metricsPorts[name]}`], labels: { shop: name } }));
    await mkdir(path.dirname(targetsFile), { recursive: true });
    await writeFile(targetsFile, JSON.stringify(targets));
  }
  const stop = async () => {
    await rm(targetsFile, { force: true });
    await shop.stop();
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));
  try {
    for (const [name, url] of Object.entries(shop.urls)) process.stdout.write(`   ${name.padEnd(9)} ${url}\n`);
    const env: Record<string, string> = {
      ...services,
      SHOP_GATEWAY_URL: shop.urls.gateway,
      SHOP_ORDERS_URL: shop.urls.orders,
      SHOP_PRODUCTS_URL: shop.urls.products,
      SHOP_DELIVERY_URL: shop.urls.delivery,
      SHOP_INVENTORY_URL: shop.urls.inventory!,
      SHOP_CUSTOMERS_ADDR: shop.grpc.customers,
      PRODUCTS_PROXY_LISTEN: productsProxy,
      INVENTORY_PROXY_LISTEN: inventoryProxy,
      RABBITMQ_PROXY_LISTEN: rabbitmqProxy,
      CUSTOMERS_PROXY_LISTEN: customersProxy,
      RABBITMQ_ADDR: rabbit.host,
      JAEGER_URL: jaegerUrl,
      SHOP_LOG_DIR: path.join(REPORTS, 'logs'),
      SHOP_EXCHANGE: shop.messaging.exchange,
      // kafka-cut samples this group's lag.
      SHOP_NOTIFICATIONS_GROUP: demoGroup,
    };

    await msaVerify(
      'contracts: consumer tests, then provider verification against the running shop',
      ['contracts', '--json', path.join(REPORTS, 'contracts.json'), '--junit', path.join(REPORTS, 'contracts.xml')],
      env,
    );

    // Orders is restarted for each scenario so that the link under test goes through the scenario's proxy.
    // startService keeps earlier overrides, so both links are always set.
    // Each scenario varies one link: the products, RabbitMQ, Kafka and gRPC scenarios run with orders
    // not reserving stock (INVENTORY_URL empty), the inventory one with products direct.
    const inventoryUrl = shop.urls.inventory!;
    const kafkaBrokers = services.KAFKA_BROKERS as string;
    const direct = {
      PRODUCTS_URL: shop.urls.products,
      RABBITMQ_URL: rabbitmqUrl,
      CUSTOMERS_ADDR: shop.grpc.customers,
      INVENTORY_URL: '',
      KAFKA_BROKERS: kafkaBrokers,
    };
    const viaProducts = { ...direct, PRODUCTS_URL: `http://${productsProxy}` };
    const viaRabbit = { ...direct, RABBITMQ_URL: `amqp://${rabbit.username}:${rabbit.password}@${rabbitmqProxy}` };
    const viaInventory = { ...direct, INVENTORY_URL: `http://${inventoryProxy}` };
    const viaCustomers = { ...direct, CUSTOMERS_ADDR: customersProxy };
    // Kafka: orders and notifications bootstrap at the broker's advertised PROXIED address (docs/kafka-chaos.md).
    const viaKafka = { ...direct, KAFKA_BROKERS: services.KAFKA_PROXY_LISTEN ?? '127.0.0.1:19094' };
    const kafkaScenario = {
      file: 'chaos/kafka-cut.yaml',
      orders: viaKafka,
      notifications: { KAFKA_BROKERS: viaKafka.KAFKA_BROKERS },
      expected: 0,
      title: 'Kafka slowed then cut from orders and notifications (delivered: none lost)',
    };
    const scenarios: {
      file: string;
      orders: Record<string, string>;
      notifications?: Record<string, string>;
      expected: number;
      title: string;
    }[] = [
      { file: 'chaos/products-slow.yaml', orders: viaProducts, expected: 0, title: 'products slow' },
      kafkaScenario,
      ...(FAST
        ? []
        : [
            {
              file: 'chaos/products-reset.yaml',
              orders: viaProducts,
              expected: 0,
              title: 'products resetting connections',
            },
            { file: 'chaos/products-down.yaml', orders: viaProducts, expected: 0, title: 'products down, then back' },
            {
              file: 'chaos/products-keepalive.yaml',
              orders: viaProducts,
              expected: 0,
              title: 'pooled connections cut: first connections fail, then latency and resets',
            },
            { file: 'chaos/rabbitmq-cut.yaml', orders: viaRabbit, expected: 0, title: 'RabbitMQ cut from orders' },
            {
              file: 'chaos/inventory-down.yaml',
              orders: viaInventory,
              expected: 0,
              title: 'inventory (the Python service) down, then back',
            },
          ]),
      {
        file: 'chaos/grpc-slow.yaml',
        orders: viaCustomers,
        expected: 0,
        title: 'customers (gRPC) slow: deadline, breaker, fast degraded answer',
      },
      {
        file: 'chaos/products-slow.yaml',
        orders: { ...viaProducts, ORDERS_RESILIENCE: 'off' },
        expected: 1,
        title: 'products slow, against the NAIVE orders (ORDERS_RESILIENCE=off): the expected finding',
      },
    ];
    const chaosReports: string[] = [];
    for (const [i, s] of scenarios.entries()) {
      await shop.stopService('orders');
      await shop.startService('orders', s.orders);
      if (s.notifications) {
        await shop.stopService('notifications');
        await shop.startService('notifications', s.notifications);
      }
      const report = path.join(
        REPORTS,
        `chaos-${i + 1}-${path.basename(s.file, '.yaml')}${s.expected ? '-naive' : ''}.json`,
      );
      chaosReports.push(report);
      await msaVerify(
        `chaos: ${s.title}`,
        ['chaos', 'run', s.file, '--json', report, '--junit', report.replace(/\.json$/, '.xml')],
        env,
        s.expected,
      );
    }

    // Last: follow one request of each kind across the shop, in Jaeger (orders back to its normal links).
    const traceReport = path.join(REPORTS, 'trace.json');
    if (preload) {
      await shop.stopService('orders');
      await shop.startService('orders', { ...direct, INVENTORY_URL: inventoryUrl, ORDERS_RESILIENCE: 'on' });
      await shop.stopService('notifications');
      await shop.startService('notifications', { KAFKA_BROKERS: kafkaBrokers });
      await msaVerify(
        'trace: orders (one through the Python inventory), a catalogue read and an event followed across the shop in Jaeger',
        ['trace', '--json', traceReport, '--junit', path.join(REPORTS, 'trace.xml')],
        env,
      );
    }

    // One HTML report with everything.
    const all = [path.join(REPORTS, 'contracts.json'), ...chaosReports, traceReport].filter((f) => existsSync(f));
    const results = (
      await Promise.all(all.map(async (f) => (JSON.parse(await readFile(f, 'utf8')) as { results: unknown[] }).results))
    ).flat();
    const combined = path.join(REPORTS, 'all-results.json');
    await writeFile(combined, `${JSON.stringify({ version: 1, results }, null, 2)}\n`);
    await msaVerify(
      'HTML report',
      ['report', 'html', '--from', combined, '--out', path.join(REPORTS, 'report.html')],
      env,
    );

    await summary(services.PROMETHEUS_URL as string, startedAt);
    await traceLinks(traceReport);
  } finally {
    await stop();
  }
  return steps.every((s) => s.code === s.expected) ? 0 : 1;
}

/** The demo's last lines: where each checked trace opens in Jaeger. */
async function traceLinks(report: string): Promise<void> {
  if (!existsSync(report)) return;
  const { results } = JSON.parse(await readFile(report, 'utf8')) as {
    results: { check: string; passed: boolean; traceUrl: string | null }[];
  };
  say('traces checked (open in Jaeger)');
  for (const r of results) {
    process.stdout.write(
      `   ${r.passed ? 'ok  ' : 'FAIL'} ${r.check.padEnd(16)} ${r.traceUrl ?? '(no trace found)'}\n`,
    );
  }
}

async function summary(prometheusUrl: string, since: number): Promise<void> {
  say('summary');
  for (const s of steps) {
    const ok = s.code === s.expected;
    const what = s.expected === 0 ? 'passed' : 'failed as expected';
    process.stdout.write(
      `   ${ok ? 'ok  ' : 'FAIL'} ${s.title}: ${ok ? what : `exit ${s.code}, expected ${s.expected}`}\n`,
    );
  }
  process.stdout.write(
    `\n   reports: ${path.relative(ROOT, REPORTS)}/ (contracts.json|xml, chaos-*.json|xml, trace.json|xml, report.html)\n`,
  );
  process.stdout.write(
    '\n   Prometheus queries behind the dashboards (dashboards/*.json), answered now for the pushes of this run:\n',
  );
  const queries = [
    'msa_verify_contract_pair_passed',
    'msa_verify_chaos_scenario_passed',
    'msa_verify_chaos_expectation_passed == 0',
    'msa_verify_chaos_fault_start_timestamp_seconds',
    'msa_verify_chaos_delivered_messages{phase="all"}',
    'msa_verify_trace_check_passed',
  ];
  // Prometheus scrapes the Pushgateway every second; give it a moment.
  await new Promise((r) => setTimeout(r, 2500));
  for (const q of queries) {
    try {
      // The Pushgateway stamps each group (job, kind, scenario) with push_time_seconds.
      const recent = `(${q}) and on (job, kind, scenario) (push_time_seconds >= ${Math.floor(since)})`;
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(recent)}`);
      const body = (await res.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      process.stdout.write(`   ${q}  -> ${body.data.result.length} series\n`);
      for (const r of body.data.result.slice(0, 6)) {
        const { __name__: _n, job: _j, instance: _i, ...labels } = r.metric;
        process.stdout.write(`      ${JSON.stringify(labels)} = ${r.value[1]}\n`);
      }
    } catch (error) {
      process.stdout.write(`   ${q}  -> Prometheus unreachable: ${(error as Error).message}\n`);
    }
  }
}

process.exitCode = await main();
