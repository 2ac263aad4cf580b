/** One span, normalised from any trace source. Times are epoch ms. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  /** `service.name` of the span's resource (`unknown` when absent). */
  service: string;
  startTime: number;
  endTime: number;
  attributes: Record<string, unknown>;
  status: 'unset' | 'ok' | 'error';
}

/** Where a run reads spans from: the embedded OTLP receiver, a JSON-lines file, Jaeger, ... */
export interface TraceSource {
  readonly name: string;
  /** Spans overlapping `[from, to]` (epoch ms). */
  spans(window: { from: number; to: number }): Promise<SpanRecord[]>;
  close(): Promise<void>;
}
