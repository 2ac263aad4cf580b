import type { MsaVerifyError } from '../../core/errors.js';

/** A configured request header: a fixed value, or one read from the environment. */
export type RequestHeaderSpec = string | { readonly env: string; readonly prefix?: string };

/**
 * Resolves `contracts.providers.<name>.requestHeaders` to header values.
 * @param fail makes the error for a header whose variable is unset or empty.
 * @throws what `fail` returns.
 */
export function resolveRequestHeaders(
  specs: Readonly<Record<string, RequestHeaderSpec>>,
  env: NodeJS.ProcessEnv,
  fail: (header: string, message: string) => MsaVerifyError,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (typeof spec === 'string') {
      out[name] = spec;
      continue;
    }
    const value = env[spec.env];
    if (!value) throw fail(name, `environment variable ${spec.env} is not set`);
    out[name] = `${spec.prefix ?? ''}${value}`;
  }
  return out;
}

/**
 * The secrets a verification may come across, to be removed from every
 * output: the broker token and password, and request header values read from
 * the environment.
 */
export function verificationSecrets(
  config: {
    readonly broker?: { readonly tokenEnv: string; readonly username?: string; readonly passwordEnv: string };
    readonly contracts?: {
      readonly providers: Readonly<
        Record<string, { readonly requestHeaders: Readonly<Record<string, RequestHeaderSpec>> }>
      >;
    };
  },
  env: NodeJS.ProcessEnv,
): string[] {
  const names: string[] = [];
  if (config.broker) names.push(config.broker.tokenEnv);
  if (config.broker?.username) names.push(config.broker.passwordEnv);
  for (const p of Object.values(config.contracts?.providers ?? {})) {
    for (const h of Object.values(p.requestHeaders)) if (typeof h !== 'string') names.push(h.env);
  }
  return [...new Set(names.map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length > 0))];
}
