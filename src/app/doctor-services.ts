import type { LoadConfigResult } from '../core/config/load.js';
import { isMsaVerifyError } from '../core/errors.js';
import { describeNetError } from '../core/probe.js';
import { securityFor, sendRequest } from '../core/security/index.js';
import type { ComponentStatus } from './doctor.js';

/**
 * Probes each service of the config that msa-verify reaches securely (an
 * https: URL, or `auth`): its health path with the client certificate and,
 * with `auth`, a token fetched as the load would. Details name what was
 * proven (TLS handshake with a client certificate, a token from the
 * endpoint) and never a secret.
 */
export async function probeSecuredServices(
  loaded: LoadConfigResult,
  env: NodeJS.ProcessEnv,
): Promise<ComponentStatus[]> {
  const { config, baseDir } = loaded;
  // A service found through a registry has its own line (its entry); its address is known only when resolved.
  const secured = Object.entries(config.services).flatMap(([name, s]) =>
    typeof s.url === 'string' && (s.url.startsWith('https:') || s.auth !== undefined || config.auth !== undefined)
      ? [[name, { ...s, url: s.url }] as const]
      : [],
  );
  return Promise.all(
    secured.map(async ([name, service]): Promise<ComponentStatus> => {
      const label = `service ${name}`;
      const url = new URL(service.health, `${service.url.replace(/\/+$/, '')}/`).href;
      try {
        const security = securityFor(config, baseDir, service.url, { env });
        const headers: Record<string, string> = {};
        if (security.auth) headers.authorization = await security.auth.authorization();
        const answer = await sendRequest(url, {
          headers,
          timeoutMs: 3000,
          ...(security.tls ? { tls: security.tls } : {}),
        });
        const how = [
          url.startsWith('https:') ? (security.tls?.cert ? 'TLS with client certificate' : 'TLS') : 'plain http',
          ...(security.auth ? [security.auth.fetched > 0 ? 'OAuth2 token' : 'bearer token'] : []),
        ].join(', ');
        const ok = answer.status >= 200 && answer.status < 300;
        return { name: label, needed: true, ok, detail: `${how}: HTTP ${answer.status} from ${url}` };
      } catch (error) {
        const why = isMsaVerifyError(error) ? error.message : `${url}: ${describeNetError(error)}`;
        return { name: label, needed: true, ok: false, detail: why };
      }
    }),
  );
}
