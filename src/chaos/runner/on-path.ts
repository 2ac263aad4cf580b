// A fault proves something only if the callers' traffic went through the
// proxy that carried it. A scenario whose caller talks to the dependency
// directly (an old address, a missing environment variable) would otherwise
// pass every expectation that holds without a fault. For each faulted proxy
// with a tap, this adds one verdict to the first phase that faulted it: how
// many connections the tap relayed during the whole run, failing on none.
import type { ExpectationVerdict, FaultWindow, PhaseResult } from '../../core/results.js';

/** What the check needs of a proxy. */
export interface PathProxy {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  /** Connections the proxy's tap accepted during the run; undefined without a tap. */
  readonly connections: number | undefined;
  /** For `placement: registry`: the entry that was re-pointed at `listen`. */
  readonly registryKey?: string;
}

/** The verdict's type in results and reports. */
export const ON_PATH_TYPE = 'on-path';

/**
 * Returns `phases` with an on-path verdict added to the first phase that faulted
 * each proxy. Proxies without a tap get none, and so do proxies that were down
 * for the whole run (no connection can be expected then).
 */
export function addOnPathVerdicts(
  phases: readonly PhaseResult[],
  faults: readonly FaultWindow[],
  proxies: readonly PathProxy[],
): PhaseResult[] {
  const out = phases.map((p) => ({ ...p, verdicts: [...p.verdicts] }));
  for (const proxy of proxies) {
    if (proxy.connections === undefined) continue;
    const own = faults.filter((f) => f.proxy === proxy.name);
    if (own.length === 0) continue;
    const first = Math.min(...own.map((f) => f.startedAt));
    // Faults are applied inside their phase's window.
    const phase = out.find((p) => first >= p.startedAt && first < p.endedAt);
    if (phase === undefined || downAllRun(own, out)) continue;
    phase.verdicts.push(verdict(proxy, phase.name));
  }
  return out;
}

function verdict(proxy: PathProxy, phase: string): ExpectationVerdict {
  const n = proxy.connections ?? 0;
  return {
    type: ON_PATH_TYPE,
    name: `traffic through proxy ${proxy.name}`,
    phase,
    passed: n > 0,
    observed: n,
    bound: '>= 1 connection in the run',
    unit: 'connections',
    message:
      n > 0
        ? `${n} connection(s) went through proxy "${proxy.name}", so its faults were on the callers' path.`
        : `no connection went through proxy "${proxy.name}" during the whole run, so its faults reached no caller and ` +
          `the expectations of this run say nothing about them: ` +
          (proxy.registryKey
            ? `the registry entry ${proxy.registryKey} pointed at ${proxy.listen} for the run, yet the caller kept ` +
              `calling ${proxy.upstream}: it does not follow the registry (it resolved the entry before the run and ` +
              'kept the address).'
            : `point the caller at ${proxy.listen} (it may be calling ${proxy.upstream} directly).`),
  };
}

/** True when `down` windows of the proxy cover every phase of the run. */
function downAllRun(own: readonly FaultWindow[], phases: readonly PhaseResult[]): boolean {
  const downs = own.filter((f) => f.type === 'down');
  return phases.every((p) => downs.some((d) => d.startedAt <= p.startedAt + 50 && d.endedAt >= p.endedAt - 50));
}
