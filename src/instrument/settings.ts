// Settings of the preload, read once from environment variables. Parsing never
// throws: a bad value becomes a warning and the default.
import { correlationHeaders } from './propagation/correlation.js';

/** Wire format of the OTLP exporter. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Exporters the preload can feed. */
export type ExporterName = 'otlp' | 'console' | 'file';

/** Sampler choice from `OTEL_TRACES_SAMPLER` (+ `OTEL_TRACES_SAMPLER_ARG`). */
export type SamplerSetting =
  | { readonly kind: 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off' }
  | { readonly kind: 'traceidratio' | 'parentbased_traceidratio'; readonly ratio: number };

/** Everything the preload reads from the environment. */
export interface InstrumentSettings {
  /** `OTEL_SDK_DISABLED=true`: install nothing at all. */
  readonly disabled: boolean;
  readonly serviceName: string;
  /** From `OTEL_RESOURCE_ATTRIBUTES` (`k=v,k2=v2`, percent-decoded). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly exporters: readonly ExporterName[];
  readonly otlpProtocol: OtlpProtocol;
  /** Full traces URL (`…/v1/traces`), or undefined when OTLP is not used. */
  readonly otlpTracesUrl: string | undefined;
  /** `MSA_VERIFY_TRACES_FILE`: JSON-lines span file. */
  readonly tracesFile: string | undefined;
  readonly sampler: SamplerSetting;
  /** Instrumentation short names from OTEL_NODE_ENABLED_INSTRUMENTATIONS; undefined = all. */
  readonly enabledInstrumentations: ReadonlySet<string> | undefined;
  readonly disabledInstrumentations: ReadonlySet<string>;
  /** Correlation header names, lower case; the first is written. */
  readonly correlationHeaders: readonly string[];
  /** Header names whose values are captured on spans (`MSA_VERIFY_CAPTURE_HEADERS`). */
  readonly captureHeaders: readonly string[];
  /** Extra header names redacted (`MSA_VERIFY_REDACT_HEADERS`), besides the defaults of redact.ts. */
  readonly redactHeaders: readonly string[];
  /** `MSA_VERIFY_METRICS_PORT`: serve Prometheus text on 127.0.0.1:port/metrics. */
  readonly metricsPort: number | undefined;
  /** Batch processor limits (`OTEL_BSP_*`). Milliseconds and span counts. */
  readonly batch: {
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
    readonly scheduledDelayMillis: number;
    readonly exportTimeoutMillis: number;
  };
  /** Upper bound for the flush at exit/signal (`MSA_VERIFY_FLUSH_TIMEOUT_MS`, default 2000). */
  readonly flushTimeoutMs: number;
  /**
   * `MSA_VERIFY_ESM_HOOKS`: `auto` (default) installs the ESM loader hook when the
   * entry point is an ES module; `on` always; `off` never.
   */
  readonly esmHooks: 'auto' | 'on' | 'off';
  /** `MSA_VERIFY_INSTRUMENT_REPORT`: file where the patch report is written at exit. */
  readonly reportFile: string | undefined;
  /**
   * `MSA_VERIFY_EXPRESS_SPANS`: `route` (default) names the server span after the
   * express route and records no span per layer; `handlers` adds a span per route
   * handler; `all` also per middleware and router.
   */
  readonly expressSpans: 'route' | 'handlers' | 'all';
  /**
   * `MSA_VERIFY_EXPORT_THREAD`: `worker` (default) sends OTLP/protobuf batches from
   * a worker thread; `main` sends them from the app's own thread.
   */
  readonly exportThread: 'worker' | 'main';
}

/** Reads settings; `warn` receives one message per ignored value. */
export function readSettings(env: NodeJS.ProcessEnv, warn: (message: string) => void): InstrumentSettings {
  const disabled = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
  const resourceAttributes = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES, warn);
  const serviceName =
    nonEmpty(env.OTEL_SERVICE_NAME) ?? resourceAttributes['service.name'] ?? `unknown_service:${processName()}`;
  const otlpProtocol = parseProtocol(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL, warn);
  const otlpTracesUrl = tracesUrl(env);
  const tracesFile = nonEmpty(env.MSA_VERIFY_TRACES_FILE);
  const exporters = parseExporters(env.OTEL_TRACES_EXPORTER, otlpTracesUrl !== undefined, warn);
  if (tracesFile !== undefined && !exporters.includes('file')) exporters.push('file');
  return {
    disabled,
    serviceName,
    resourceAttributes,
    exporters,
    otlpProtocol,
    otlpTracesUrl: exporters.includes('otlp') ? (otlpTracesUrl ?? 'http://localhost:4318/v1/traces') : undefined,
    tracesFile,
    sampler: parseSampler(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG, warn),
    enabledInstrumentations: nonEmpty(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS)
      ? new Set(list(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS).map(shortName))
      : undefined,
    disabledInstrumentations: new Set(list(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS).map(shortName)),
    correlationHeaders: correlationHeaders(env.MSA_VERIFY_CORRELATION_HEADER),
    captureHeaders: list(env.MSA_VERIFY_CAPTURE_HEADERS).map((h) => h.toLowerCase()),
    redactHeaders: list(env.MSA_VERIFY_REDACT_HEADERS).map((h) => h.toLowerCase()),
    metricsPort: parsePort(env.MSA_VERIFY_METRICS_PORT, warn),
    batch: {
      maxQueueSize: int(env.OTEL_BSP_MAX_QUEUE_SIZE, 2048, 1, 1_000_000, 'OTEL_BSP_MAX_QUEUE_SIZE', warn),
      maxExportBatchSize: int(
        env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
        512,
        1,
        1_000_000,
        'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
        warn,
      ),
      scheduledDelayMillis: int(env.OTEL_BSP_SCHEDULE_DELAY, 1000, 0, 3_600_000, 'OTEL_BSP_SCHEDULE_DELAY', warn),
      exportTimeoutMillis: int(env.OTEL_BSP_EXPORT_TIMEOUT, 10_000, 1, 3_600_000, 'OTEL_BSP_EXPORT_TIMEOUT', warn),
    },
    flushTimeoutMs: int(env.MSA_VERIFY_FLUSH_TIMEOUT_MS, 2000, 1, 60_000, 'MSA_VERIFY_FLUSH_TIMEOUT_MS', warn),
    reportFile: nonEmpty(env.MSA_VERIFY_INSTRUMENT_REPORT),
    esmHooks: parseEsmHooks(env.MSA_VERIFY_ESM_HOOKS, warn),
    expressSpans: parseExpressSpans(env.MSA_VERIFY_EXPRESS_SPANS, warn),
    exportThread: parseExportThread(env.MSA_VERIFY_EXPORT_THREAD, warn),
  };
}

