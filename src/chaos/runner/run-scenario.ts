import path from 'node:path';
import { isMsaVerifyError } from '../../core/errors.js';
import type { ChaosRunResult, ConsumerLagSeries } from '../../core/results.js';
import { newRunId } from '../toxiproxy/run-id.js';
import { bounded } from './bounded.js';
import { type LagReading, LagSampler } from './consumer-lag.js';
import { lagTargets } from './delivered.js';
import { drivePhases, newDriveRecord } from './drive-phases.js';
import type { JudgeCatalog } from './engine-contract.js';
import { throwIfAborted } from './interrupt.js';
import { judgeRun } from './judge-run.js';
import type { RunPlan } from './plan.js';
import type { RunProgress } from './progress.js';
import { resolveAddresses } from './resolve-addresses.js';
import { chaosRunResult, interruptedRunResult } from './result.js';
import type { RunContext } from './run-context.js';
import { type RunSetUp, setUpRun } from './set-up-run.js';

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
  /**
   * Called once when `signal` stopped the run, after the rollback and before
   * `MSAV_INTERRUPTED` is thrown: the partial result (phases that ran, unjudged,
   * `interrupted` set, `passed` false).
   */
  readonly onInterrupted?: (partial: ChaosRunResult) => void;
  /**
   * The newest consumer-lag reading of every `delivered` check with `lag`, after
   * each read (from the start of the load until the checks end).
   */
  readonly onLag?: (scenario: string, readings: readonly LagReading[]) => void;
}

/**
 * Runs one planned scenario:
 *   resolve (registry references in the target and upstreams)
 *   -> set-up (listen addresses claimed -> leftovers -> Toxiproxy (url | managed) -> journal + watchdog -> taps + proxies -> re-point registry entries -> probe target)
 *   -> drive (load across all phases, faults applied/healed at phase boundaries; consumer lag sampled meanwhile)
 *   -> judge (evidence per phase -> verdicts (registry) -> eventually checks)
 *   -> rollback (always: here on the normal path, by the set-up's disposal otherwise) -> ChaosRunResult
 * @throws MsaVerifyError exit 3 when Toxiproxy or the target is unreachable or a listen address is held by
 *   another run (`MSAV_LISTEN_BUSY`); `MSAV_INTERRUPTED` on abort.
 */
export async function runScenario(plan: RunPlan, options: RunScenarioOptions): Promise<ChaosRunResult> {
  const startedAt = Date.now();
  const cwd = options.cwd ?? process.cwd();
  // Read before anything is touched: an unreachable registry or a missing entry changes nothing.
  const addresses = await resolveAddresses(plan);
  throwIfAborted(options.signal);
  const context: RunContext = {
    plan,
    runId: options.runId ?? newRunId(),
    cwd,
    journalDir: path.resolve(cwd, options.journalDir),
    signal: options.signal,
    note: options.onNote ?? (() => undefined),
    watchdog: options.watchdog !== false,
    addresses,
  };
  const record = newDriveRecord();
  let session: RunSetUp['session'] | undefined;
  try {
    await using run = await setUpRun(context);
    session = run.session;
    const targets = lagTargets(plan.scenario.eventually);
    const onLag = options.onLag;
    const sampler =
      targets.length > 0
        ? new LagSampler(targets, onLag ? (readings) => onLag(plan.scenario.name, readings) : undefined)
        : undefined;
    let consumerLag: ConsumerLagSeries[] = [];
    let driven: Awaited<ReturnType<typeof drivePhases>>;
    let phases: Awaited<ReturnType<typeof judgeRun>>;
    try {
      driven = await drivePhases(context, run, options.onProgress, record);
      phases = await judgeRun(context, run, driven, options.catalog);
    } finally {
      if (sampler) {
        await bounded(
          sampler.stop().then((series) => {
            consumerLag = series;
          }),
          8000,
          'stop the consumer-lag sampler',
          context.note,
        );
      }
    }
    throwIfAborted(context.signal);
    const rolledBack = await run.rollback();
    return {
      ...chaosRunResult(context, startedAt, driven, phases, rolledBack),
      ...(consumerLag.length > 0 ? { consumerLag } : {}),
    };
  } catch (error) {
    // Here the set-up's disposal has rolled back already; the session's outcome is shared, not redone.
    if (isMsaVerifyError(error) && error.code === 'MSAV_INTERRUPTED' && options.onInterrupted) {
      const rolledBack = session ? (await session.rollback()).ok : true;
      options.onInterrupted(interruptedRunResult(context, startedAt, record, rolledBack));
    }
    throw error;
  }
}
