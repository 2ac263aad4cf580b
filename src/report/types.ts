import type { ChaosRunResult, ContractsRunResult } from '../core/results.js';

/** Any result a reporter accepts. */
export type RunResult = ChaosRunResult | ContractsRunResult;
