import { MsaVerifyError } from '../errors.js';
import { type EntryAddress, entryAddress } from './entry-value.js';
import { EtcdCallError, EtcdClient, type EtcdEntry } from './etcd-client.js';
import { type Discovery, describeDiscovery } from './schema.js';

/** A registry reference resolved to the instance it names right now. */
export interface ResolvedEntry extends EntryAddress {
  readonly discovery: Discovery;
  /** The entry as read, for a later compare-and-swap and an exact restore. */
  readonly entry: EtcdEntry;
}

/**
 * Reads the entry a reference names.
 * @param field the field that holds the reference (for messages), e.g. `proxies.0.upstream`.
 * @throws MsaVerifyError `MSAV_COMPONENT_UNAVAILABLE` (exit 3) when etcd is unreachable, the key is
 *   missing, or its value names no address.
 */
export async function resolveDiscovery(d: Discovery, field: string): Promise<ResolvedEntry> {
  let entry: EtcdEntry | null;
  try {
    entry = await new EtcdClient(d.etcd.url).get(d.key);
  } catch (error) {
    if (!(error instanceof EtcdCallError)) throw error;
    throw new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `${field}: ${error.message}`, { cause: error });
  }
  if (!entry) {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `${field}: no registry entry at ${describeDiscovery(d)} (is the service running and registered?)`,
    );
  }
  const address = entryAddress(entry.value);
  if (!address) {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `${field}: the entry at ${describeDiscovery(d)} names no address: ${JSON.stringify(entry.value.slice(0, 120))} ` +
        '(expected a URL, host:port, or JSON with a "url" field)',
    );
  }
  return { ...address, discovery: d, entry };
}
