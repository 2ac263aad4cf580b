// The demo on the secured shop (MSAV_DEMO_SECURITY=mtls npm run demo): every
// service over mTLS with certificates from the test CA (scripts/pki.sh), an
// OpenID Connect identity service issuing client-credentials tokens, gateway
// and orders requiring them. msa-verify reaches it with the client certificate
// and OAuth2 tokens of a generated config (no secret in it: the client secret
// is in SHOP_CLIENT_SECRET).
//
//   shop (mTLS, identity, preload -> Jaeger) -> doctor -> contracts (gateway → orders
//   and the message delivery → orders, with tokens) -> chaos on the mTLS hop -> chaos/auth-*.yaml -> auth-tokens against
//   the skip-audience gateway (must fail) -> trace with tls: required -> summary
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Shop, startShop, uniqueMessaging } from '../examples/shop/launcher.ts';
import { readServicesEnv } from '../examples/shop/run-files.ts';
import { freePort } from '../examples/shop/service-process.ts';
import {
  currentKid,
  fetchToken,
  forgedToken,
  ordersProviderConfigLines,
  securityConfigLines,
} from '../examples/shop/tokens.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const REPORTS = path.resolve(ROOT, process.env.MSAV_DEMO_REPORTS ?? 'reports/demo-secure');
const CLI = path.join(ROOT, 'dist/cli/main.js');
/** The demo's steps: each runs the built CLI as a user would, streaming its output, and is judged by its exit code. */
class Steps {
  readonly done: { title: string; expected: number; code: number | null }[] = [];
  readonly #env: Record<string, string>;
  constructor(env: Record<string, string>) {
    this.#env = env;
  }

  run(title: string, args: string[], expected = 0): Promise<void> {
    process.stdout.write(`\n\u001b[1m== ${title}\u001b[0m\n   $ msa-verify ${args.join(' ')}\n`);
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...this.#env },
      stdio: 'inherit',
    });
    return new Promise((resolve) =>
      child.on('close', (code) => {
        this.done.push({ title, expected, code });
        resolve();
      }),
    );
  }

  get passed(): boolean {
    return this.done.every((s) => s.code === s.expected);
  }
}

/** The config msa-verify uses for the secured shop: client certificate, CA, OAuth2 client credentials. */
async function writeConfig(file: string, shop: Shop, services: Record<string, string | undefined>): Promise<void> {
  await writeFile(
    file,
    [
      'version: 1',
      'system: shop',
      'services:',
      ...Object.entries(shop.urls).map(([name, url]) => `  ${name}: { url: "${url}" }`),
      ...securityConfigLines(shop),
      `toxiproxy: { url: "${services.TOXIPROXY_URL}" }`,
      `pushgateway: { url: "${services.PUSHGATEWAY_URL}" }`,
      `jaeger: { url: "${services.JAEGER_URL ?? 'http://127.0.0.1:16686'}" }`,
      `chaos: { journalDir: "${path.join(REPORTS, 'journal')}" }`,
      ...ordersProviderConfigLines({ messages: true }),
      '',
    ].join('\n'),
  );
}

