// The shop with its identity service (oidc-provider) and SHOP_AUTH=jwt, all over
// mTLS: msa-verify's OAuth2 client-credentials token source gets real JWT
// access tokens; the gateway checks signature (JWKS), issuer, audience and
// expiry, orders the write scope. Negatives: no, forged, expired and
// wrong-audience tokens are refused; the skip-audience variant takes the
// wrong-audience one; with the identity service down the gateway fails closed.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Shop, startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { currentKid, forgedToken, clientTls as tls } from '../../examples/shop/tokens.ts';
import { createTokenSource, type TokenSource } from '../../src/core/security/index.js';

/** msa-verify's OAuth2 client-credentials token source for one of the identity service's clients. */
function tokenSource(
  shop: Shop,
  clientId: 'shop-load' | 'shop-reader' | 'shop-short',
  extra: { resource?: string; refreshBefore?: string } = {},
): TokenSource {
  const identity = shop.identity!;
  return createTokenSource(
    {
      oauth2: {
        tokenUrl: identity.tokenUrl,
        clientId,
        clientSecretEnv: 'SHOP_CLIENT_SECRET',
        scopes: clientId === 'shop-reader' ? ['orders:read'] : ['orders:read', 'orders:write'],
        refreshBefore: extra.refreshBefore ?? '30s',
        ...(extra.resource ? { resource: extra.resource } : {}),
      },
    },
    { env: { SHOP_CLIENT_SECRET: identity.clientSecret }, tls },
  );
}

import { serviceUrls } from '../support/services.js';
import { anOrder } from './shop-support.js';

function post(url: string, authorization?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(anOrder());
    const req = https.request(
      url,
      {
        ...tls,
        agent: false,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function startSecured(name: string, gateway: Record<string, string> = {}): Promise<Shop> {
  return startShop({
    rabbitmqUrl: serviceUrls().RABBITMQ_URL,
    messaging: uniqueMessaging(name),
    security: 'mtls',
    auth: true,
    env: { identity: { IDENTITY_SHORT_TTL: '1' }, gateway },
  });
}

describe('the shop requiring access tokens from its identity service', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startSecured('shop-auth');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('takes an order with a client-credentials token fetched by msa-verify', async () => {
    const source = tokenSource(shop, 'shop-load');
    const authorization = await source.authorization();
    expect(authorization).toMatch(/^Bearer eyJ/);
    expect(source.fetched).toBe(1);
    const answer = await post(`${shop.urls.gateway}/api/orders`, authorization);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  });

  it('refuses a request without a token, a forged, an expired and a wrong-audience token (401, naming why)', async () => {
    const url = `${shop.urls.gateway}/api/orders`;
    expect(await post(url)).toEqual({ status: 401, body: { error: 'invalid_token', reason: 'missing_token' } });
    const forged = await post(url, `Bearer ${await forgedToken(shop, await currentKid(shop))}`);
    expect(forged).toEqual({
      status: 401,
      body: { error: 'invalid_token', reason: 'jws_signature_verification_failed' },
    });
    const short = await tokenSource(shop, 'shop-short').authorization();
    await new Promise((r) => setTimeout(r, 2100));
    expect(await post(url, short)).toEqual({ status: 401, body: { error: 'invalid_token', reason: 'token_expired' } });
    const other = await tokenSource(shop, 'shop-load', { resource: shop.identity!.otherAudience }).authorization();
    expect(await post(url, other)).toEqual({ status: 401, body: { error: 'invalid_token', reason: 'bad_claim_aud' } });
  });

  it('orders refuses a write without the orders:write scope (403)', async () => {
    const reader = await tokenSource(shop, 'shop-reader').authorization();
    const answer = await post(`${shop.urls.gateway}/api/orders`, reader);
    expect(answer).toEqual({ status: 403, body: { error: 'insufficient_scope', scope: 'orders:write' } });
  });

  it('a wrong client secret is MSAV_AUTH_FAILED naming the endpoint and client, never the secret', async () => {
    const bad = createTokenSource(
      {
        oauth2: {
          tokenUrl: shop.identity!.tokenUrl,
          clientId: 'shop-load',
          clientSecretEnv: 'S',
          scopes: [],
          refreshBefore: '30s',
        },
      },
      { env: { S: 'not-the-secret-4711' }, tls },
    );
    const error = await bad.authorization().catch((e: Error & { code?: string }) => e);
    expect(error).toMatchObject({ code: 'MSAV_AUTH_FAILED' });
    expect((error as Error).message).toBe(
      `auth: token endpoint ${shop.identity!.tokenUrl} answered 401 (invalid_client) without an access token for client shop-load`,
    );
    expect((error as Error).message).not.toContain('not-the-secret-4711');
  });

  it('keeps a short-lived token fresh during a long run', async () => {
    await shop.stopService('identity');
    await shop.startService('identity', { IDENTITY_SHORT_TTL: '3' });
    const source = tokenSource(shop, 'shop-short', { refreshBefore: '1s' });
    await source.authorization();
    const stop = new AbortController();
    source.keepFresh(stop.signal);
    const seen = new Set<string>();
    try {
      // 5 s of requests with whatever token the source holds: each one is accepted.
      for (let i = 0; i < 10; i++) {
        const current = source.current();
        seen.add(current);
        const answer = await post(`${shop.urls.gateway}/api/orders`, current);
        expect(answer.status, `request ${i}: ${JSON.stringify(answer.body)}`).toBe(201);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      stop.abort();
    }
    expect(source.fetched).toBeGreaterThanOrEqual(3);
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  it('with the identity service down the gateway fails closed: 503 when it cannot get the keys, never 200', async () => {
    const valid = await tokenSource(shop, 'shop-load').authorization();
    const forged = await forgedToken(shop, await currentKid(shop));
    await shop.stopService('identity');
    try {
      // A fresh gateway has no keys yet: even a token that was valid cannot be checked.
      await shop.stopService('gateway');
      await shop.startService('gateway');
      const url = `${shop.urls.gateway}/api/orders`;
      expect(await post(url, valid)).toMatchObject({ status: 503, body: { error: 'auth_unavailable' } });
      expect(await post(url, `Bearer ${forged}`)).toMatchObject({ status: 503 });
      expect(await post(url)).toMatchObject({ status: 401 });
    } finally {
      await shop.startService('identity');
    }
  });
});

describe('the broken variant: a gateway that skips the audience check', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startSecured('shop-auth-noaud', { GATEWAY_AUTH_AUDIENCE_CHECK: 'off' });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('takes a token issued for another API', async () => {
    const other = await tokenSource(shop, 'shop-load', { resource: shop.identity!.otherAudience }).authorization();
    const answer = await post(`${shop.urls.gateway}/api/orders`, other);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  });
});
