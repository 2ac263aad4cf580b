import type { z } from 'zod';
import type { ExpectationVerdict } from '../../core/results.js';
import type { SpanRecord } from '../evidence/types.js';
import type { RequestSample } from '../load/types.js';

// The runner's view of the expectation registry, as agreed in the chaos
// interfaces (src/chaos/expectations/types.ts has the same shapes): the runner
// depends on this contract, so that a registry can be injected in tests.

/** Everything observed in one phase. */
export interface PhaseEvidence {
  phase: { name: string; kind: 'steady' | 'fault' | 'fail-first' | 'recovery'; startedAt: number; endedAt: number };
  samples: RequestSample[];
  spans: SpanRecord[];
  /** Per proxy name: connection accept times in this phase (from taps). */
  connections: Record<string, number[]>;
  faultStartedAt?: number;
  faultEndedAt?: number;
}

/** One registry entry, seen from the runner. */
export interface JudgeDefinition {
  readonly type: string;
  readonly params: z.ZodType;
  judge(params: unknown, evidence: PhaseEvidence): ExpectationVerdict;
}

/** Expectation types by name (the engine's `expectationRegistry`). */
export type JudgeCatalog = ReadonlyMap<string, JudgeDefinition>;
