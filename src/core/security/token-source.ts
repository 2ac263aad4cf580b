// Credentials for secured services: a bearer token from an environment
// variable, or OAuth2 client credentials fetched from a token endpoint and
// replaced before they expire. Secrets stay inside: errors name the variable,
// the endpoint and the OAuth2 error code, never a secret or a token.
//
//   start() -> token (cached) -> keepFresh(signal): timer at expiry - refreshBefore -> fetch again
import type { AuthSettings } from '../config/security.js';
import { parseDuration } from '../duration.js';
import { MsaVerifyError } from '../errors.js';
import { describeNetError } from '../probe.js';
import type { ClientTls } from './client-tls.js';
import { sendRequest } from './request.js';

/** A source of `Authorization` header values. */
export interface TokenSource {
  /** The header value (`Bearer …`), fetching a token first when there is none or it is about to expire. */
  authorization(): Promise<string>;
  /** The current header value without waiting (after {@link authorization} resolved once). */
  current(): string;
  /** Refreshes the token ahead of its expiry until `signal` aborts (for long runs). */
  keepFresh(signal: AbortSignal): void;
  /** Every secret this source holds (client secret, tokens so far), for tests and scrubbing. */
  secrets(): readonly string[];
  /** Tokens fetched from the endpoint so far (0 for a bearer token). */
  readonly fetched: number;
}

/** Options of {@link createTokenSource}. */
export interface TokenSourceOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** TLS towards the token endpoint. */
  readonly tls?: ClientTls;
  /** Where the settings are, for messages, e.g. `services.gateway.auth`. */
  readonly where?: string;
  /** Clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
}

/**
 * Builds the token source for `auth`. Nothing is read or fetched until the
 * first {@link TokenSource.authorization} (so offline validation needs no
 * secret); that call rejects with `MSAV_USAGE` (exit 2) when the variable is unset.
 */
export function createTokenSource(auth: AuthSettings, options: TokenSourceOptions = {}): TokenSource {
  const env = options.env ?? process.env;
  const where = options.where ?? 'auth';
  const readEnv = (name: string, field: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new MsaVerifyError('MSAV_USAGE', `${where}.${field}: environment variable ${name} is not set`);
    }
    return value;
  };
  if ('bearer' in auth) {
    let token: string | undefined;
    const header = (): string => {
      token ??= readEnv(auth.bearer.env, 'bearer.env');
      return `Bearer ${token}`;
    };
    return {
      authorization: () => Promise.resolve().then(header),
      current: header,
      keepFresh: () => undefined,
      secrets: () => (token === undefined ? [] : [token]),
      fetched: 0,
    };
  }
  const { oauth2 } = auth;
  return oauth2Source(oauth2, () => readEnv(oauth2.clientSecretEnv, 'oauth2.clientSecretEnv'), where, options);
}

interface Held {
  token: string;
  /** Epoch ms after which the token is replaced. */
  refreshAt: number;
}

function oauth2Source(
  settings: Extract<AuthSettings, { oauth2: unknown }>['oauth2'],
  readSecret: () => string,
  where: string,
  options: TokenSourceOptions,
): TokenSource {
  const now = options.now ?? Date.now;
  const refreshBeforeMs = parseDuration(settings.refreshBefore);
  const tokens: string[] = [];
  let held: Held | undefined;
  let inFlight: Promise<Held> | undefined;
  let fetched = 0;
  let secret: string | undefined;

  const fetchToken = async (): Promise<Held> => {
    secret ??= readSecret();
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (settings.scopes.length > 0) form.set('scope', settings.scopes.join(' '));
    if (settings.resource) form.set('resource', settings.resource);
    const basic = Buffer.from(`${encodeURIComponent(settings.clientId)}:${encodeURIComponent(secret)}`).toString(
      'base64',
    );
    const asked = now();
    let answer: Awaited<ReturnType<typeof sendRequest>>;
    try {
      answer = await sendRequest(settings.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        timeoutMs: 10_000,
        ...(options.tls ? { tls: options.tls } : {}),
      });
    } catch (cause) {
      throw new MsaVerifyError(
        'MSAV_TARGET_UNREACHABLE',
        `${where}: token endpoint ${settings.tokenUrl} is unreachable: ${describeNetError(cause)}`,
        { cause },
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {};
    try {
      body = JSON.parse(answer.text) as typeof body;
    } catch {
      // reported below as an answer without a token
    }
    if (answer.status !== 200 || typeof body.access_token !== 'string' || body.access_token === '') {
      const code = typeof body.error === 'string' ? ` (${body.error.replace(/[^\w.-]/g, '').slice(0, 40)})` : '';
      throw new MsaVerifyError(
        'MSAV_AUTH_FAILED',
        `${where}: token endpoint ${settings.tokenUrl} answered ${answer.status}${code} without an access token for client ${settings.clientId}`,
      );
    }
    fetched += 1;
    tokens.push(body.access_token);
    // Unknown lifetime: keep it for a minute. Otherwise replace it refreshBefore ahead of its expiry, but
    // never more than half its life ahead (a short-lived token is not fetched again and again).
    const lifeMs = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 60_000;
    return { token: body.access_token, refreshAt: asked + lifeMs - Math.min(refreshBeforeMs, lifeMs / 2) };
  };

  const refresh = (): Promise<Held> => {
    inFlight ??= fetchToken().then(
      (h) => {
        held = h;
        inFlight = undefined;
        return h;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };

  return {
    async authorization() {
      const h = held !== undefined && now() < held.refreshAt ? held : await refresh();
      return `Bearer ${h.token}`;
    },
    current() {
      if (held === undefined) throw new Error('current() before the first authorization()');
      return `Bearer ${held.token}`;
    },
    keepFresh(signal) {
      let timer: NodeJS.Timeout | undefined;
      const schedule = (): void => {
        if (signal.aborted || held === undefined) return;
        timer = setTimeout(
          () => {
            // A failed refresh keeps the old token until it is refused; try again in a second.
            refresh().then(schedule, () => {
              if (!signal.aborted) timer = setTimeout(schedule, 1000);
            });
          },
          Math.max(0, held.refreshAt - now()),
        );
        timer.unref?.();
      };
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      schedule();
    },
    secrets: () => [...(secret === undefined ? [] : [secret]), ...tokens],
    get fetched() {
      return fetched;
    },
  };
}
