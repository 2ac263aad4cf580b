import { describeNetError } from '../core/probe.js';
import type { ChaosRunResult, ContractsRunResult } from '../core/results.js';
import type { TraceCheckResult } from '../core/trace-results.js';
import type { RunResult } from './types.js';

// Metric names are the vocabulary documented in docs/metrics.md; change both together.

type Labels = Record<string, string>;

interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

const HELP: Record<string, [type: 'gauge', help: string]> = {
  msa_verify_run_passed: ['gauge', '1 when every check of the run held, else 0'],
  msa_verify_run_timestamp_seconds: ['gauge', 'End of the run (unix seconds)'],
  msa_verify_run_duration_seconds: ['gauge', 'Wall time of the run'],
  msa_verify_contract_pair_passed: ['gauge', '1 when every interaction of the consumer/provider pair verified'],
  msa_verify_contract_interactions: ['gauge', 'Interactions of the pair by result (passed|failed)'],
  msa_verify_contract_interaction_passed: ['gauge', '1 when the interaction verified, else 0'],
  msa_verify_contract_duration_seconds: ['gauge', 'Time spent verifying the pair'],
  msa_verify_chaos_scenario_passed: ['gauge', '1 when every expectation of the scenario held'],
  msa_verify_chaos_expectation_passed: ['gauge', '1 when the expectation held in the phase'],
  msa_verify_chaos_expectation_observed: ['gauge', 'Observed value of the expectation, in the unit label'],
  msa_verify_chaos_phase_requests: ['gauge', 'Requests sent in the phase by result (ok|error)'],
  msa_verify_chaos_phase_latency_seconds: ['gauge', 'Client-side latency of the phase by quantile'],
  msa_verify_chaos_fault_start_timestamp_seconds: ['gauge', 'Start of a fault window (unix seconds)'],
  msa_verify_chaos_fault_end_timestamp_seconds: ['gauge', 'End of a fault window (unix seconds)'],
  msa_verify_chaos_rollback_ok: ['gauge', '1 when every proxy and toxic of the run was removed'],
  msa_verify_chaos_delivered_delay_seconds: [
    'gauge',
    'Delivery delay (first processing - publish) of the messages a delivered check counted, by quantile (0.5, 1 = max)',
  ],
  msa_verify_chaos_delivered_messages: [
    'gauge',
    'Messages of a delivered check by result (published|processed|lost|duplicated|late), for the run (phase="all") or per publishing phase',
  ],
  msa_verify_chaos_consumer_lag_max_messages: [
    'gauge',
    'Highest consumer lag (end offsets - committed offsets, summed over partitions) sampled during the run',
  ],
  msa_verify_chaos_live_consumer_lag_messages: [
    'gauge',
    'Consumer lag of a Kafka consumer group (end offsets - committed offsets, summed over partitions) during a chaos run',
  ],
  msa_verify_chaos_live_requests_per_second: ['gauge', 'Request rate of the running chaos phase'],
  msa_verify_chaos_live_error_ratio: ['gauge', 'Share of failed requests (0..1) in the running chaos phase'],
  msa_verify_chaos_live_latency_seconds: ['gauge', 'Client-side latency of the running chaos phase by quantile'],
  msa_verify_chaos_live_timestamp_seconds: ['gauge', 'When the live progress was measured (unix seconds)'],
  msa_verify_trace_check_passed: ['gauge', '1 when every rule of the trace check held'],
  msa_verify_trace_rule_passed: ['gauge', '1 when the rule of the trace check held, else 0'],
  msa_verify_trace_spans: ['gauge', 'Spans of the checked request (all traces carrying its correlation ID)'],
  msa_verify_trace_services_missing: ['gauge', 'Services the check names that reported no span'],
};

/** Prometheus text exposition of results, in the documented vocabulary. */
export function toExposition(results: readonly RunResult[]): string {
  return formatSamples(
    results.flatMap((r) =>
      r.kind === 'chaos' ? chaosSamples(r) : r.kind === 'trace' ? traceSamples(r) : contractSamples(r),
    ),
  );
}

/**
 * Progress of a running chaos scenario, measured over a short sliding window
 * by the chaos runner and pushed while the run goes on (see {@link pushLive}).
 */
export interface ChaosProgress {
  readonly scenario: string;
  /** Name of the phase that is running. */
  readonly phase: string;
  /** Requests per second over the runner's sliding window. */
  readonly requestsPerSec: number;
  /** Failed requests divided by all requests in the window, 0..1. */
  readonly errorRatio: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** When this was measured, epoch milliseconds. */
  readonly at: number;
}

