import type { ChaosRunResult, ContractsRunResult } from '../core/results.js';
import type { TraceCheckResult } from '../core/trace-results.js';

/** Any result a reporter accepts. */
export type RunResult = ChaosRunResult | ContractsRunResult | TraceCheckResult;
