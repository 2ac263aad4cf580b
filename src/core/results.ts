// Result data shared by the domains and the reporters. Chaos and contracts
// produce these; report/ and dashboards/ consume them; the CLI wires them.
// Times are epoch milliseconds unless a field says otherwise.

/** Verdict of one expectation in one phase of a chaos run. */
export interface ExpectationVerdict {
  /** Registry type, e.g. `latency`, `retry`, `circuit-breaker`. */
  readonly type: string;
  /** Display name (defaults to the type plus its main parameter). */
  readonly name: string;
  readonly phase: string;
  readonly passed: boolean;
  /** What was measured, in `unit`; null when there was nothing to measure. */
  readonly observed: number | null;
  /** The bound as written, e.g. `<= 800ms`, `<= 3 attempts`. */
  readonly bound: string;
  readonly unit: string;
  /** One readable sentence: why it passed or failed. */
  readonly message: string;
}

/** Client-side latency summary in milliseconds. */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * What a `delivered` check counted for one set of messages: the whole run
 * (`phase: 'all'`) or the messages published in one phase.
 */
export interface DeliveryCount {
  /** The check's display name. */
  readonly name: string;
  /** `service.name` of the consumer whose processing was counted. */
  readonly consumer: string;
  readonly transport: 'kafka' | 'rabbitmq';
  /** `all`, or the phase the messages were published in. */
  readonly phase: string;
  readonly published: number;
  readonly processed: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly late: number;
  /** Up to three message ids of each kind. */
  readonly examples: {
    readonly lost: readonly string[];
    readonly duplicated: readonly string[];
    readonly late: readonly string[];
  };
  /** Delivery delay (first processing - publish) of the processed messages, ms; absent when none was processed. */
  readonly delayMs?: { readonly p50: number; readonly max: number };
}

/** One sample of a Kafka consumer group's lag. */
export interface ConsumerLagPoint {
  /** Epoch ms the offsets were read. */
  readonly at: number;
  /** Sum over the topic's partitions of their end (high-water) offsets. */
  readonly end: number;
  /** Sum of the group's committed offsets (a partition without a commit counts its low offset). */
  readonly committed: number;
  /** `end - committed`: messages in the topic the group has not committed yet. */
  readonly lag: number;
}

/**
 * Consumer lag of a Kafka consumer group over a chaos run, sampled with an
 * admin client for a `delivered` check with `lag` (from the start of the load
 * until the check ended).
 */
export interface ConsumerLagSeries {
  /** The `delivered` check's display name. */
  readonly name: string;
  readonly consumer: string;
  readonly topic: string;
  readonly group: string;
  /** Samples in time order (reads that failed are missing). */
  readonly points: readonly ConsumerLagPoint[];
  /** Reads that failed, and the first failure's message. */
  readonly failedReads?: { readonly count: number; readonly first: string };
}

/** One phase of a chaos run. */
export interface PhaseResult {
  readonly name: string;
  readonly kind: 'steady' | 'fault' | 'fail-first' | 'recovery';
  readonly startedAt: number;
  readonly endedAt: number;
  readonly requests: number;
  /** Requests that failed: transport error or a status the scenario counts as an error. */
  readonly errors: number;
  readonly latencyMs: LatencySummary;
  readonly verdicts: readonly ExpectationVerdict[];
  /** Counts of the `delivered` checks (on the `eventually` pseudo-phase). */
  readonly deliveries?: readonly DeliveryCount[];
}

/** A window during which a fault was active; becomes a dashboard annotation. */
export interface FaultWindow {
  readonly proxy: string;
  /** Toxic name (carries the run id), or `proxy-down`. */
  readonly toxic: string;
  /** Toxic type, e.g. `latency`, `reset_peer`, `down`. */
  readonly type: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Open connections closed when the fault started (`cutConnections`), as counted by the proxy's tap. */
  readonly cutConnections?: number;
}

/** One point of the latency timeline, for charts. */
export interface TimelinePoint {
  /** Milliseconds since the run started. */
  readonly t: number;
  readonly latencyMs: number;
  /** HTTP status; 0 for a transport error or client timeout. */
  readonly status: number;
  readonly phase: string;
}

/** Everything one chaos scenario run produced. */
export interface ChaosRunResult {
  readonly kind: 'chaos';
  readonly runId: string;
  readonly scenario: string;
  readonly file: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly passed: boolean;
  readonly phases: readonly PhaseResult[];
  readonly faults: readonly FaultWindow[];
  readonly timeline: readonly TimelinePoint[];
  /** True when every proxy and toxic the run created was removed. */
  readonly rolledBack: boolean;
  /** Consumer lag sampled during the run (`delivered` checks with `lag`); absent when none asked for it. */
  readonly consumerLag?: readonly ConsumerLagSeries[];
  /**
   * Set when a signal stopped the run: the signal's name (e.g. `SIGINT`). The
   * result is then partial: the phases that ran, unjudged, and `passed` false.
   */
  readonly interrupted?: string;
}

/** One mismatch found while verifying an interaction. */
export interface Mismatch {
  /** Where in the request/response/message, e.g. `body.items[0].price`, `status`, `metadata.routingKey`. */
  readonly path: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly message: string;
}

/** Result of verifying one interaction. */
export interface InteractionResult {
  readonly description: string;
  readonly providerStates: readonly string[];
  readonly passed: boolean;
  readonly mismatches: readonly Mismatch[];
}

/** Result of one consumer/provider pair. */
export interface ContractPairResult {
  readonly consumer: string;
  readonly provider: string;
  readonly kind: 'http' | 'message' | 'transport' | 'grpc';
  readonly passed: boolean;
  readonly durationMs: number;
  readonly interactions: readonly InteractionResult[];
}

/** A configured provider that had no pact to verify. */
export interface ProviderWithoutPacts {
  readonly provider: string;
  /** True when the config allows it (`allowNoPacts`); otherwise it fails the run. */
  readonly allowed: boolean;
}

/** Everything one `msa-verify contracts` run produced. */
export interface ContractsRunResult {
  readonly kind: 'contracts';
  readonly runId: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly passed: boolean;
  readonly pairs: readonly ContractPairResult[];
  /** Configured providers with no pact to verify. Absent or empty when every provider had pacts. */
  readonly withoutPacts?: readonly ProviderWithoutPacts[];
}
