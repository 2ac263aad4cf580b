// Addresses given as registry references are read when the run starts, not
// when the scenario is validated (validate stays offline), and what they name
// must pass chaos.allowTargets like any address written in the file.
import { targetAllowed } from '../../core/allow-list.js';
import { resolveSrv } from '../../core/discovery/dns.js';
import { type ResolvedEntry, resolveDiscovery } from '../../core/discovery/resolve.js';
import { describeDiscovery } from '../../core/discovery/schema.js';
import { MsaVerifyError } from '../../core/errors.js';
import type { RunPlan } from './plan.js';

/** The scenario's addresses as they are for this run. */
export interface ResolvedAddresses {
  /** Base URL of the load. */
  readonly target: string;
  /** Scenario proxy name -> `host:port` of its upstream. */
  readonly upstreams: ReadonlyMap<string, string>;
  /** Scenario proxy name -> the registry entry its upstream came from (every `discovery` upstream). */
  readonly entries: ReadonlyMap<string, ResolvedEntry>;
}

/**
 * Resolves the load target and the upstreams.
 * @throws MsaVerifyError exit 3 when a registry or entry is unavailable; `MSAV_TARGET_NOT_ALLOWED`
 *   (exit 2) when an entry names an address outside `chaos.allowTargets`.
 */
export async function resolveAddresses(plan: RunPlan): Promise<ResolvedAddresses> {
  const s = plan.scenario;
  const check = (field: string, entry: ResolvedEntry): void => {
    if (!targetAllowed(entry.hostPort, plan.allowTargets)) {
      throw new MsaVerifyError(
        'MSAV_TARGET_NOT_ALLOWED',
        `${plan.file}: ${field}: the entry at ${describeDiscovery(entry.discovery)} names ${entry.hostPort}, ` +
          `which is not in chaos.allowTargets (${plan.allowTargets.join(', ')})`,
      );
    }
  };
  const checkSrv = (field: string, srv: string, hostPort: string): void => {
    if (!targetAllowed(hostPort, plan.allowTargets)) {
      throw new MsaVerifyError(
        'MSAV_TARGET_NOT_ALLOWED',
        `${plan.file}: ${field}: the SRV record ${srv} names ${hostPort}, which is not in chaos.allowTargets (${plan.allowTargets.join(', ')})`,
      );
    }
  };
  let target: string;
  if (typeof s.load.target === 'string') target = s.load.target;
  else if ('dns' in s.load.target) {
    const found = await resolveSrv(s.load.target.dns, `${plan.file}: load.target`);
    checkSrv('load.target', s.load.target.dns.srv, found.hostPort);
    target = found.url;
  } else {
    const entry = await resolveDiscovery(s.load.target.discovery, `${plan.file}: load.target`);
    check('load.target', entry);
    target = entry.url;
  }
  const upstreams = new Map<string, string>();
  const entries = new Map<string, ResolvedEntry>();
  for (const [i, p] of s.proxies.entries()) {
    if (typeof p.upstream === 'string') {
      upstreams.set(p.name, p.upstream);
      continue;
    }
    if ('dns' in p.upstream) {
      const found = await resolveSrv(p.upstream.dns, `${plan.file}: proxies.${i}.upstream`);
      checkSrv(`proxies.${i}.upstream`, p.upstream.dns.srv, found.hostPort);
      upstreams.set(p.name, found.hostPort);
      continue;
    }
    const entry = await resolveDiscovery(p.upstream.discovery, `${plan.file}: proxies.${i}.upstream`);
    check(`proxies.${i}.upstream`, entry);
    upstreams.set(p.name, entry.hostPort);
    entries.set(p.name, entry);
  }
  return { target, upstreams, entries };
}