/** Prometheus text exposition of one live progress sample (`msa_verify_chaos_live_*`). */
export function toLiveExposition(progress: ChaosProgress): string {
  const labels = { scenario: progress.scenario, phase: progress.phase };
  const samples: Sample[] = [
    { name: 'msa_verify_chaos_live_requests_per_second', labels, value: progress.requestsPerSec },
    { name: 'msa_verify_chaos_live_error_ratio', labels, value: progress.errorRatio },
  ];
  for (const [quantile, ms] of [
    ['0.5', progress.p50Ms],
    ['0.95', progress.p95Ms],
    ['0.99', progress.p99Ms],
  ] as const) {
    samples.push({ name: 'msa_verify_chaos_live_latency_seconds', labels: { ...labels, quantile }, value: ms / 1000 });
  }
  samples.push({
    name: 'msa_verify_chaos_live_timestamp_seconds',
    labels: { scenario: progress.scenario },
    value: progress.at / 1000,
  });
  return formatSamples(samples);
}

/**
 * Pushes live progress of a chaos run with POST under the scenario's grouping
 * key (job, kind=chaos, scenario): POST replaces only the `live` metrics, and
 * the final {@link pushResults} (PUT) replaces the whole group, so the live
 * gauges stop when the run's results land; Prometheus keeps their history.
 * @throws Error with the Pushgateway's answer when the push is refused.
 */
export async function pushLive(options: PushOptions, progress: ChaosProgress): Promise<void> {
  await send(
    options,
    'POST',
    `kind/chaos/scenario/${encodeURIComponent(progress.scenario)}`,
    toLiveExposition(progress),
  );
}

/** One consumer group's lag as sampled during a chaos run (see `delivered` with `lag`). */
export interface ConsumerLagProgress {
  readonly consumer: string;
  readonly topic: string;
  readonly group: string;
  /** Messages: end offsets minus committed offsets, summed over the topic's partitions. */
  readonly lag: number;
}

/** Prometheus text exposition of the newest lag readings of a scenario (`msa_verify_chaos_live_consumer_lag_messages`). */
export function toLiveLagExposition(scenario: string, readings: readonly ConsumerLagProgress[]): string {
  return formatSamples(
    readings.map((r) => ({
      name: 'msa_verify_chaos_live_consumer_lag_messages',
      labels: { scenario, consumer: r.consumer, topic: r.topic, group: r.group },
      value: r.lag,
    })),
  );
}

/**
 * Pushes the newest consumer-lag readings of a running scenario with POST (as
 * {@link pushLive}): give every group of the scenario at once, since a POST
 * replaces all series of the metric in the group; the final results push ends them.
 * @throws Error with the Pushgateway's answer when the push is refused.
 */
export async function pushLiveLag(
  options: PushOptions,
  scenario: string,
  readings: readonly ConsumerLagProgress[],
): Promise<void> {
  if (readings.length === 0) return;
  await send(
    options,
    'POST',
    `kind/chaos/scenario/${encodeURIComponent(scenario)}`,
    toLiveLagExposition(scenario, readings),
  );
}

