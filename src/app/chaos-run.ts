import path from 'node:path';
import type { RunProgress } from '../chaos/runner/progress.js';
import type { ChaosRunResult } from '../core/results.js';
import type { ConsumerLagProgress } from '../report/prometheus.js';

/** Options for {@link chaosRun}. */
export interface ChaosRunOptions {
  /** Scenario files, relative to `cwd`. */
  readonly files: readonly string[];
  /** Config file. Default `msa-verify.config.yaml` when it exists. */
  readonly config?: string;
  /**
   * Write the results as a JSON report to this file. A run stopped by `signal`
   * still writes it, after the rollback: the finished results plus the stopped
   * one's partial result, marked `interrupted`.
   */
  readonly json?: string;
  /** Write the results as JUnit XML to this file. */
  readonly junit?: string;
  /** Validate and plan only: nothing is started or touched. */
  readonly dryRun?: boolean;
  /** Folder relative paths are resolved from. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Aborting stops the load, rolls back, and rejects with `MSAV_INTERRUPTED`. */
  readonly signal?: AbortSignal;
  /** A snapshot of the running scenario, about once a second. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Something the user should know that is not a verdict (leftovers cleaned, push failed, rollback fallbacks). */
  readonly onNote?: (text: string) => void;
  /** Each scenario's result as soon as it has been judged and rolled back. */
  readonly onResult?: (result: ChaosRunResult) => void;
}

/** Outcome of {@link chaosRun}: the plan of a dry run, or the results of a real one. */
export type ChaosRunOutcome =
  | {
      readonly dryRun: true;
      /** The plan, one line per step, for every scenario. */
      readonly plan: readonly string[];
    }
  | {
      readonly dryRun: false;
      /** True when every expectation held and every rollback completed. */
      readonly passed: boolean;
      readonly results: readonly ChaosRunResult[];
    };

/**
 * Runs scenario files one after another, writes the reports asked for, and
 * pushes the results to the Pushgateway when the config names one (live
 * progress once a second while a run lasts).
 * @throws MsaVerifyError `MSAV_SCENARIO_INVALID`/`MSAV_CONFIG_INVALID` (exit 2) before anything runs;
 *   exit 3 when Toxiproxy or a target is unreachable; `MSAV_INTERRUPTED` when `signal` aborts.
 */
export async function chaosRun(options: ChaosRunOptions): Promise<ChaosRunOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const note = options.onNote ?? (() => undefined);
  const chaos = await import('../chaos/index.js');
  const settings = await chaos.loadChaosSettings({ cwd, ...(options.config ? { config: options.config } : {}) });
  const plans = await chaos.planScenarios(options.files, settings, chaos.expectationCatalog, { cwd });
  if (options.dryRun) return { dryRun: true, plan: plans.flatMap((plan) => chaos.describePlan(plan)) };

  const report = await import('../report/index.js');
  const push = settings.config?.pushgateway;
  const live = push ? livePusher(report.pushLive, { url: push.url, job: push.job }) : undefined;
  const liveLag = push ? liveLagPusher(report.pushLiveLag, { url: push.url, job: push.job }) : undefined;
  const results: ChaosRunResult[] = [];
  let partial: ChaosRunResult | undefined;
  try {
    for (const plan of plans) {
      const result = await chaos.runScenario(plan, {
        catalog: chaos.expectationCatalog,
        journalDir: path.resolve(settings.baseDir, settings.chaos.journalDir),
        cwd,
        ...(options.signal ? { signal: options.signal } : {}),
        onNote: note,
        onProgress: (p) => {
          live?.push(p);
          options.onProgress?.(p);
        },
        onInterrupted: (r) => {
          partial = r;
        },
        ...(liveLag ? { onLag: liveLag.push } : {}),
      });
      results.push(result);
      options.onResult?.(result);
    }
  } catch (error) {
    if (partial && options.json) {
      const file = path.resolve(cwd, options.json);
      try {
        await report.writeJsonReport(file, [...results, partial], { interrupted: partial.interrupted ?? 'abort' });
        note(`interrupted: partial report written to ${options.json}`);
      } catch (writeError) {
        note(`interrupted: could not write the partial report ${options.json}: ${(writeError as Error).message}`);
      }
    }
    throw error;
  }
  await live?.settled();
  await liveLag?.settled();
  if (options.json) await report.writeJsonReport(path.resolve(cwd, options.json), results);
  if (options.junit) await report.writeJunitReport(path.resolve(cwd, options.junit), results);
  if (push) {
    try {
      await report.pushResults({ url: push.url, job: push.job }, results);
    } catch (error) {
      note(`could not push results to ${push.url}: ${(error as Error).message}`);
    }
  }
  return { dryRun: false, passed: results.every((r) => r.passed), results };
}

type PushLive = typeof import('../report/index.js').pushLive;

/**
 * Live progress goes to the Pushgateway so that dashboards show latency and
 * errors over time; a push still in flight makes the next one skip, and a
 * failed one is dropped (the final push reports an unreachable Pushgateway once).
 */
function livePusher(pushLive: PushLive, target: { url: string; job: string }) {
  let inFlight: Promise<void> | undefined;
  return {
    push(p: RunProgress): void {
      if (inFlight || p.p50Ms === null || p.p95Ms === null || p.p99Ms === null) return;
      const progress = {
        scenario: p.scenario,
        phase: p.phase,
        requestsPerSec: p.rps,
        errorRatio: p.errorRate,
        p50Ms: p.p50Ms,
        p95Ms: p.p95Ms,
        p99Ms: p.p99Ms,
        at: Date.now(),
      };
      inFlight = pushLive({ ...target, timeoutMs: 900 }, progress)
        .catch(() => {})
        .finally(() => {
          inFlight = undefined;
        });
    },
    settled: (): Promise<void> => inFlight ?? Promise.resolve(),
  };
}

type PushLiveLag = typeof import('../report/index.js').pushLiveLag;

/** Consumer lag goes live to the Pushgateway too, with the same skip-while-in-flight rule as {@link livePusher}. */
function liveLagPusher(pushLiveLag: PushLiveLag, target: { url: string; job: string }) {
  let inFlight: Promise<void> | undefined;
  return {
    push(scenario: string, readings: readonly ConsumerLagProgress[]): void {
      if (inFlight) return;
      inFlight = pushLiveLag({ ...target, timeoutMs: 900 }, scenario, readings)
        .catch(() => {})
        .finally(() => {
          inFlight = undefined;
        });
    },
    settled: (): Promise<void> => inFlight ?? Promise.resolve(),
  };
}

/**
 * Rolls back every run still active in this process (last resort on a second
 * Ctrl-C or a crash), bounded by `timeoutMs`.
 */
export async function rollbackActiveRuns(timeoutMs = 8000): Promise<void> {
  const { rollbackActiveSessions } = await import('../chaos/toxiproxy/session.js');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    rollbackActiveSessions(),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
