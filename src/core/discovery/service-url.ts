import type { Config } from '../config/schema.js';
import { resolveDiscovery } from './resolve.js';

/**
 * The base URL of a configured service: its `url`, or the instance its registry
 * entry names now. Undefined for a service the config does not name.
 * @throws MsaVerifyError exit 3 when the registry or the entry is unavailable.
 */
export async function serviceUrl(config: Config, name: string): Promise<string | undefined> {
  const url = config.services[name]?.url;
  if (url === undefined || typeof url === 'string') return url;
  return (await resolveDiscovery(url.discovery, `services.${name}.url`)).url;
}
