import { MsaVerifyError } from '../../core/errors.js';
import type { FaultWindow } from '../../core/results.js';
import type { Tap } from '../tap/types.js';
import { toxicName } from '../toxiproxy/run-id.js';
import type { ChaosSession } from '../toxiproxy/session.js';
import type { PlannedPhase } from './plan.js';

/** A fault as the run applied it: its window plus what judging its reach needs. */
export interface AppliedFault extends Omit<FaultWindow, 'endedAt'> {
  /** Phase that applied it. */
  readonly phase: string;
  /** Probability that a connection is affected, 0..1 (1 for `down` and `fail-first`). */
  readonly toxicity: number;
  /** `fail-first`: connections the tap was told to reset. */
  readonly budget?: number;
}

/** A fault window of a run, with the phase that applied it; `FaultWindow` in results. */
export type DrivenFault = AppliedFault & Pick<FaultWindow, 'endedAt'>;

/** What one phase changed, so that {@link healPhase} can undo it. */
export interface AppliedPhase {
  readonly toxics: { proxy: string; name: string }[];
  readonly disabled: string[];
  /** Taps armed by `fail-first`: disarmed at the phase's end. */
  readonly armed: Tap[];
  readonly faults: AppliedFault[];
}

/**
 * Applies a phase's faults: toxics added, proxies disabled, a tap told to
 * reset the next N connections; then, for faults with `cutConnections`, the
 * proxy's open connections are closed (through its tap, or by disabling and
 * enabling the Toxiproxy proxy when it has none) so that pooled callers meet
 * the fault on their next connection.
 */
export async function applyPhase(
  session: ChaosSession,
  phase: PlannedPhase,
  proxyNames: ReadonlyMap<string, string>,
  taps: ReadonlyMap<string, Tap>,
  runId: string,
): Promise<AppliedPhase> {
  const applied: AppliedPhase = { toxics: [], disabled: [], armed: [], faults: [] };
  const at = { phase: phase.spec.name };
  const cut = new Set<string>();
  for (const [i, t] of phase.toxics.entries()) {
    const proxy = proxyNames.get(t.proxy)!;
    const name = toxicName(runId, phase.spec.name, i);
    await session.addToxic(proxy, name, t.toxic);
    applied.toxics.push({ proxy, name });
    applied.faults.push({
      ...at,
      proxy: t.proxy,
      toxic: name,
      type: t.toxic.type,
      toxicity: t.toxic.toxicity,
      startedAt: Date.now(),
    });
    if (t.fault.type !== 'down' && t.fault.cutConnections) cut.add(t.proxy);
  }
  for (const p of phase.disable) {
    const proxy = proxyNames.get(p)!;
    await session.setEnabled(proxy, false);
    applied.disabled.push(proxy);
    applied.faults.push({ ...at, proxy: p, toxic: 'proxy-down', type: 'down', toxicity: 1, startedAt: Date.now() });
  }
  if (phase.spec.kind === 'fail-first') {
    const tap = taps.get(phase.spec.proxy);
    if (!tap) {
      throw new MsaVerifyError(
        'MSAV_SCENARIO_INVALID',
        `fail-first needs a tap on proxy "${phase.spec.proxy}" (tap: true)`,
      );
    }
    tap.failNext(phase.spec.n);
    applied.armed.push(tap);
    applied.faults.push({
      ...at,
      proxy: phase.spec.proxy,
      toxic: `fail-first-${phase.spec.n}`,
      type: 'fail-first',
      toxicity: 1,
      budget: phase.spec.n,
      startedAt: Date.now(),
    });
    if (phase.spec.cutConnections) cut.add(phase.spec.proxy);
  }
  for (const p of cut) {
    const n = await cutConnections(session, proxyNames.get(p)!, taps.get(p));
    for (const [i, f] of applied.faults.entries()) {
      if (f.proxy === p && n !== undefined) applied.faults[i] = { ...f, cutConnections: n };
    }
  }
  return applied;
}

/** Closes the open connections of a proxy; returns how many when a tap counted them. */
async function cutConnections(session: ChaosSession, proxy: string, tap: Tap | undefined): Promise<number | undefined> {
  if (tap) return tap.cutConnections();
  // Without a tap: a disabled Toxiproxy proxy drops every connection; enabled again at once.
  await session.setEnabled(proxy, false);
  await session.setEnabled(proxy, true);
  return undefined;
}

/**
 * Undoes everything {@link applyPhase} did: toxics removed, proxies enabled,
 * and the fail-first budget that no connection used disarmed, so that no fault
 * outlives its phase.
 */
export async function healPhase(session: ChaosSession, applied: AppliedPhase): Promise<void> {
  for (const tap of applied.armed) tap.disarm();
  for (const t of applied.toxics) await session.removeToxic(t.proxy, t.name);
  for (const p of applied.disabled) await session.setEnabled(p, true);
}
