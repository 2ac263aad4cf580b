// identity: the shop's OpenID Connect provider (oidc-provider, a certified
// implementation), issuing OAuth2 client-credentials access tokens as signed
// JWTs for the shop's API (audience IDENTITY_AUDIENCE):
//   POST /token (client_secret_basic) -> {access_token, expires_in, token_type}
//   GET  /jwks                        -> the public signing key
//   GET  /.well-known/openid-configuration
// Clients (one secret, IDENTITY_CLIENT_SECRET): `shop-load` (orders:read
// orders:write), `shop-reader` (orders:read), `shop-short` (like shop-load, but
// its tokens live IDENTITY_SHORT_TTL seconds: expired tokens for tests). Tokens
// for the resource IDENTITY_OTHER_AUDIENCE are issued too: a valid token for
// another API, which the shop must refuse.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { EnvError, intEnv, readConfigOrExit, stringEnv } from '../shared/env.ts';
import { sendJson } from '../shared/http.ts';
import { closeServer, handleShutdown, listen } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/logger.ts';
import { createServer, describeSecurity, readSecurity } from '../shared/tls.ts';

const logger = createLogger('identity');
const config = readConfigOrExit(logger, () => {
  const secret = stringEnv('IDENTITY_CLIENT_SECRET', '');
  if (secret === '') throw new EnvError('IDENTITY_CLIENT_SECRET is not set: the clients need a secret');
  return {
    secret,
    audience: stringEnv('IDENTITY_AUDIENCE', 'https://shop.example/api'),
    otherAudience: stringEnv('IDENTITY_OTHER_AUDIENCE', 'https://other.example/api'),
    ttl: intEnv('IDENTITY_TOKEN_TTL', 300, 1, 86_400),
    shortTtl: intEnv('IDENTITY_SHORT_TTL', 1, 1, 3600),
    security: readSecurity(),
  };
});
logger.info({ audience: config.audience, ttl: config.ttl, ...describeSecurity(config.security) }, 'configured');

const SCOPES = 'orders:read orders:write';
// A fresh signing key per start: tokens from an earlier run are forged from the shop's point of view.
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
const server = createServer(config.security, (req, res) => {
  if (req.url === '/health') return sendJson(res, 200, { status: 'ok' });
  if (handler === undefined) return sendJson(res, 503, { error: 'starting' });
  handler(req, res);
});
handleShutdown(logger, () => closeServer(server));
await listen(server, logger);

const { port } = server.address() as AddressInfo;
const issuer = `${config.security.kind === 'mtls' ? 'https' : 'http'}://127.0.0.1:${port}`;
const client = (clientId: string, scope: string) => ({
  client_id: clientId,
  client_secret: config.secret,
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope,
});
const provider = new Provider(issuer, {
  clients: [client('shop-load', SCOPES), client('shop-reader', 'orders:read'), client('shop-short', SCOPES)],
  // A new key id with every key, so that checkers holding the old set fetch the new one.
  jwks: { keys: [{ ...signingKey, kid: `shop-${randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256' }] },
  scopes: ['orders:read', 'orders:write'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource, asking) => {
        if (resource !== config.audience && resource !== config.otherAudience) {
          throw new Provider.errors.InvalidTarget(`unknown resource ${resource}`);
        }
        return {
          scope: SCOPES,
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: asking.clientId === 'shop-short' ? config.shortTtl : config.ttl,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
});
provider.on('server_error', (_ctx, err) => logger.error({ err }, 'provider error'));
provider.on('grant.error', (_ctx, err) => logger.warn({ error: (err as { error?: string }).error }, 'token refused'));
handler = provider.callback();
logger.info({ issuer }, 'issuing tokens');
