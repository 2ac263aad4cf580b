// Starts tracing inside the app process, synchronously (so that `require()` of
// this module works from CommonJS). Flow:
//   settings (env) -> diag logger -> context manager + propagators (W3C trace
//   context Level 2, baggage, correlation ID) -> tracer provider with our span
//   processor + one bounded batch processor per exporter -> ESM loader hook for
//   the target packages and instrumentations for the packages the app can
//   resolve (packages/install.ts) -> metrics endpoint -> flush on exit
//   (also synchronously at the `exit` event, export/exit-flush.ts).
// Every step is guarded: a failure becomes one warning and the app runs on.
import { createRequire } from 'node:module';
import { isMainThread, workerData } from 'node:worker_threads';
import type { Span } from '@opentelemetry/api';
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import * as core from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import * as sdk from '@opentelemetry/sdk-trace';
import { OnceLogger } from './diag.js';
import { flushAllSync } from './export/exit-flush.js';
import { createExporters } from './export/exporters.js';
import { ServerSpanFactory } from './http-server/server-span.js';
import { RedMetrics } from './metrics.js';
import { serveMetrics } from './metrics-server.js';
import { trackEsmResolutions } from './packages/esm-hooks.js';
import { installInstrumentations } from './packages/install.js';
import type { InstrumentationHooks } from './packages/registry.js';
import { CORRELATION_ATTRIBUTE, CorrelationPropagator, correlationFromHeaders } from './propagation/correlation.js';
import { BaggageCorrelation } from './propagation/propagators.js';
import { propagateRandomFlag } from './propagation/random-flag.js';
import { RecentRequests } from './propagation/recent-requests.js';
import { W3CTraceContextLevel2 } from './propagation/trace-context.js';
import { type ReportState, writeReportAtExit } from './report.js';
import { type InstrumentSettings, readSettings, type SamplerSetting } from './settings.js';
import { installFlushOnExit } from './shutdown.js';
import { correlationOf, correlationOfSpan, MsaVerifySpanProcessor } from './span-processor.js';

const req = createRequire(import.meta.url);

/** State of a started preload, shared through a global symbol across module copies. */
export interface PreloadState {
  readonly settings: InstrumentSettings;
  readonly report: ReportState;
  readonly flush: () => Promise<void>;
}

/** Starts the preload once per process; later calls return the first result. */
export function startPreload(env: NodeJS.ProcessEnv = process.env): PreloadState | null {
  const g = globalThis as { [STARTED]?: PreloadState | null };
  if (g[STARTED] !== undefined) return g[STARTED];
  // Our own export worker (worker-send.ts) is never traced, should a Node run preloads in workers.
  if (!isMainThread && (workerData as { msaVerifyExportWorker?: unknown } | null)?.msaVerifyExportWorker === true) {
    g[STARTED] = null;
    return null;
  }
  try {
    g[STARTED] = start(env);
  } catch (error) {
    g[STARTED] = null;
    new OnceLogger().warnOnce(`preload disabled after an internal error: ${(error as Error)?.message ?? error}`);
  }
  return g[STARTED];
}

const STARTED = Symbol.for('msa-verify.instrument.started');

function start(env: NodeJS.ProcessEnv): PreloadState | null {
  const logger = new OnceLogger();
  const warn = (m: string) => logger.warnOnce(m);
  const settings = readSettings(env, warn);
  const report: ReportState = { esmHooks: 'none', rows: new Map(), esmUrls: new Set(), appUrls: new Set() };
  const writeNow = settings.reportFile ? reportAtExit(settings.reportFile, report, settings.disabled) : () => {};
  if (settings.disabled) {
    writeNow();
    return { settings, report, flush: () => Promise.resolve() };
  }

  api.diag.setLogger(logger, api.DiagLogLevel.WARN);
  core.setGlobalErrorHandler((error) => warn(`export error: ${(error as Error)?.message ?? String(error)}`));
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(createPropagator(settings));

  const metrics = settings.metricsPort !== undefined ? new RedMetrics(settings.serviceName) : undefined;
  // Remembers server spans only once amqplib is patched: until then no publish can look them up.
  const recent = new RecentRequests({ active: false });
  const { provider, serverSpans, processors } = createTracing(settings, warn, metrics, recent);
  api.trace.setGlobalTracerProvider(provider);

  const metricsPort = metrics && settings.metricsPort !== undefined ? settings.metricsPort : -1;
  installInstrumentations({
    settings,
    report,
    warn,
    hooks: instrumentationHooks(settings, warn, {
      recentRequests: recent,
      startServerSpan: (name, parent, attributes) => serverSpans.start(name, parent, attributes),
      // Only when the metrics endpoint runs: reading localPort costs a getsockname per connection.
      isOwnRequest: (request) =>
        metricsPort >= 0 && (request as { socket?: { localPort?: number } }).socket?.localPort === metricsPort,
    }),
  });

  if (metrics && metricsPort >= 0)
    serveMetrics(req('node:http') as typeof import('node:http'), metricsPort, metrics, warn);
  // Patch built-ins now, so that ESM named imports (`import { request } from 'node:http'`) see the wrappers.
  req('node:http');
  req('node:https');
  (req('node:module') as typeof import('node:module')).syncBuiltinESMExports();

  const flush = () => {
    // A signal re-raised after the flush ends the process without an 'exit' event.
    writeNow();
    return provider.forceFlush({ timeoutMillis: settings.flushTimeoutMs });
  };
  installFlushOnExit({
    flush,
    timeoutMs: settings.flushTimeoutMs,
    // The report has its own exit handler (report.ts).
    flushSync: (timeoutMs) => flushAllSync(processors, timeoutMs),
  });
  return { settings, report, flush };
}

