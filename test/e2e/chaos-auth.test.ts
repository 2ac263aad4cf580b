// chaos/auth-*.yaml against the secured shop (mTLS, identity service, SHOP_AUTH=jwt,
// with the preload): msa-verify's load carries OAuth2 client-credentials tokens
// it fetched itself (config `auth`), next to expired, forged and wrong-audience
// tokens given per request. Good shop: both scenarios pass (the gateway fails
// closed with the identity service down). Skip-audience variant: auth-tokens
// fails naming the accepted wrong-audience requests. And no secret (the client
// secret, any access token) appears in stdout, stderr, the reports, the
// Pushgateway's metrics or the services' spans.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { currentKid, fetchToken, forgedToken, securityConfigLines } from '../../examples/shop/tokens.ts';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import type { ChaosRunResult } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';

let toxiproxy: ManagedToxiproxy;
let work: string;
let config: string;
let shop: Shop;
let listen: string;
const badTokens: Record<string, string> = {};
const outputs: { what: string; text: string }[] = [];

beforeAll(async () => {
  toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-chaos-auth-'));
  listen = `127.0.0.1:${await freePort()}`;
  const traces = (name: string) => ({
    MSA_VERIFY_TRACES_FILE: path.join(work, `${name}.spans.jsonl`),
    MSA_VERIFY_CAPTURE_HEADERS: 'authorization',
  });
  shop = await startShop({
    rabbitmqUrl: serviceUrls().RABBITMQ_URL,
    messaging: uniqueMessaging('chaos-auth'),
    security: 'mtls',
    auth: true,
    preload: true,
    env: {
      identity: { IDENTITY_SHORT_TTL: '1' },
      gateway: { SHOP_AUTH_JWKS_URL: `https://${listen}/jwks`, ...traces('gateway') },
      orders: traces('orders'),
    },
  });
  config = path.join(work, 'msa-verify.config.yaml');
  await writeFile(
    config,
    [
      'version: 1',
      `toxiproxy: { url: "${toxiproxy.url}" }`,
      `pushgateway: { url: "${serviceUrls().PUSHGATEWAY_URL}", job: msav-chaos-auth }`,
      `chaos: { journalDir: "${path.join(work, 'journal')}", maxDuration: 1m }`,
      ...securityConfigLines(shop),
      '',
    ].join('\n'),
  );
  badTokens.MSAV_FORGED_TOKEN = await forgedToken(shop, await currentKid(shop));
  badTokens.MSAV_UNKNOWN_KEY_TOKEN = await forgedToken(shop, 'rotated-away');
  badTokens.MSAV_WRONG_AUDIENCE_TOKEN = await fetchToken(shop, 'shop-load', shop.identity!.otherAudience);
  badTokens.MSAV_EXPIRED_TOKEN = await fetchToken(shop, 'shop-short');
  await sleep(1500); // the shop-short token (1 s) is now expired
});

afterAll(async () => {
  await shop?.stop();
  await toxiproxy?.stop();
});

async function run(scenario: string, name: string, configFile = config) {
  const json = path.join(work, `${name}.json`);
  const junit = path.join(work, `${name}.xml`);
  const r = await runCli(['chaos', 'run', scenario, '--config', configFile, '--json', json, '--junit', junit], {
    env: {
      SHOP_CLIENT_SECRET: shop.identity!.clientSecret,
      IDENTITY_PROXY_LISTEN: listen,
      SHOP_IDENTITY_URL: shop.identity!.url,
      SHOP_GATEWAY_URL: shop.urls.gateway,
      ...badTokens,
    },
    timeoutMs: 90_000,
  });
  outputs.push({ what: `${name} stdout`, text: r.stdout }, { what: `${name} stderr`, text: r.stderr });
  for (const file of [json, junit]) {
    if (existsSync(file)) outputs.push({ what: path.basename(file), text: await readFile(file, 'utf8') });
  }
  const results = existsSync(json)
    ? (JSON.parse(await readFile(json, 'utf8')) as { results: ChaosRunResult[] }).results
    : [];
  const verdicts = results[0]?.phases.flatMap((p) => p.verdicts) ?? [];
  return { ...r, result: results[0], verdicts, failures: verdicts.filter((v) => !v.passed) };
}

