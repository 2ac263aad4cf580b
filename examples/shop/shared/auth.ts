// Access-token checks of the shop (SHOP_AUTH=jwt): the bearer token must be a
// JWT signed by a key of the identity service's JWKS (fetched over the
// service's own TLS), from SHOP_AUTH_ISSUER, not expired, and (unless the
// caller skips it) for SHOP_AUTH_AUDIENCE. Fails closed: a token that cannot be
// checked because the keys cannot be had is `unavailable` (503), never accepted.
import type { IncomingMessage } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify } from 'jose';
import { choiceEnv, EnvError, stringEnv, urlEnv } from './env.ts';
import { agentFor, type Security } from './tls.ts';

/** What the shop's services check in a token. */
export interface AuthSettings {
  issuer: string;
  jwksUrl: string;
  /** Undefined: no audience check (the gateway's broken variant, or orders, which trusts the gateway's). */
  audience: string | undefined;
}

/** The outcome of checking a request's token. */
export type TokenCheck =
  | { kind: 'ok'; claims: JWTPayload; scopes: readonly string[] }
  | { kind: 'unauthorized'; reason: string }
  | { kind: 'unavailable'; reason: string };

/** Reads SHOP_AUTH (jwt | off; default off) and its settings; undefined when off. */
export function readAuth(checkAudience: boolean): AuthSettings | undefined {
  if (choiceEnv('SHOP_AUTH', ['jwt', 'off'], 'off') === 'off') return undefined;
  const issuer = stringEnv('SHOP_AUTH_ISSUER', '');
  const audience = stringEnv('SHOP_AUTH_AUDIENCE', '');
  if (issuer === '' || audience === '') {
    throw new EnvError('SHOP_AUTH=jwt needs SHOP_AUTH_ISSUER and SHOP_AUTH_AUDIENCE');
  }
  return {
    issuer,
    jwksUrl: urlEnv('SHOP_AUTH_JWKS_URL', `${issuer}/jwks`),
    audience: checkAudience ? audience : undefined,
  };
}

// jose asks for the JWKS with fetch; the identity service may need this service's client certificate.
function fetchThrough(security: Security, jwksUrl: string) {
  const agent = agentFor(security, jwksUrl);
  return (url: string, init: { signal: AbortSignal }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const get = url.startsWith('https:') ? https.get : http.get;
      const req = get(url, { signal: init.signal, ...(agent ? { agent } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500 })));
      });
      req.on('error', reject);
    });
}

// Problems of the token itself (401); anything else (keys unreachable, timeouts) is the identity service's (503).
const TOKEN_PROBLEMS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/** A checker of `Authorization: Bearer` tokens against `settings`. */
export function createTokenChecker(
  settings: AuthSettings,
  security: Security,
): (req: IncomingMessage) => Promise<TokenCheck> {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
    timeoutDuration: 2000,
    cooldownDuration: 1000,
    [customFetch]: fetchThrough(security, settings.jwksUrl),
  });
  return async (req) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([\w.~+/=-]+)$/i.exec(header);
    if (!match) return { kind: 'unauthorized', reason: header === '' ? 'missing_token' : 'malformed_authorization' };
    try {
      const { payload } = await jwtVerify(match[1]!, keys, {
        issuer: settings.issuer,
        ...(settings.audience === undefined ? {} : { audience: settings.audience }),
        algorithms: ['RS256'],
        typ: 'at+jwt',
        requiredClaims: ['exp'],
      });
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
      return { kind: 'ok', claims: payload, scopes };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (error instanceof errors.JWTExpired) return { kind: 'unauthorized', reason: 'token_expired' };
      if (error instanceof errors.JWTClaimValidationFailed) {
        return { kind: 'unauthorized', reason: `bad_claim_${error.claim}` };
      }
      if (TOKEN_PROBLEMS.has(code)) return { kind: 'unauthorized', reason: code.slice(4).toLowerCase() };
      return { kind: 'unavailable', reason: code === 'ERR_JWKS_TIMEOUT' ? 'jwks_timeout' : 'jwks_unreachable' };
    }
  };
}
