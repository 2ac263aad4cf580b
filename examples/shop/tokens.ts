// Tokens for the tests and the demo of the secured shop (launcher `auth: true`): real ones from
// its identity service, and bad ones.
import https from 'node:https';
import path from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import type { Shop } from './launcher.ts';
import { clientTlsFiles, readTlsFiles } from './pki.ts';
import { ROOT } from './service-process.ts';

/** msa-verify's client certificate and the test CA (PEM contents). */
export const clientTls = readTlsFiles(clientTlsFiles());

/**
 * An access token for one of the identity service's clients (client
 * credentials, client_secret_basic) with the client's scopes, optionally for
 * another `resource`.
 */
export function fetchToken(
  shop: Pick<Shop, 'identity'>,
  clientId: 'shop-load' | 'shop-reader' | 'shop-short',
  resource?: string,
): Promise<string> {
  const identity = shop.identity!;
  const scope = clientId === 'shop-reader' ? 'orders:read' : 'orders:read orders:write';
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope });
  if (resource) form.set('resource', resource);
  return new Promise((resolve, reject) => {
    const req = https.request(
      identity.tokenUrl,
      {
        ...clientTls,
        agent: false,
        method: 'POST',
        auth: `${clientId}:${identity.clientSecret}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { access_token?: string };
          if (res.statusCode === 200 && body.access_token) resolve(body.access_token);
          else reject(new Error(`${identity.tokenUrl} answered ${res.statusCode} for ${clientId}`));
        });
      },
    );
    req.on('error', reject);
    req.end(form.toString());
  });
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

/**
 * The `tls` and `auth` blocks of an msa-verify config for this shop: the test
 * CA, msa-verify's client certificate (unless `clientCert` is false), and
 * OAuth2 client credentials of `shop-load` with the secret in
 * SHOP_CLIENT_SECRET (unless `auth` is false). YAML lines.
 */
export function securityConfigLines(shop: Shop, options: { clientCert?: boolean; auth?: boolean } = {}): string[] {
  const tls = clientTlsFiles();
  const lines = [
    options.clientCert === false
      ? `tls: { ca: "${tls.ca}" }`
      : `tls: { ca: "${tls.ca}", cert: "${tls.cert}", key: "${tls.key}" }`,
  ];
  if (options.auth === false || !shop.identity) return lines;
  return [
    ...lines,
    'auth:',
    '  oauth2:',
    `    tokenUrl: ${shop.identity.tokenUrl}`,
    '    clientId: shop-load',
    '    clientSecretEnv: SHOP_CLIENT_SECRET',
    '    scopes: [orders:read, orders:write]',
  ];
}

/**
 * A `contracts` section verifying orders against the committed gateway → orders
 * pact (its provider states need no set-up on a running shop). With `messages`,
 * also the delivery → orders message pact, produced by the running orders through
 * RabbitMQ (contracts/providers/orders.ts places the order over the config's
 * tls/auth; RABBITMQ_URL and SHOP_EXCHANGE must name the shop's broker and exchange). YAML lines.
 */
export function ordersProviderConfigLines(options: { messages?: boolean } = {}): string[] {
  const pact = (name: string) => `"${path.join(ROOT, 'contracts/pacts', name)}"`;
  if (options.messages) {
    return [
      'contracts:',
      '  providers:',
      '    orders:',
      '      service: orders',
      `      module: "${path.join(ROOT, 'contracts/providers/orders.ts')}"`,
      '      transport: rabbitmq',
      `      pactUrls: [${pact('gateway-orders.json')}, ${pact('delivery-orders.json')}]`,
    ];
  }
  return [
    'contracts:',
    '  providers:',
    '    orders:',
    '      service: orders',
    `      pactUrls: [${pact('gateway-orders.json')}]`,
    "      statesWithoutSetup: ['products exist', 'product does not exist']",
  ];
}