describe('chaos/auth-*.yaml against the secured shop', () => {
  it('auth-tokens: valid tokens accepted; expired, forged, wrong-audience refused', async () => {
    const r = await run('chaos/auth-tokens.yaml', 'tokens');
    expect(
      r.failures.map((v) => `${v.name}: ${v.message}`),
      r.stderr,
    ).toEqual([]);
    expect(r.code).toBe(0);
    const refused = r.verdicts.filter((v) => v.type === 'rejected');
    expect(refused.map((v) => v.name)).toEqual([
      'expired tokens are refused',
      'forged tokens are refused',
      'wrong-audience tokens are refused',
    ]);
    for (const v of refused)
      expect(v.message).toMatch(/^all \d+ requests to POST \/api\/orders\?auth=[\w-]+ were refused \(401 x\d+\)\.$/);
  });

  it('auth-identity-down: the gateway fails closed while it cannot fetch the keys', async () => {
    const r = await run('chaos/auth-identity-down.yaml', 'identity-down');
    expect(
      r.failures.map((v) => `${v.phase}/${v.name}: ${v.message}`),
      r.stderr,
    ).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.result?.rolledBack).toBe(true);
    const down = r.verdicts.find((v) => v.phase === 'identity-down' && v.type === 'rejected');
    expect(down?.message).toMatch(/were refused \((503|401) x\d+/);
  });

  it('the skip-audience variant fails auth-tokens naming the accepted wrong-audience requests', async () => {
    await shop.stopService('gateway');
    await shop.startService('gateway', { GATEWAY_AUTH_AUDIENCE_CHECK: 'off' });
    try {
      const r = await run('chaos/auth-tokens.yaml', 'skip-audience');
      expect(r.code, r.stderr).toBe(1);
      expect(r.failures.map((v) => v.name)).toEqual(['wrong-audience tokens are refused']);
      expect(r.failures[0]!.message).toMatch(
        /^\d+ of \d+ requests to POST \/api\/orders\?auth=wrong-audience were accepted \(201 x\d+\): they should have been refused with 401\.$/,
      );
      expect(r.stdout).toContain('FAIL wrong-audience tokens are refused');
    } finally {
      await shop.stopService('gateway');
      await shop.startService('gateway', { GATEWAY_AUTH_AUDIENCE_CHECK: 'on' });
    }
  });

  it('without the client secret in the environment the run stops before any load (exit 2), rolled back', async () => {
    const r = await runCli(['chaos', 'run', 'chaos/auth-tokens.yaml', '--config', config], {
      env: {
        IDENTITY_PROXY_LISTEN: listen,
        SHOP_IDENTITY_URL: shop.identity!.url,
        SHOP_GATEWAY_URL: shop.urls.gateway,
      },
      timeoutMs: 60_000,
    });
    outputs.push({ what: 'no-secret stdout', text: r.stdout }, { what: 'no-secret stderr', text: r.stderr });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('auth.oauth2.clientSecretEnv: environment variable SHOP_CLIENT_SECRET is not set');
    const proxies = (await (await fetch(`${toxiproxy.url}/proxies`)).json()) as Record<string, unknown>;
    expect(Object.keys(proxies)).toEqual([]);
  });

  it('a short-lived token is replaced ahead of its expiry during the run: every valid request is accepted', async () => {
    // shop-short's tokens now live 4 s; with refreshBefore 2s each is replaced after about 2 s.
    await shop.stopService('identity');
    await shop.startService('identity', { IDENTITY_SHORT_TTL: '4' });
    const short = path.join(work, 'short-tokens.config.yaml');
    const text = (await readFile(config, 'utf8'))
      .replace('clientId: shop-load', 'clientId: shop-short')
      .replace('    scopes:', '    refreshBefore: 2s\n    scopes:');
    expect(text).toContain('refreshBefore: 2s');
    await writeFile(short, text);
    const r = await run('chaos/auth-tokens.yaml', 'short-tokens', short);
    expect(
      r.failures.map((v) => `${v.name}: ${v.message}`),
      r.stderr,
    ).toEqual([]);
    expect(r.code).toBe(0);
    const fetched = Number(/(\d+) access token\(s\) fetched during the run/.exec(r.stdout + r.stderr)?.[1]);
    expect(fetched, r.stderr).toBeGreaterThanOrEqual(2);
  });

  it('no secret in stdout, stderr, reports, Pushgateway metrics or spans', async () => {
    expect(outputs.length).toBeGreaterThanOrEqual(9);
    const metrics = await (await fetch(`${serviceUrls().PUSHGATEWAY_URL}/metrics`)).text();
    expect(metrics).toContain('job="msav-chaos-auth"');
    outputs.push({ what: 'pushgateway', text: metrics });
    const spans = ['gateway', 'orders'].map((name) => ({
      what: `${name} spans`,
      text: readFileSync(path.join(work, `${name}.spans.jsonl`), 'utf8'),
    }));
    // The header was captured (and redacted): the span check looked where a token would have been.
    expect(spans[0]!.text).toMatch(
      /"http\.request\.header\.authorization":\["REDACTED"\]|"http\.request\.header\.authorization":"REDACTED"/,
    );
    const secrets = [shop.identity!.clientSecret, ...Object.values(badTokens)];
    for (const { what, text } of [...outputs, ...spans]) {
      for (const secret of secrets) expect(text.includes(secret), `${what} contains a secret`).toBe(false);
      // Any access token of the identity service (JWT header with typ at+jwt) — msa-verify's own included.
      expect(/eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dC/.test(text), `${what} contains an access token`).toBe(false);
    }
  });
});
