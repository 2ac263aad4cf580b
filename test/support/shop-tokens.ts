// Tokens for tests of the secured shop (launcher `auth: true`): real ones from
// its identity service through msa-verify's token source, and bad ones.
import https from 'node:https';
import { generateKeyPair, SignJWT } from 'jose';
import type { Shop } from '../../examples/shop/launcher.ts';
import { clientTlsFiles, readTlsFiles } from '../../examples/shop/pki.ts';
import { createTokenSource, type TokenSource } from '../../src/core/security/index.js';

/** msa-verify's client certificate and the test CA (PEM contents). */
export const clientTls = readTlsFiles(clientTlsFiles());

/** An OAuth2 client-credentials token source for one of the identity service's clients. */
export function tokenSource(
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
    { env: { SHOP_CLIENT_SECRET: identity.clientSecret }, tls: clientTls },
  );
}

/** The key id the identity service signs with now (from its JWKS). */
export function currentKid(shop: Shop): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(`${shop.identity!.url}/jwks`, { ...clientTls, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const jwks = JSON.parse(Buffer.concat(chunks).toString()) as { keys: { kid: string }[] };
          resolve(jwks.keys[0]!.kid);
        });
      })
      .on('error', reject);
  });
}

/** A token that looks right (issuer, audience, `kid`, typ) but is signed with a key the identity service never had. */
export async function forgedToken(shop: Shop, kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({ scope: 'orders:read orders:write', client_id: 'shop-load' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
    .setIssuer(shop.identity!.url)
    .setAudience(shop.identity!.audience)
    .setSubject('shop-load')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

/** Strips `Bearer `. */
export function bare(authorization: string): string {
  return authorization.replace(/^Bearer /, '');
}
