import { MsaVerifyError } from '../../core/errors.js';
import type { FaultWindow } from '../../core/results.js';
import type { Tap } from '../tap/types.js';
import { toxicName } from '../toxiproxy/run-id.js';
import type { ChaosSession } from '../toxiproxy/session.js';
import type { PlannedPhase } from './plan.js';

/** What one phase changed, so that {@link healPhase} can undo it. */
export interface AppliedPhase {
  readonly toxics: { proxy: string; name: string }[];
  readonly disabled: string[];
  readonly faults: Omit<FaultWindow, 'endedAt'>[];
}

/** Applies a phase's faults: toxics added, proxies disabled, a tap told to reset the next N connections. */
export async function applyPhase(
  session: ChaosSession,
  phase: PlannedPhase,
  proxyNames: ReadonlyMap<string, string>,
  taps: ReadonlyMap<string, Tap>,
  runId: string,
): Promise<AppliedPhase> {
  const applied: AppliedPhase = { toxics: [], disabled: [], faults: [] };
  for (const [i, t] of phase.toxics.entries()) {
    const proxy = proxyNames.get(t.proxy)!;
    const name = toxicName(runId, phase.spec.name, i);
    await session.addToxic(proxy, name, t.toxic);
    applied.toxics.push({ proxy, name });
    applied.faults.push({ proxy: t.proxy, toxic: name, type: t.toxic.type, startedAt: Date.now() });
  }
  for (const p of phase.disable) {
    const proxy = proxyNames.get(p)!;
    await session.setEnabled(proxy, false);
    applied.disabled.push(proxy);
    applied.faults.push({ proxy: p, toxic: 'proxy-down', type: 'down', startedAt: Date.now() });
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
    applied.faults.push({
      proxy: phase.spec.proxy,
      toxic: `fail-first-${phase.spec.n}`,
      type: 'fail-first',
      startedAt: Date.now(),
    });
  }
  return applied;
}

/** Removes the toxics {@link applyPhase} added and re-enables the proxies it disabled. */
export async function healPhase(session: ChaosSession, applied: AppliedPhase): Promise<void> {
  for (const t of applied.toxics) await session.removeToxic(t.proxy, t.name);
  for (const p of applied.disabled) await session.setEnabled(p, true);
}