/** Starts recording the ESM resolutions the report needs and writes it at exit; returns "write now". */
function reportAtExit(file: string, report: ReportState, disabled: boolean): () => void {
  trackEsmResolutions((url) => {
    if (url.includes('/node_modules/')) report.esmUrls.add(url);
    else if (url.startsWith('file:')) report.appUrls.add(url);
  });
  return writeReportAtExit(file, report, disabled);
}

/** W3C trace context (Level 2 rules, trace-context.ts), baggage, and the correlation ID. */
function createPropagator(settings: InstrumentSettings): api.TextMapPropagator {
  const correlation = new CorrelationPropagator({
    headers: settings.correlationHeaders,
    fromSpan: (ctx) => correlationOfSpan(api.trace.getSpan(ctx)),
  });
  return new core.CompositePropagator({
    propagators: [
      new W3CTraceContextLevel2(),
      new core.W3CBaggagePropagator(),
      new BaggageCorrelation(api, correlation),
    ],
  });
}

/**
 * The tracer provider (our span processor first, then one batch processor per
 * exporter) and the factory of HTTP server spans, which bypasses the SDK's
 * Tracer but shares its sampler, processors and resource.
 */
function createTracing(
  settings: InstrumentSettings,
  warn: (message: string) => void,
  metrics: RedMetrics | undefined,
  recent: RecentRequests,
): { provider: sdk.TracerProvider; serverSpans: ServerSpanFactory; processors: readonly SpanProcessor[] } {
  const processors: SpanProcessor[] = [new MsaVerifySpanProcessor(settings.redactHeaders, metrics?.record, recent)];
  const exportHooks = {
    untraced: <T>(fn: () => T): T => api.context.with(core.suppressTracing(api.ROOT_CONTEXT), fn),
    exportError: (error: unknown) => core.globalErrorHandler(error as api.Exception),
    // Resolved here, at the top of dist/instrument: bundled, this module's URL is preload.js next to it.
    workerFile: new URL('./export/export-worker.js', import.meta.url),
  };
  for (const { processor } of createExporters(settings, req, warn, exportHooks))
    processors.push(processor(settings.batch));
  const resource = resourceFromAttributes({
    ...settings.resourceAttributes,
    'service.name': settings.serviceName,
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.distro.name': 'msa-verify',
  });
  const sampler = createSampler(settings.sampler);
  // No span limits given: the SDK's defaults, which server spans apply as SPAN_LIMITS.
  const provider = new sdk.TracerProvider({ resource, sampler, spanProcessors: processors });
  propagateRandomFlag(provider);
  const serverSpans = new ServerSpanFactory({
    api,
    core,
    sampler,
    processors,
    resource,
    scope: { name: 'msa-verify-http-server', version: undefined, schemaUrl: undefined },
  });
  return { provider, serverSpans, processors };
}

/** What the registry's entries get from the preload: correlation helpers plus `extra`. */
function instrumentationHooks(
  settings: InstrumentSettings,
  warn: (message: string) => void,
  extra: Pick<InstrumentationHooks, 'recentRequests' | 'startServerSpan' | 'isOwnRequest'>,
): InstrumentationHooks {
  return {
    ...extra,
    settings,
    warn,
    correlationOf,
    outboundAttributes: (headers): Record<string, string> => {
      const id = correlationFromHeaders(headers, settings.correlationHeaders);
      return id === undefined ? {} : { [CORRELATION_ATTRIBUTE]: id };
    },
    adoptHeader: (span, headers) => {
      const id = correlationFromHeaders(headers, settings.correlationHeaders);
      if (id !== undefined) span.setAttribute(CORRELATION_ATTRIBUTE, id);
    },
    logHook: (span: Span, record: Record<string, unknown>) => {
      const id = correlationOfSpan(span);
      if (id !== undefined) record.correlation_id = id;
    },
  };
}

function createSampler(s: SamplerSetting): Sampler {
  switch (s.kind) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return new sdk.TraceIdRatioBasedSampler(s.ratio);
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(s.ratio) });
    default:
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}
