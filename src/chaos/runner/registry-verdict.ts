// A proxy placed through the registry is on the callers' path only while its
// entry points at it. For each such proxy this adds one verdict to the first
// phase: the entry held the proxy's address for the whole run (re-registrations
// that were re-pointed again count as held), failing with when and why it did not.
import type { ExpectationVerdict, PhaseResult } from '../../core/results.js';
import type { GuardLog } from '../registry/guard.js';
import type { ProxySpec } from '../scenario/schema.js';

/** The verdict's type in results and reports. */
export const REGISTRY_TYPE = 'registry-path';

/** Returns `phases` with a registry verdict per `placement: registry` proxy, in the first phase. */
export function addRegistryVerdicts(
  phases: readonly PhaseResult[],
  logs: ReadonlyMap<string, GuardLog>,
  proxies: readonly ProxySpec[],
): PhaseResult[] {
  const out = phases.map((p) => ({ ...p, verdicts: [...p.verdicts] }));
  const first = out[0];
  if (!first) return out;
  for (const p of proxies) {
    const log = logs.get(p.name);
    if (p.placement !== 'registry' || typeof p.upstream === 'string' || !('discovery' in p.upstream) || !log) continue;
    first.verdicts.push(verdict(p.name, p.upstream.discovery.key, p.listen, log, first.name));
  }
  return out;
}

function verdict(proxy: string, key: string, listen: string, log: GuardLog, phase: string): ExpectationVerdict {
  const lost = log.lost;
  const again =
    log.repointed.length > 0
      ? ` (re-pointed again ${log.repointed.length} time(s) after its owner registered anew)`
      : '';
  return {
    type: REGISTRY_TYPE,
    name: `registry entry ${key} points at proxy ${proxy}`,
    phase,
    passed: lost.length === 0,
    observed: lost.length,
    bound: '0 losses of the entry during the run',
    unit: 'losses',
    message:
      lost.length === 0
        ? `registry entry ${key} pointed at ${listen} for the whole run${again}.`
        : `registry entry ${key} stopped pointing at ${listen} during the run, so later faults were off the callers' path: ` +
          lost.map((l) => `at ${new Date(l.from).toISOString()} ${l.why}`).join('; '),
  };
}
