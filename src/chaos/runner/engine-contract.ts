import type { ExpectationDefinition } from '../expectations/types.js';

// The runner's view of the expectation registry (src/chaos/expectations): a map
// that tests can replace with their own definitions.

export type { PhaseEvidence } from '../expectations/types.js';

/** One registry entry, seen from the runner. */
export type JudgeDefinition = ExpectationDefinition<unknown>;

/** Expectation types by name (the engine's `expectationRegistry`). */
export type JudgeCatalog = ReadonlyMap<string, JudgeDefinition>;
