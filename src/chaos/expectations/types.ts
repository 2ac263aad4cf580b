import type { z } from 'zod';
import type { ExpectationVerdict } from '../../core/results.js';
import type { SpanRecord } from '../../evidence/types.js';
import type { RequestSample } from '../load/types.js';

/** Everything observed during one phase; expectations judge only this. Times are epoch ms. */
export interface PhaseEvidence {
  phase: { name: string; kind: 'steady' | 'fault' | 'fail-first' | 'recovery'; startedAt: number; endedAt: number };
  /** The load generator's samples of this phase. */
  samples: RequestSample[];
  /** Spans of this phase's window (may be empty: traces absent). */
  spans: SpanRecord[];
  /** Per proxy name: connection accept times in this phase (from taps). */
  connections: Record<string, number[]>;
  faultStartedAt?: number;
  faultEndedAt?: number;
  /**
   * Extension: per proxy name, call attempts seen by its tap in this phase (HTTP
   * request heads relayed plus connections reset by fail-first; `tapCalls(tap)`).
   * Preferred over `connections` when present: it counts calls over keep-alive too.
   */
  calls?: Record<string, number[]>;
}

/** One expectation type: its strict parameter schema and its judge. */
export interface ExpectationDefinition<P> {
  /** Registry key, e.g. `circuit-breaker`. */
  type: string;
  /** Strict zod schema of its parameters in the scenario file (the expectation's fields other than `type`). */
  params: z.ZodType<P>;
  /** Pure: the same params and evidence always give the same verdict. */
  judge(params: P, evidence: PhaseEvidence): ExpectationVerdict;
}
