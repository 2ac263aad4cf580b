import type { ExpectationVerdict } from '../../core/results.js';
import { expectationParams, type Phase } from '../scenario/schema.js';
import type { JudgeCatalog, PhaseEvidence } from './engine-contract.js';

/**
 * Judges every expectation of a phase with the registry. A recovery phase
 * without an explicit `recovers-within` gets one from its `within` bound when
 * the registry accepts it. A judge that throws yields a failed verdict.
 */
export function judgePhase(phase: Phase, evidence: PhaseEvidence, catalog: JudgeCatalog): ExpectationVerdict[] {
  const entries: { type: string; name?: string; params: Record<string, unknown> }[] = phase.expect.map((e) => ({
    type: e.type,
    ...(e.name ? { name: e.name } : {}),
    params: expectationParams(e),
  }));
  if (phase.kind === 'recovery' && !entries.some((e) => e.type === 'recovers-within')) {
    const def = catalog.get('recovers-within');
    if (def?.params.safeParse({ within: phase.within }).success) {
      entries.push({ type: 'recovers-within', params: { within: phase.within } });
    }
  }
  return entries.map((e) => {
    const def = catalog.get(e.type);
    if (!def) return failed(e.type, e.name ?? e.type, phase.name, `unknown expectation type "${e.type}"`);
    try {
      const verdict = def.judge(def.params.parse(e.params), evidence);
      return { ...verdict, phase: phase.name, ...(e.name ? { name: e.name } : {}) };
    } catch (error) {
      return failed(e.type, e.name ?? e.type, phase.name, `could not judge: ${(error as Error).message}`);
    }
  });
}

function failed(type: string, name: string, phase: string, message: string): ExpectationVerdict {
  return { type, name, phase, passed: false, observed: null, bound: '', unit: '', message };
}
