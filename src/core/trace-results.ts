// Result data of a trace check (`msa-verify trace`), shared by src/trace and the
// reporters. Times are epoch milliseconds unless a field says otherwise.

/** Verdict of one rule of a trace check. */
export interface TraceRuleVerdict {
  /** Rule type: `request`, `one-trace`, `hop`, `order`, `correlation`, `errors`, `logs`. */
  readonly rule: string;
  /** Display name, e.g. `orders → products` for a hop. */
  readonly name: string;
  readonly passed: boolean;
  /** What was measured, in `unit`; null when there was nothing to measure. */
  readonly observed: number | null;
  /** The bound as written, e.g. `1 trace`, `<= 2s`, `every span`. */
  readonly bound: string;
  readonly unit: string;
  /** One readable sentence; a failure names the hop or service. */
  readonly message: string;
}

/** One span of the checked trace, in tree order (depth-first, children by start time). */
export interface TraceSpanRow {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  /** Nesting level in the tree; 0 for roots. */
  readonly depth: number;
  readonly service: string;
  readonly name: string;
  readonly kind: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  readonly startTime: number;
  readonly durationMs: number;
  readonly status: 'unset' | 'ok' | 'error';
  /** The span's `correlation.id`, null when it has none. */
  readonly correlationId: string | null;
}

/** Everything one trace check produced. */
export interface TraceCheckResult {
  readonly kind: 'trace';
  readonly runId: string;
  /** The check's `name`. */
  readonly check: string;
  readonly file: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly passed: boolean;
  /** The fresh correlation ID this run sent. */
  readonly correlationId: string;
  /** The trace the rules were judged on (the one rooted at the entry service); null when none was found. */
  readonly traceId: string | null;
  /** Where the trace can be opened (Jaeger UI), when the source is Jaeger. */
  readonly traceUrl: string | null;
  /** Where spans came from, e.g. `jaeger:http://127.0.0.1:16686`. */
  readonly source: string;
  readonly verdicts: readonly TraceRuleVerdict[];
  /** The checked trace, plus roots of other traces carrying the correlation ID. */
  readonly spans: readonly TraceSpanRow[];
  /** Services the check names that reported no span carrying this request's correlation ID (or in its traces). */
  readonly neverReported: readonly string[];
  /** From the end of the last span seen to the verdict, ms (the cost of waiting for late spans). */
  readonly lastSpanToVerdictMs: number | null;
}
