// `msa-verify contracts verify` against the secured shop (mTLS, identity
// service, SHOP_AUTH=jwt): Pact's core verifier cannot present a client
// certificate, so msa-verify gives the certificate and CA to pact-js's proxy in
// front of it, and sets each provider request's token (OAuth2 client
// credentials from the config's `auth`). gateway → orders passes, and so does
// the message pact delivery → orders (the provider module places the order
// through msa-verify's request function, with the same certificate and token);
// without the token in the config every interaction is refused (401, exit 1),
// the message's too; without a client certificate the provider cannot be
// reached (exit 3). No secret leaks.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { ordersProviderConfigLines, securityConfigLines } from '../../examples/shop/tokens.ts';
import { runCli } from '../support/cli.js';
import { serviceUrls } from '../support/services.js';

let shop: Shop;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-contracts-mtls-'));
  shop = await startShop({
    rabbitmqUrl: serviceUrls().RABBITMQ_URL,
    messaging: uniqueMessaging('contracts-mtls'),
    security: 'mtls',
    auth: true,
  });
});
afterAll(async () => {
  await shop?.stop();
});

async function verify(name: string, options: { auth: boolean; clientCert: boolean; messages?: boolean }) {
  const config = path.join(work, `${name}.config.yaml`);
  await writeFile(
    config,
    [
      'version: 1',
      'services:',
      `  orders: { url: "${shop.urls.orders}" }`,
      ...securityConfigLines(shop, options),
      ...ordersProviderConfigLines({ messages: options.messages ?? false }),
      '',
    ].join('\n'),
  );
  const json = path.join(work, `${name}.json`);
  const r = await runCli(['contracts', 'verify', '--config', config, '--json', json], {
    env: {
      SHOP_CLIENT_SECRET: shop.identity!.clientSecret,
      RABBITMQ_URL: serviceUrls().RABBITMQ_URL,
      SHOP_EXCHANGE: shop.messaging.exchange,
    },
    timeoutMs: 120_000,
  });
  const report = await readFile(json, 'utf8').catch(() => '');
  for (const text of [r.stdout, r.stderr, report]) {
    expect(text).not.toContain(shop.identity!.clientSecret);
    expect(text).not.toMatch(/eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dC/);
  }
  return r;
}

describe('contracts verify against the mTLS shop with tokens', () => {
  it('passes gateway → orders and the message pact delivery → orders with the client certificate and a token', async () => {
    const r = await verify('good', { auth: true, clientCert: true, messages: true });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ gateway → orders (http)  3/3');
    expect(r.stdout).toContain('✓ delivery → orders (transport)  1/1');
  });

  it('without auth in the config orders refuses every interaction, the message trigger too (exit 1)', async () => {
    const r = await verify('no-auth', { auth: false, clientCert: true, messages: true });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ gateway → orders');
    expect(r.stdout).toMatch(/401/);
    expect(r.stdout).toContain('✗ delivery → orders');
    expect(r.stdout).toContain('orders answered 401 to the order that should publish order.created');
  });

  it('without a client certificate the provider is unreachable (exit 3)', async () => {
    const r = await verify('no-cert', { auth: true, clientCert: false });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/provider orders is unreachable at https:\/\/127\.0\.0\.1:\d+/);
  });
});
