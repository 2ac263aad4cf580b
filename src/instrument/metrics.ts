// RED metrics from finished HTTP spans, served as Prometheus text on
// 127.0.0.1:<MSA_VERIFY_METRICS_PORT>/metrics. Names and labels are agreed
// with the dashboards; only sampled (recorded) spans are counted.
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { SPAN_KIND_CLIENT, SPAN_KIND_SERVER } from './otel-enums.js';

/** Histogram bucket upper bounds, seconds. */
export const DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** Server request duration; labels service, method, route, status_code. */
export const SERVER_DURATION = 'msa_verify_http_server_duration_seconds';
/** Client request duration; labels service, peer, method, status_code. */
export const CLIENT_DURATION = 'msa_verify_http_client_duration_seconds';

interface Series {
  readonly labels: string;
  readonly counts: number[];
  sum: number;
  count: number;
}

// Bounded label cardinality: beyond this, new label sets fold into one "other" series.
const MAX_SERIES = 500;

/** A Prometheus histogram with a fixed label order. */
export class Histogram {
  readonly #series = new Map<string, Series>();
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  /** Records one observation of `seconds`. */
  observe(labelValues: readonly string[], seconds: number): void {
    let key = this.labelNames.map((n, i) => `${n}="${escapeLabel(labelValues[i] ?? '')}"`).join(',');
    if (!this.#series.has(key) && this.#series.size >= MAX_SERIES) {
      key = this.labelNames.map((n) => `${n}="other"`).join(',');
    }
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: key, counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    for (let i = 0; i < DURATION_BUCKETS.length; i++) if (seconds <= DURATION_BUCKETS[i]!) series.counts[i]!++;
    series.sum += seconds;
    series.count++;
  }

  /** Prometheus text exposition of this histogram. */
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.#series.values()) {
      DURATION_BUCKETS.forEach((le, i) => {
        out += `${this.name}_bucket{${s.labels},le="${le}"} ${s.counts[i]}\n`;
      });
      out += `${this.name}_bucket{${s.labels},le="+Inf"} ${s.count}\n`;
      out += `${this.name}_sum{${s.labels}} ${s.sum}\n${this.name}_count{${s.labels}} ${s.count}\n`;
    }
    return out;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function str(attributes: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = attributes[key];
    if (v !== undefined && v !== null) return String(v);
  }
  return undefined;
}

/** The two RED histograms, fed with finished spans. */
export class RedMetrics {
  readonly server = new Histogram(SERVER_DURATION, 'HTTP server request duration in seconds', [
    'service',
    'method',
    'route',
    'status_code',
  ]);
  readonly client = new Histogram(CLIENT_DURATION, 'HTTP client request duration in seconds', [
    'service',
    'peer',
    'method',
    'status_code',
  ]);
  readonly #service: string;

  constructor(service: string) {
    this.#service = service;
  }

  /** Records `span` when it is an HTTP server or client span. */
  record = (span: ReadableSpan): void => {
    const a = span.attributes;
    const method = str(a, 'http.request.method', 'http.method');
    if (method === undefined) return;
    const seconds = span.duration[0] + span.duration[1] / 1e9;
    const status = str(a, 'http.response.status_code', 'http.status_code') ?? '0';
    if (span.kind === SPAN_KIND_SERVER) {
      this.server.observe([this.#service, method, str(a, 'http.route') ?? 'unmatched', status], seconds);
    } else if (span.kind === SPAN_KIND_CLIENT) {
      const host = str(a, 'server.address', 'net.peer.name') ?? 'unknown';
      const port = str(a, 'server.port', 'net.peer.port');
      this.client.observe([this.#service, port ? `${host}:${port}` : host, method, status], seconds);
    }
  };

  /** Prometheus text for both histograms. */
  render(): string {
    return this.server.render() + this.client.render();
  }
}
