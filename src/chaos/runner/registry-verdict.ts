// A proxy placed through the registry is on the callers' path only while its
// entry points at it. For each such proxy this adds one verdict to the first
// phase: the entry pointed at the proxy when the load ended, every loss during
// the run having been repaired (the owner registered again and the guard
// re-pointed the new entry); gaps are listed with their length. An entry still
// lost at the end (deleted, rewritten elsewhere, set back by someone else)
// fails the verdict, saying when and why.
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
  const open = log.lost.filter((l) => l.to === undefined);
  const gaps = log.lost
    .filter((l) => l.to !== undefined)
    .map((l) => `${l.why}, re-pointed ${Math.round((l.to ?? l.from) - l.from)}ms later`);
  const again =
    log.repointed.length > 0
      ? ` It was re-pointed again ${log.repointed.length} time(s) after its owner registered anew` +
        (gaps.length > 0 ? ` (${gaps.join('; ')})` : '') +
        '.'
      : '';
  return {
    type: REGISTRY_TYPE,
    name: `registry entry ${key} points at proxy ${proxy}`,
    phase,
    passed: open.length === 0,
    observed: open.length,
    bound: '0 losses left unrepaired',
    unit: 'losses',
    message:
      open.length === 0
        ? `registry entry ${key} pointed at ${listen} when the run ended.${again}`
        : `registry entry ${key} stopped pointing at ${listen} during the run and was not re-pointed, so later faults were ` +
          `off the callers' path: ${open.map((l) => `at ${new Date(l.from).toISOString()} ${l.why}`).join('; ')}.${again}`,
  };
}