function formatSamples(samples: readonly Sample[]): string {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const lines: string[] = [];
  for (const [name, group] of byName) {
    const [type, help] = HELP[name] ?? ['gauge', name];
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of group) lines.push(`${name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Where and under which grouping key results are pushed. */
export interface PushOptions {
  /** Pushgateway base URL. */
  readonly url: string;
  /** Job label. Default `msa-verify`. */
  readonly job?: string;
  /** Request timeout in milliseconds. Default 5000. */
  readonly timeoutMs?: number;
}

/**
 * Pushes each result under its own grouping key (kind, and scenario for chaos)
 * with PUT, so a new run replaces the previous one of the same scenario.
 * @throws Error with the Pushgateway's answer when a push is refused.
 */
export async function pushResults(options: PushOptions, results: readonly RunResult[]): Promise<void> {
  for (const r of results) {
    const key =
      r.kind === 'chaos'
        ? `kind/chaos/scenario/${encodeURIComponent(r.scenario)}`
        : r.kind === 'trace'
          ? `kind/trace/scenario/${encodeURIComponent(r.check)}`
          : 'kind/contracts';
    await send(options, 'PUT', key, toExposition([r]));
  }
}

async function send(options: PushOptions, method: 'PUT' | 'POST', key: string, body: string): Promise<void> {
  const job = options.job ?? 'msa-verify';
  const url = `${options.url.replace(/\/$/, '')}/metrics/job/${encodeURIComponent(job)}/${key}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      body,
      headers: { 'content-type': 'text/plain; version=0.0.4' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
  } catch (error) {
    throw new Error(`Pushgateway unreachable at ${url}: ${describeNetError(error)}`, { cause: error });
  }
  if (!res.ok) throw new Error(`Pushgateway refused ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
}

function runSamples(r: RunResult, base: Labels): Sample[] {
  return [
    { name: 'msa_verify_run_passed', labels: { ...base, run_id: r.runId }, value: r.passed ? 1 : 0 },
    { name: 'msa_verify_run_timestamp_seconds', labels: { ...base, run_id: r.runId }, value: r.endedAt / 1000 },
    { name: 'msa_verify_run_duration_seconds', labels: base, value: (r.endedAt - r.startedAt) / 1000 },
  ];
}

function contractSamples(r: ContractsRunResult): Sample[] {
  const out = runSamples(r, { kind: 'contracts' });
  for (const p of r.pairs) {
    const pair = { consumer: p.consumer, provider: p.provider, type: p.kind };
    const passed = p.interactions.filter((i) => i.passed).length;
    out.push(
      { name: 'msa_verify_contract_pair_passed', labels: pair, value: p.passed ? 1 : 0 },
      { name: 'msa_verify_contract_interactions', labels: { ...pair, result: 'passed' }, value: passed },
      {
        name: 'msa_verify_contract_interactions',
        labels: { ...pair, result: 'failed' },
        value: p.interactions.length - passed,
      },
      { name: 'msa_verify_contract_duration_seconds', labels: pair, value: p.durationMs / 1000 },
    );
    for (const i of p.interactions) {
      out.push({
        name: 'msa_verify_contract_interaction_passed',
        labels: { ...pair, interaction: i.description },
        value: i.passed ? 1 : 0,
      });
    }
  }
  return out;
}

function traceSamples(r: TraceCheckResult): Sample[] {
  // The check name goes into `scenario` as well, so run-level panels group trace checks like scenarios.
  const check = { check: r.check };
  const out = runSamples(r, { kind: 'trace', scenario: r.check });
  out.push(
    { name: 'msa_verify_trace_check_passed', labels: check, value: r.passed ? 1 : 0 },
    { name: 'msa_verify_trace_spans', labels: check, value: r.spans.length },
    { name: 'msa_verify_trace_services_missing', labels: check, value: r.neverReported.length },
  );
  for (const v of r.verdicts) {
    out.push({
      name: 'msa_verify_trace_rule_passed',
      labels: { ...check, rule: v.rule, name: v.name },
      value: v.passed ? 1 : 0,
    });
  }
  return out;
}

function chaosSamples(r: ChaosRunResult): Sample[] {
  const scenario = { scenario: r.scenario };
  const out = runSamples(r, { kind: 'chaos', ...scenario });
  out.push(
    { name: 'msa_verify_chaos_scenario_passed', labels: scenario, value: r.passed ? 1 : 0 },
    { name: 'msa_verify_chaos_rollback_ok', labels: scenario, value: r.rolledBack ? 1 : 0 },
  );
  for (const p of r.phases) {
    const phase = { ...scenario, phase: p.name };
    out.push(
      { name: 'msa_verify_chaos_phase_requests', labels: { ...phase, result: 'ok' }, value: p.requests - p.errors },
      { name: 'msa_verify_chaos_phase_requests', labels: { ...phase, result: 'error' }, value: p.errors },
    );
    for (const [quantile, ms] of [
      ['0.5', p.latencyMs.p50],
      ['0.95', p.latencyMs.p95],
      ['0.99', p.latencyMs.p99],
      ['1', p.latencyMs.max],
    ] as const) {
      out.push({ name: 'msa_verify_chaos_phase_latency_seconds', labels: { ...phase, quantile }, value: ms / 1000 });
    }
    for (const v of p.verdicts) {
      const labels = { ...phase, expectation: v.type, name: v.name };
      out.push({ name: 'msa_verify_chaos_expectation_passed', labels, value: v.passed ? 1 : 0 });
      if (v.observed !== null) {
        out.push({
          name: 'msa_verify_chaos_expectation_observed',
          labels: { ...labels, unit: v.unit, bound: v.bound },
          value: v.observed,
        });
      }
    }
  }
  for (const d of r.phases.flatMap((p) => p.deliveries ?? [])) {
    const labels = { ...scenario, name: d.name, consumer: d.consumer, transport: d.transport, phase: d.phase };
    for (const result of ['published', 'processed', 'lost', 'duplicated', 'late'] as const) {
      out.push({ name: 'msa_verify_chaos_delivered_messages', labels: { ...labels, result }, value: d[result] });
    }
    if (d.delayMs) {
      for (const [quantile, ms] of [
        ['0.5', d.delayMs.p50],
        ['1', d.delayMs.max],
      ] as const) {
        out.push({
          name: 'msa_verify_chaos_delivered_delay_seconds',
          labels: { ...labels, quantile },
          value: ms / 1000,
        });
      }
    }
  }
  for (const l of r.consumerLag ?? []) {
    if (l.points.length === 0) continue;
    out.push({
      name: 'msa_verify_chaos_consumer_lag_max_messages',
      labels: { ...scenario, name: l.name, consumer: l.consumer, topic: l.topic, group: l.group },
      value: Math.max(...l.points.map((p) => p.lag)),
    });
  }
  for (const f of r.faults) {
    const labels = { ...scenario, proxy: f.proxy, toxic: f.toxic, type: f.type };
    out.push(
      { name: 'msa_verify_chaos_fault_start_timestamp_seconds', labels, value: f.startedAt / 1000 },
      { name: 'msa_verify_chaos_fault_end_timestamp_seconds', labels, value: f.endedAt / 1000 },
    );
  }
  return out;
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}