/** `@opentelemetry/instrumentation-http` and `http` both name the http instrumentation. */
function shortName(name: string): string {
  return name.replace(/^@opentelemetry\/instrumentation-/, '').toLowerCase();
}

function processName(): string {
  const main = process.argv[1];
  return main ? (main.split(/[\\/]/).pop() ?? 'node') : 'node';
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseResourceAttributes(value: string | undefined, warn: (m: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of list(value)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      warn(`OTEL_RESOURCE_ATTRIBUTES: ignored "${pair}" (expected key=value)`);
      continue;
    }
    try {
      out[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      warn(`OTEL_RESOURCE_ATTRIBUTES: ignored "${pair}" (bad percent-encoding)`);
    }
  }
  return out;
}

function parseProtocol(value: string | undefined, warn: (m: string) => void): OtlpProtocol {
  const v = nonEmpty(value)?.toLowerCase();
  if (v === undefined || v === 'http/protobuf') return 'http/protobuf';
  if (v === 'http/json') return 'http/json';
  warn(`OTEL_EXPORTER_OTLP_PROTOCOL: "${v}" is not supported (http/protobuf, http/json); using http/protobuf`);
  return 'http/protobuf';
}

function tracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const specific = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (specific) return specific;
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

function parseExporters(value: string | undefined, hasEndpoint: boolean, warn: (m: string) => void): ExporterName[] {
  const names = list(value).map((n) => n.toLowerCase());
  if (names.length === 0) return hasEndpoint ? ['otlp'] : [];
  const out: ExporterName[] = [];
  for (const name of names) {
    if (name === 'none') return [];
    if (name === 'otlp' || name === 'console') out.push(name);
    else warn(`OTEL_TRACES_EXPORTER: "${name}" is not supported (otlp, console, none); ignored`);
  }
  return out;
}

function parseSampler(value: string | undefined, arg: string | undefined, warn: (m: string) => void): SamplerSetting {
  const kind = nonEmpty(value)?.toLowerCase() ?? 'parentbased_always_on';
  switch (kind) {
    case 'always_on':
    case 'always_off':
    case 'parentbased_always_on':
    case 'parentbased_always_off':
      return { kind };
    case 'traceidratio':
    case 'parentbased_traceidratio': {
      const ratio = arg === undefined || arg.trim() === '' ? 1 : Number(arg);
      if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
        warn(`OTEL_TRACES_SAMPLER_ARG: "${arg}" is not a ratio in [0, 1]; using 1`);
        return { kind, ratio: 1 };
      }
      return { kind, ratio };
    }
    default:
      warn(`OTEL_TRACES_SAMPLER: "${kind}" is not supported; using parentbased_always_on`);
      return { kind: 'parentbased_always_on' };
  }
}

function parseEsmHooks(value: string | undefined, warn: (m: string) => void): 'auto' | 'on' | 'off' {
  const v = nonEmpty(value)?.toLowerCase() ?? 'auto';
  if (v === 'auto' || v === 'on' || v === 'off') return v;
  warn(`MSA_VERIFY_ESM_HOOKS: "${v}" is not auto, on or off; using auto`);
  return 'auto';
}

function parseExpressSpans(value: string | undefined, warn: (m: string) => void): 'route' | 'handlers' | 'all' {
  const v = nonEmpty(value)?.toLowerCase() ?? 'route';
  if (v === 'route' || v === 'handlers' || v === 'all') return v;
  warn(`MSA_VERIFY_EXPRESS_SPANS: "${v}" is not route, handlers or all; using route`);
  return 'route';
}

function parseExportThread(value: string | undefined, warn: (m: string) => void): 'worker' | 'main' {
  const v = nonEmpty(value)?.toLowerCase() ?? 'worker';
  if (v === 'worker' || v === 'main') return v;
  warn(`MSA_VERIFY_EXPORT_THREAD: "${v}" is not worker or main; using worker`);
  return 'worker';
}

function parsePort(value: string | undefined, warn: (m: string) => void): number | undefined {
  const v = nonEmpty(value);
  if (v === undefined) return undefined;
  const port = Number(v);
  if (Number.isInteger(port) && port > 0 && port < 65536) return port;
  warn(`MSA_VERIFY_METRICS_PORT: "${v}" is not a TCP port; metrics endpoint not started`);
  return undefined;
}

function int(
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
  warn: (m: string) => void,
): number {
  const v = nonEmpty(value);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  warn(`${name}: "${v}" is not an integer in [${min}, ${max}]; using ${fallback}`);
  return fallback;
}
