// `msa-verify doctor` with secured services: each https service (or one with
// `auth`) is probed with the config's client certificate and a token fetched
// from the token endpoint; a certificate the service does not trust fails the
// line for that service (exit 3). No secret in the output.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { clientTlsFiles } from '../../examples/shop/pki.ts';
import { runCli } from '../support/cli.js';
import { serviceUrls } from '../support/services.js';

let shop: Shop;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-doctor-tls-'));
  shop = await startShop({
    rabbitmqUrl: serviceUrls().RABBITMQ_URL,
    messaging: uniqueMessaging('doctor-tls'),
    security: 'mtls',
    auth: true,
  });
});
afterAll(async () => {
  await shop?.stop();
});

async function doctorWith(name: string, client: 'client' | 'rogue-client') {
  const tls = clientTlsFiles(client);
  const config = path.join(work, `${name}.yaml`);
  await writeFile(
    config,
    [
      'version: 1',
      'services:',
      `  gateway: { url: "${shop.urls.gateway}" }`,
      `  products: { url: "${shop.urls.products}" }`,
      `tls: { ca: "${tls.ca}", cert: "${tls.cert}", key: "${tls.key}" }`,
      'auth:',
      `  oauth2: { tokenUrl: "${shop.identity!.tokenUrl}", clientId: shop-load, clientSecretEnv: SHOP_CLIENT_SECRET }`,
      '',
    ].join('\n'),
  );
  const r = await runCli(['doctor', '--config', config], {
    env: { SHOP_CLIENT_SECRET: shop.identity!.clientSecret },
  });
  expect(r.stdout + r.stderr).not.toContain(shop.identity!.clientSecret);
  return r;
}

describe('doctor with secured services', () => {
  it('proves the TLS handshake with the client certificate and the token', async () => {
    const r = await doctorWith('good', 'client');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^ok {3}service gateway +TLS with client certificate, OAuth2 token: HTTP 200 from https:\/\/127\.0\.0\.1:\d+\/health$/m,
    );
    expect(r.stdout).toMatch(/^ok {3}service products +TLS with client certificate, OAuth2 token: HTTP 200/m);
  });

  it('fails the services that refuse a certificate from another CA (exit 3)', async () => {
    const r = await doctorWith('rogue', 'rogue-client');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^FAIL service gateway +/m);
    expect(r.stdout).toMatch(/^FAIL service products +/m);
  });
});
