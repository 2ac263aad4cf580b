import path from 'node:path';
import { runK6 } from '../load/k6.js';
import { runLoad } from '../load/run-load.js';
import type { LoadPlan, RequestSample } from '../load/types.js';
import { sleepUntil, throwIfAborted } from './interrupt.js';
import { type AppliedPhase, applyPhase, type DrivenFault, healPhase } from './phase-faults.js';
import type { PlannedPhase } from './plan.js';
import { ProgressWindow, type RunProgress } from './progress.js';
import type { RunContext } from './run-context.js';
import type { RunSetUp } from './set-up-run.js';

/** When a phase was scheduled to run, epoch ms. */
export interface PhaseWindow {
  readonly phase: PlannedPhase;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** What driving the load through every phase produced. */
export interface DriveResult {
  readonly loadStartedAt: number;
  readonly samples: readonly RequestSample[];
  readonly windows: readonly PhaseWindow[];
  readonly faults: readonly DrivenFault[];
}

/**
 * What driving has done so far, filled in as it goes, so that an interrupted
 * run can still report the phases it got through.
 */
export interface DriveRecord {
  loadStartedAt: number | undefined;
  /** Completed requests, in completion order. */
  readonly samples: RequestSample[];
  readonly windows: PhaseWindow[];
  readonly faults: DrivenFault[];
  /** The phase running now and the faults it applied (not healed yet). */
  current: { readonly phase: PlannedPhase; readonly startedAt: number; applied?: AppliedPhase } | undefined;
}

/** An empty {@link DriveRecord}. */
export function newDriveRecord(): DriveRecord {
  return { loadStartedAt: undefined, samples: [], windows: [], faults: [], current: undefined };
}

/**
 * Runs the load once across every phase (so phase changes never pause it) and
 * applies and heals each phase's faults at its boundaries. The load, its abort
 * listener and the progress ticker end with this function, before any rollback.
 * @throws MsaVerifyError `MSAV_INTERRUPTED` on abort.
 */
export async function drivePhases(
  context: RunContext,
  run: RunSetUp,
  onProgress?: (p: RunProgress) => void,
  record: DriveRecord = newDriveRecord(),
): Promise<DriveResult> {
  const { plan, signal } = context;
  // Disposed in reverse: ticker cleared, load aborted, abort listener removed.
  using stack = new DisposableStack();
  const load = new AbortController();
  const onAbort = (): void => load.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  stack.defer(() => signal?.removeEventListener('abort', onAbort));
  stack.defer(() => load.abort());

  const window = new ProgressWindow();
  const loadStartedAt = Date.now();
  record.loadStartedAt = loadStartedAt;
  const progress = stack.use(startProgress(context, loadStartedAt, window, onProgress));
  const loadDone = startLoad(context, load.signal, (sample) => {
    window.add(sample);
    record.samples.push(sample);
  });
  loadDone.catch(() => undefined);

  const { faults, windows } = record;
  for (const phase of plan.phases) {
    const from = loadStartedAt + phase.offsetMs;
    const to = from + phase.durationMs;
    await sleepUntil(from, signal);
    progress.enter(phase.spec.name, phase.spec.kind);
    record.current = { phase, startedAt: from };
    const applied = await applyPhase(run.session, phase, run.proxyNames, run.taps, context.runId);
    record.current.applied = applied;
    await sleepUntil(to, signal);
    await healPhase(run.session, applied);
    const healedAt = Date.now();
    for (const f of applied.faults) faults.push({ ...f, endedAt: healedAt });
    windows.push({ phase, startedAt: from, endedAt: to });
    record.current = undefined;
  }
  progress.enter('drain', 'drain', false);
  const samples = await loadDone;
  throwIfAborted(signal);
  return { loadStartedAt, samples, windows, faults };
}

interface Progress extends Disposable {
  /** Switches the phase shown; emits at once unless `emitNow` is false. */
  enter(name: string, kind: RunProgress['kind'], emitNow?: boolean): void;
}

/** Emits a {@link RunProgress} about once a second until disposed. */
function startProgress(
  { plan, runId }: RunContext,
  loadStartedAt: number,
  window: ProgressWindow,
  onProgress?: (p: RunProgress) => void,
): Progress {
  let current: { name: string; kind: RunProgress['kind'] } = { name: 'setup', kind: 'setup' };
  const emit = (): void => {
    const elapsedMs = Date.now() - loadStartedAt;
    onProgress?.({
      runId,
      scenario: plan.scenario.name,
      phase: current.name,
      kind: current.kind,
      elapsedMs,
      remainingMs: Math.max(0, plan.loadDurationMs - elapsedMs),
      ...window.stats(),
    });
  };
  const ticker = setInterval(emit, 1000);
  return {
    enter(name, kind, emitNow = true) {
      current = { name, kind };
      if (emitNow) emit();
    },
    [Symbol.dispose]: () => clearInterval(ticker),
  };
}

/** The scenario's load (built-in generator or k6) over the whole planned duration. */
function startLoad(
  { plan, cwd, runId, addresses, note }: RunContext,
  signal: AbortSignal,
  onSample: (sample: RequestSample) => void,
): Promise<RequestSample[]> {
  const s = plan.scenario;
  if (s.load.k6) {
    return runK6({
      script: path.resolve(cwd, path.dirname(plan.file), s.load.k6.script),
      env: {
        MSAV_TARGET: addresses.target,
        MSAV_RATE: String(s.load.rate),
        MSAV_DURATION_MS: String(plan.loadDurationMs),
        MSAV_RUN_ID: runId,
      },
      signal,
    });
  }
  const auth = plan.security?.auth;
  const tls = plan.security?.tls;
  if (auth === undefined) return runLoad(loadPlan(plan, cwd, runId, addresses.target, tls), { signal, onSample });
  // The first token before the first request; then one replaced ahead of its expiry until the load ends.
  return auth.authorization().then(async () => {
    const fresh = new AbortController();
    auth.keepFresh(fresh.signal);
    try {
      return await runLoad(
        { ...loadPlan(plan, cwd, runId, addresses.target, tls), authorization: () => auth.current() },
        { signal, onSample },
      );
    } finally {
      fresh.abort();
      note(`load target credentials: ${auth.fetched} access token(s) fetched during the run (${plan.security?.from})`);
    }
  });
}

function loadPlan(
  plan: RunContext['plan'],
  cwd: string,
  runId: string,
  target: string,
  tls: LoadPlan['tls'],
): LoadPlan {
  const s = plan.scenario;
  return {
    target,
    requests: s.load.requests.map((r) => ({
      method: r.method,
      path: r.path,
      ...(r.body !== undefined ? { body: r.body } : {}),
      ...(r.headers ? { headers: r.headers } : {}),
    })),
    ratePerSec: s.load.rate,
    durationMs: plan.loadDurationMs,
    timeoutMs: plan.timeoutMs,
    ...(s.load.maxInFlight !== undefined ? { maxInFlight: s.load.maxInFlight } : {}),
    ...(s.load.proto ? { proto: path.resolve(cwd, path.dirname(plan.file), s.load.proto) } : {}),
    headers: { ...s.load.headers, baggage: `msa_verify.run_id=${runId}`, 'x-msa-verify-run': runId },
    ...(tls ? { tls } : {}),
  };
}
