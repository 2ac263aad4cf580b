import path from 'node:path';
import type { ChaosRunResult } from '../../core/results.js';
import { newRunId } from '../toxiproxy/run-id.js';
import { drivePhases } from './drive-phases.js';
import type { JudgeCatalog } from './engine-contract.js';
import { throwIfAborted } from './interrupt.js';
import { judgeRun } from './judge-run.js';
import type { RunPlan } from './plan.js';
import type { RunProgress } from './progress.js';
import { chaosRunResult } from './result.js';
import type { RunContext } from './run-context.js';
import { setUpRun } from './set-up-run.js';

/** Options for {@link runScenario}. */
export interface RunScenarioOptions {
  readonly catalog: JudgeCatalog;
  /** Journal folder (absolute or relative to `cwd`). */
  readonly journalDir: string;
  readonly cwd?: string;
  /** Aborting (Ctrl-C, SIGTERM) stops the load, rolls back, and rejects with `MSAV_INTERRUPTED`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: RunProgress) => void;
  /** Notes for the user (leftovers cleaned, rollback fallbacks). */
  readonly onNote?: (text: string) => void;
  /** Start the detached watchdog. Default true. */
  readonly watchdog?: boolean;
  /** Run id; default a new one. */
  readonly runId?: string;
}

/**
 * Runs one planned scenario:
 *   set-up (leftovers -> Toxiproxy (url | managed) -> journal + watchdog -> taps + proxies -> probe target)
 *   -> drive (load across all phases, faults applied/healed at phase boundaries)
 *   -> judge (evidence per phase -> verdicts (registry) -> eventually checks)
 *   -> rollback (always: here on the normal path, by the set-up's disposal otherwise) -> ChaosRunResult
 * @throws MsaVerifyError exit 3 when Toxiproxy or the target is unreachable; `MSAV_INTERRUPTED` on abort.
 */
export async function runScenario(plan: RunPlan, options: RunScenarioOptions): Promise<ChaosRunResult> {
  const startedAt = Date.now();
  const cwd = options.cwd ?? process.cwd();
  const context: RunContext = {
    plan,
    runId: options.runId ?? newRunId(),
    cwd,
    journalDir: path.resolve(cwd, options.journalDir),
    signal: options.signal,
    note: options.onNote ?? (() => undefined),
    watchdog: options.watchdog !== false,
  };
  await using run = await setUpRun(context);
  const driven = await drivePhases(context, run, options.onProgress);
  const phases = await judgeRun(context, run, driven, options.catalog);
  throwIfAborted(context.signal);
  const rolledBack = await run.rollback();
  return chaosRunResult(context, startedAt, driven, phases, rolledBack);
}
