import type { ChaosRunResult, ExpectationVerdict, PhaseResult, TimelinePoint } from '../../core/results.js';
import { summarizeLatency } from '../load/stats.js';
import type { RequestSample } from '../load/types.js';
import type { DriveRecord, DriveResult, PhaseWindow } from './drive-phases.js';
import type { PhaseEvidence } from './engine-contract.js';
import { isErrorSample } from './progress.js';
import type { RunContext } from './run-context.js';

/** Most timeline points kept in a result; longer runs are thinned evenly. */
export const MAX_TIMELINE_POINTS = 20_000;

/** Summary of one phase for the result. */
export function phaseResult(evidence: PhaseEvidence, verdicts: readonly ExpectationVerdict[]): PhaseResult {
  return {
    name: evidence.phase.name,
    kind: evidence.phase.kind,
    startedAt: evidence.phase.startedAt,
    endedAt: evidence.phase.endedAt,
    requests: evidence.samples.length,
    errors: evidence.samples.filter(isErrorSample).length,
    latencyMs: summarizeLatency(evidence.samples),
    verdicts,
  };
}

/** Latency over time, relative to `t0`, labelled with the phase each request was scheduled in. */
export function timeline(
  samples: readonly RequestSample[],
  t0: number,
  phaseOf: (at: number) => string,
): TimelinePoint[] {
  const stride = Math.max(1, Math.ceil(samples.length / MAX_TIMELINE_POINTS));
  const points: TimelinePoint[] = [];
  for (let i = 0; i < samples.length; i += stride) {
    const s = samples[i]!;
    points.push({ t: s.intendedAt - t0, latencyMs: s.latencyMs, status: s.status, phase: phaseOf(s.intendedAt) });
  }
  return points;
}

/** The result of a judged and rolled-back run; it passes only when every verdict passed and nothing was left behind. */
export function chaosRunResult(
  context: RunContext,
  startedAt: number,
  driven: DriveResult,
  phases: PhaseResult[],
  rolledBack: boolean,
): ChaosRunResult {
  const phaseOf = (at: number): string =>
    driven.windows.find((w) => at >= w.startedAt && at < w.endedAt)?.phase.spec.name ?? 'drain';
  return {
    kind: 'chaos',
    runId: context.runId,
    scenario: context.plan.scenario.name,
    file: context.plan.file,
    startedAt,
    endedAt: Date.now(),
    passed: rolledBack && phases.every((p) => p.verdicts.every((v) => v.passed)),
    phases,
    faults: driven.faults.map(({ phase: _p, toxicity: _t, budget: _b, ...window }) => window),
    timeline: timeline(driven.samples, driven.loadStartedAt, phaseOf),
    rolledBack,
  };
}

/**
 * The partial result of a run that a signal stopped: the phases it got through
 * (the last one up to the interruption), their requests and faults, without
 * verdicts; `passed` is false and `interrupted` names the signal.
 */
export function interruptedRunResult(
  context: RunContext,
  startedAt: number,
  record: DriveRecord,
  rolledBack: boolean,
): ChaosRunResult {
  const now = Date.now();
  const windows: PhaseWindow[] = [...record.windows];
  if (record.current) windows.push({ phase: record.current.phase, startedAt: record.current.startedAt, endedAt: now });
  const faults = [...record.faults, ...(record.current?.applied?.faults ?? []).map((f) => ({ ...f, endedAt: now }))];
  const samples = [...record.samples].sort((a, b) => a.seq - b.seq);
  const phases = windows.map((w) =>
    phaseResult(
      {
        phase: { name: w.phase.spec.name, kind: w.phase.spec.kind, startedAt: w.startedAt, endedAt: w.endedAt },
        samples: samples.filter((x) => x.intendedAt >= w.startedAt && x.intendedAt < w.endedAt),
        spans: [],
        connections: {},
        calls: {},
      },
      [],
    ),
  );
  const driven: DriveResult = { loadStartedAt: record.loadStartedAt ?? startedAt, samples, windows, faults };
  const reason = context.signal?.reason;
  return {
    ...chaosRunResult(context, startedAt, driven, phases, rolledBack),
    passed: false,
    interrupted: typeof reason === 'string' ? reason : 'abort',
  };
}