async function main(): Promise<number> {
  const services = readServicesEnv();
  await rm(REPORTS, { recursive: true, force: true });
  await mkdir(REPORTS, { recursive: true });
  const productsProxy = `127.0.0.1:${await freePort()}`;
  const identityProxy = `127.0.0.1:${await freePort()}`;
  process.stdout.write(
    '\n== starting the secured shop: mTLS everywhere, identity service, access tokens required, with the preload\n',
  );
  const shop = await startShop({
    rabbitmqUrl: services.RABBITMQ_URL as string,
    security: 'mtls',
    auth: true,
    preload: true,
    tracesEndpoint: services.JAEGER_OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces',
    logDir: path.join(REPORTS, 'logs'),
    messaging: uniqueMessaging('demo-secure'),
    env: { identity: { IDENTITY_SHORT_TTL: '1' } },
  });
  const stop = () => shop.stop();
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));
  try {
    for (const [name, url] of Object.entries(shop.urls)) process.stdout.write(`   ${name.padEnd(9)} ${url}\n`);
    process.stdout.write(`   identity  ${shop.identity!.url}\n`);
    const config = path.join(REPORTS, 'msa-verify.config.yaml');
    await writeConfig(config, shop, services);
    const expired = await fetchToken(shop, 'shop-short');
    const env: Record<string, string> = {
      SHOP_CLIENT_SECRET: shop.identity!.clientSecret,
      SHOP_GATEWAY_URL: shop.urls.gateway,
      SHOP_ORDERS_URL: shop.urls.orders,
      SHOP_PRODUCTS_URL: shop.urls.products,
      SHOP_IDENTITY_URL: shop.identity!.url,
      // The message pact: contracts/providers/orders.ts catches order.created on the shop's exchange.
      RABBITMQ_URL: services.RABBITMQ_URL as string,
      SHOP_EXCHANGE: shop.messaging.exchange,
      PRODUCTS_PROXY_LISTEN: productsProxy,
      IDENTITY_PROXY_LISTEN: identityProxy,
      JAEGER_URL: services.JAEGER_URL ?? 'http://127.0.0.1:16686',
      TOXIPROXY_URL: services.TOXIPROXY_URL as string,
      MSAV_FORGED_TOKEN: await forgedToken(shop, await currentKid(shop)),
      MSAV_UNKNOWN_KEY_TOKEN: await forgedToken(shop, 'rotated-away'),
      MSAV_WRONG_AUDIENCE_TOKEN: await fetchToken(shop, 'shop-load', shop.identity!.otherAudience),
      MSAV_EXPIRED_TOKEN: expired,
    };
    const steps = new Steps(env);
    const cfg = ['--config', config];
    const report = (name: string) => ['--json', path.join(REPORTS, `${name}.json`)];
    await steps.run('doctor: TLS handshake with the client certificate and a token, per service', ['doctor', ...cfg]);
    await steps.run('contracts: gateway → orders and delivery → orders (message) over mTLS, with tokens', [
      'contracts',
      'verify',
      ...cfg,
      ...report('contracts'),
    ]);
    // A service is restarted so that the link under test goes through the scenario's proxy (TLS as TCP), and back.
    const restart = async (name: 'orders' | 'gateway', overrides: Record<string, string>) => {
      await shop.stopService(name);
      await shop.startService(name, overrides);
    };
    const directJwks = { SHOP_AUTH_JWKS_URL: `${shop.identity!.url}/jwks`, GATEWAY_AUTH_AUDIENCE_CHECK: 'on' };
    const proxiedJwks = { ...directJwks, SHOP_AUTH_JWKS_URL: `https://${identityProxy}/jwks` };
    await restart('orders', { PRODUCTS_URL: `https://${productsProxy}` });
    await steps.run('chaos: products slow on the mTLS hop orders → products', [
      'chaos',
      'run',
      'chaos/mtls/products-slow.yaml',
      ...cfg,
      ...report('products-slow-mtls'),
    ]);
    await restart('orders', { PRODUCTS_URL: shop.urls.products });
    await restart('gateway', proxiedJwks);
    for (const file of ['chaos/auth-tokens.yaml', 'chaos/auth-identity-down.yaml']) {
      await steps.run(`chaos: ${file}`, ['chaos', 'run', file, ...cfg, ...report(path.basename(file, '.yaml'))]);
    }
    await restart('gateway', { ...proxiedJwks, GATEWAY_AUTH_AUDIENCE_CHECK: 'off' });
    await steps.run(
      'chaos: auth-tokens against a gateway that skips the audience check: the expected finding',
      ['chaos', 'run', 'chaos/auth-tokens.yaml', ...cfg, ...report('auth-tokens-skip-audience')],
      1,
    );
    await restart('gateway', directJwks);
    await steps.run('trace: an order across the shop, every service-to-service call over TLS', [
      'trace',
      'traces/mtls/order-created.yaml',
      ...cfg,
      ...report('trace'),
    ]);
    process.stdout.write('\n== summary\n');
    for (const step of steps.done) {
      const verdict = step.code === step.expected ? `ok   ${step.title}` : `FAIL ${step.title}`;
      const how = step.expected === 0 ? 'passed' : 'failed as expected';
      process.stdout.write(
        `   ${verdict}: ${step.code === step.expected ? how : `exit ${step.code}, expected ${step.expected}`}\n`,
      );
    }
    process.stdout.write(`\n   reports: ${path.relative(ROOT, REPORTS)}/\n`);
    return steps.passed ? 0 : 1;
  } finally {
    await stop();
  }
}

process.exitCode = await main();
