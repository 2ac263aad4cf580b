// `msa-verify trace` against the secured shop (SHOP_SECURITY=mtls, preload,
// real Jaeger, the gRPC customers and the Python inventory included):
// msa-verify presents its client certificate from the config's `tls`, and the
// `tls: required` rule holds on every client span (HTTP, gRPC, Python's httpx);
// the variant where products, customers and inventory serve in clear fails
// naming each hop in clear, the gRPC one included. A config whose TLS file is
// missing exits 2 naming the field and the file.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceName, type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { clientTlsFiles } from '../../examples/shop/pki.ts';
import type { TraceCheckResult } from '../../src/core/trace-results.js';
import { runCli } from '../support/cli.js';
import { ROOT, serviceUrls } from '../support/services.js';

const JAEGER = process.env.JAEGER_URL ?? 'http://127.0.0.1:16686';
const OTLP = process.env.JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces';
const CHECK = 'traces/mtls/order-created.yaml';
const CONFIG = 'msa-verify.mtls.config.yaml';

let work: string;

async function secureShop(name: string, plainServices: ServiceName[] = []): Promise<Shop> {
  return startShop({
    rabbitmqUrl: serviceUrls().RABBITMQ_URL,
    preload: true,
    tracesEndpoint: OTLP,
    messaging: uniqueMessaging(`trace-tls-${name}`),
    security: 'mtls',
    inventory: true,
    plainServices,
  });
}

function envFor(shop: Shop): Record<string, string> {
  const tls = clientTlsFiles();
  return {
    SHOP_GATEWAY_URL: shop.urls.gateway,
    SHOP_ORDERS_URL: shop.urls.orders,
    SHOP_PRODUCTS_URL: shop.urls.products,
    SHOP_DELIVERY_URL: shop.urls.delivery,
    // The test CA the shop was started with (MSAV_PKI_DIR, default .tools/pki).
    SHOP_CLIENT_TLS_CA: tls.ca,
    SHOP_CLIENT_TLS_CERT: tls.cert,
    SHOP_CLIENT_TLS_KEY: tls.key,
    JAEGER_URL: JAEGER,
  };
}

async function trace(env: Record<string, string>, name: string, config = CONFIG) {
  const json = path.join(work, `${name}.json`);
  const r = await runCli(['trace', CHECK, '--config', config, '--json', json], { env, timeoutMs: 90_000 });
  const text = await readFile(json, 'utf8').catch(() => '{"results":[]}');
  return { ...r, results: (JSON.parse(text) as { results: TraceCheckResult[] }).results };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-trace-mtls-'));
});

describe('msa-verify trace against the mTLS shop', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await secureShop('good');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('sends with the client certificate and holds tls: required on every hop, gRPC and Python included', async () => {
    const r = await trace(envFor(shop), 'good');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const tls = r.results[0]!.verdicts.find((v) => v.rule === 'tls');
    expect(tls).toMatchObject({ passed: true, observed: 0 });
    // gateway → orders, orders → customers (gRPC), orders → products, orders → inventory, inventory → products.
    // Messages orders hands to the brokers (RabbitMQ, Kafka) are named as not judged, when in the trace.
    expect(tls!.message).toMatch(
      /^all 5 service-to-service call\(s\) used https(; not judged \(messages to a broker, not service calls\): .+)?$/,
    );
    expect(r.results[0]!.verdicts.find((v) => v.rule === 'request')).toMatchObject({ passed: true, observed: 201 });
  });

  it('without a client certificate in the config the gateway refuses the request (exit 3)', async () => {
    const config = path.join(work, 'no-client-cert.config.yaml');
    const text = (await readFile(path.join(ROOT, CONFIG), 'utf8'))
      .replace(/^ {2}cert: .*\n/m, '')
      .replace(/^ {2}key: .*\n/m, '');
    await writeFile(config, text);
    const r = await trace(envFor(shop), 'no-client-cert', config);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/POST https:\/\/127\.0\.0\.1:\d+\/api\/orders: .*\[MSAV_TARGET_UNREACHABLE\]/);
  });
});

describe('the variant where products, customers (gRPC) and inventory serve in clear', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await secureShop('plain', ['products', 'customers', 'inventory']);
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('fails tls: required naming each hop in clear, orders → customers over gRPC among them', async () => {
    const r = await trace(envFor(shop), 'plain');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const failed = r.results[0]!.verdicts.filter((v) => !v.passed);
    expect(failed.map((v) => v.rule)).toEqual(['tls']);
    expect(failed[0]!.message).toMatch(/^4 of 5 call\(s\) without TLS; in clear: /);
    for (const hop of [
      'orders → customers over gRPC on an insecure channel (url.scheme http)',
      'orders → products over http://',
      'orders → inventory over http://',
      'inventory → products over http://',
    ]) {
      expect(failed[0]!.message).toContain(hop);
    }
    expect(r.stdout).toContain('orders → customers over gRPC on an insecure channel');
  });
});

describe('config tls files', () => {
  it('a missing file exits 2 naming the field and the file', async () => {
    const config = path.join(work, 'missing-key.config.yaml');
    await writeFile(config, 'version: 1\ntls:\n  ca: /nonexistent/ca.crt\n  cert: cert.pem\n  key: key.pem\n');
    const r = await runCli(['trace', CHECK, '--config', config], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[MSAV_CONFIG_INVALID]');
    expect(r.stderr).toMatch(
      /missing-key\.config\.yaml:3:7 {2}tls\.ca {2}file not found or not readable: \/nonexistent\/ca\.crt/,
    );
    expect(r.stderr).toContain(`tls.cert  file not found or not readable: ${path.join(work, 'cert.pem')}`);
    expect(r.stderr).toContain(`tls.key  file not found or not readable: ${path.join(work, 'key.pem')}`);
  });
});
