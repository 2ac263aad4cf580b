// `placement: registry`: callers that find their dependency through the registry
// are put on the proxy's path by rewriting the dependency's entry to the proxy's
// listen address, so no caller is restarted. The rewrite keeps the entry's
// lease: the re-pointed entry lives exactly as long as the instance keeps its
// registration alive (and the guard re-points a re-registration).

import { rewriteEntry } from '../../core/discovery/entry-value.js';
import { EtcdClient } from '../../core/discovery/etcd-client.js';
import { describeDiscovery } from '../../core/discovery/schema.js';
import { MsaVerifyError } from '../../core/errors.js';
import type { RunContext } from '../runner/run-context.js';
import type { ChaosSession } from '../toxiproxy/session.js';
import type { RepointedEntry } from './guard.js';

/**
 * Re-points the entry of every `placement: registry` proxy at its listen
 * address, each journalled before the swap.
 * @throws MsaVerifyError exit 3 when the entry's lease has expired or the entry changed since it was read.
 */
export async function repointEntries(context: RunContext, session: ChaosSession): Promise<RepointedEntry[]> {
  const repointed: RepointedEntry[] = [];
  for (const p of context.plan.scenario.proxies) {
    if (p.placement !== 'registry') continue;
    const resolved = context.addresses.entries.get(p.name);
    if (!resolved) continue; // the schema requires a discovery upstream for this placement
    const { discovery, entry } = resolved;
    const where = `${context.plan.file}: proxy ${p.name}: ${describeDiscovery(discovery)}`;
    if (entry.lease !== '0') {
      const ttl = await new EtcdClient(discovery.etcd.url).leaseTtl(entry.lease);
      if (ttl <= 0) {
        throw new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `${where}: the entry's lease has expired`);
      }
      context.note(
        `proxy ${p.name}: registry entry ${discovery.key} has lease ${entry.lease} (${ttl}s left, renewed by its owner); ` +
          're-pointed keeping that lease',
      );
    }
    const replacementB64 = Buffer.from(rewriteEntry(entry.value, p.listen), 'utf8').toString('base64');
    const swapped = await session.repointEntry({
      url: discovery.etcd.url,
      key: discovery.key,
      originalB64: entry.valueB64,
      replacementB64,
    });
    if (!swapped) {
      throw new MsaVerifyError(
        'MSAV_COMPONENT_UNAVAILABLE',
        `${where}: the entry changed between reading and re-pointing it; nothing was changed, run again`,
      );
    }
    repointed.push({
      proxy: p.name,
      url: discovery.etcd.url,
      key: discovery.key,
      instance: resolved.hostPort,
      listen: p.listen,
      replacementB64,
      original: { valueB64: entry.valueB64, lease: entry.lease },
    });
  }
  return repointed;
}
