import type { Config } from '../config/schema.js';
import type { AuthSettings, TlsSettings } from '../config/security.js';
import { type ClientTls, loadClientTls } from './client-tls.js';
import { createTokenSource, type TokenSource } from './token-source.js';

/** How to reach one target: TLS material and credentials, each optional. */
export interface TargetSecurity {
  readonly tls?: ClientTls;
  readonly auth?: TokenSource;
  /** Where the settings came from, e.g. `services.gateway` or the top level. */
  readonly from: string;
}

/** Explicit settings that win over the config's (e.g. a contracts provider's). */
export interface SecurityOverride {
  readonly tls?: TlsSettings;
  readonly auth?: AuthSettings;
  readonly where: string;
}

function origin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * The security settings for requests to `url`: `override` first, then the
 * service of the config with the same origin (scheme, host, port), then the
 * config's top-level `tls`/`auth`. Top-level `tls` applies to https: URLs
 * only. Undefined config: nothing.
 */
export function securityFor(
  config: Config | undefined,
  baseDir: string,
  url: string,
  options: { override?: SecurityOverride; env?: NodeJS.ProcessEnv } = {},
): TargetSecurity {
  const target = origin(url);
  const service = Object.entries(config?.services ?? {}).find(
    ([, s]) => typeof s.url === 'string' && origin(s.url) === target,
  );
  const pick = <K extends 'tls' | 'auth'>(key: K) => {
    if (options.override?.[key]) return { value: options.override[key], where: `${options.override.where}.${key}` };
    if (service?.[1][key]) return { value: service[1][key], where: `services.${service[0]}.${key}` };
    if (config?.[key]) return { value: config[key], where: key };
    return undefined;
  };
  const tls = url.startsWith('https:') ? pick('tls') : undefined;
  const auth = pick('auth');
  const from = options.override?.where ?? (service ? `services.${service[0]}` : '(top level)');
  const tlsMaterial = tls ? loadClientTls(tls.value as TlsSettings, baseDir, tls.where) : undefined;
  return {
    ...(tlsMaterial ? { tls: tlsMaterial } : {}),
    ...(auth
      ? {
          auth: createTokenSource(auth.value as AuthSettings, {
            where: auth.where,
            ...(options.env ? { env: options.env } : {}),
            // The token endpoint is trusted like the services (same CA and client certificate).
            ...(tlsMaterial ? { tls: tlsMaterial } : config?.tls ? { tls: loadClientTls(config.tls, baseDir) } : {}),
          }),
        }
      : {}),
    from,
  };
}
