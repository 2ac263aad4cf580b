// Starts tracing inside the app process, synchronously (so that `require()` of
// this module works from CommonJS). Flow:
//   settings (env) -> diag logger -> context manager + propagators (W3C trace
//   context, baggage, correlation ID) -> tracer provider with our span
//   processor + one bounded batch processor per exporter -> ESM loader hook for
//   the target packages -> instrumentations for the packages the app can
//   resolve -> metrics endpoint -> flush on exit.
// Every step is guarded: a failure becomes one warning and the app runs on.
import { createRequire } from 'node:module';
import path from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import type { Span } from '@opentelemetry/api';
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import * as core from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import * as sdk from '@opentelemetry/sdk-trace';
import { OnceLogger } from './diag.js';
import { createExporters } from './export/exporters.js';
import { subscribeFastify } from './http-server/fastify-channel.js';
import { HttpServerInstrumentation } from './http-server/http-server.js';
import { ServerSpanFactory } from './http-server/server-span.js';
import { RedMetrics } from './metrics.js';
import { serveMetrics } from './metrics-server.js';
import { alreadyLoaded, onFirstRequire } from './packages/deferred-require.js';
import { mainIsEsm, registerEsmHooks, trackEsmResolutions } from './packages/esm-hooks.js';
import { INSTRUMENTATIONS, type InstrumentationHooks } from './packages/registry.js';
import { CORRELATION_ATTRIBUTE, CorrelationPropagator, correlationFromHeaders } from './propagation/correlation.js';
import { BaggageCorrelation, LastTraceparent } from './propagation/propagators.js';
import { parentPublishesOnRequests, RecentRequests } from './propagation/recent-requests.js';
import { type ReportState, targetLoaded, writeReportAtExit } from './report.js';
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
  const report: ReportState = { esmHooks: 'none', rows: new Map(), esmUrls: new Set() };
  let writeNow = () => {};
  if (settings.reportFile) {
    trackEsmResolutions((url) => {
      if (url.includes('/node_modules/')) report.esmUrls.add(url);
    });
    writeNow = writeReportAtExit(settings.reportFile, report, settings.disabled);
  }
  if (settings.disabled) {
    writeNow();
    return { settings, report, flush: () => Promise.resolve() };
  }

  api.diag.setLogger(logger, api.DiagLogLevel.WARN);
  core.setGlobalErrorHandler((error) => warn(`export error: ${(error as Error)?.message ?? String(error)}`));

  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const correlation = new CorrelationPropagator({
    headers: settings.correlationHeaders,
    fromSpan: (ctx) => correlationOfSpan(api.trace.getSpan(ctx)),
  });
  api.propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: [
        new LastTraceparent(new core.W3CTraceContextPropagator()),
        new core.W3CBaggagePropagator(),
        new BaggageCorrelation(api, correlation),
      ],
    }),
  );

  const metrics = settings.metricsPort !== undefined ? new RedMetrics(settings.serviceName) : undefined;
  // Remembers server spans only once amqplib is patched: until then no publish can look them up.
  const recent = new RecentRequests({ active: false });
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
  const serverSpans = new ServerSpanFactory({
    api,
    core,
    sampler,
    processors,
    resource,
    scope: { name: 'msa-verify-http-server', version: undefined, schemaUrl: undefined },
  });
  api.trace.setGlobalTracerProvider(provider);

  const appRequire = appRequires();
  const entries = INSTRUMENTATIONS.filter((entry) => {
    const enabled =
      (settings.enabledInstrumentations?.has(entry.name) ?? true) && !settings.disabledInstrumentations.has(entry.name);
    const resolvable = entry.target === null || appRequire.some((r) => canResolve(r, entry.target!));
    const state = !enabled ? 'disabled' : !resolvable ? 'not-resolvable' : 'enabled';
    report.rows.set(entry.name, { target: entry.target, state, patched: () => false });
    return state === 'enabled';
  });
  // The loader hook costs every module load; a CommonJS app does not need it (require is patched directly).
  const hooksWanted = settings.esmHooks === 'on' || (settings.esmHooks === 'auto' && mainIsEsm(process.argv[1]));
  const esm = hooksWanted
    ? registerEsmHooks(
        entries.flatMap((e) => e.esmSpecifiers),
        warn,
      )
    : { mode: 'none' as const, ready: () => Promise.resolve() };
  report.esmHooks = esm.mode;

  let metricsPort = -1;
  const hooks: InstrumentationHooks = {
    settings,
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
  const install = (entry: (typeof entries)[number]): void => {
    try {
      const instrumentation = entry.create(hooks);
      if (!instrumentation) return;
      const patched = trackPatches(instrumentation);
      if (entry.name === 'amqplib') {
        afterFilePatch(instrumentation, (exports) => {
          const model = exports as { Channel?: { prototype: object }; ConfirmChannel?: { prototype: object } };
          for (const cls of [model.Channel, model.ConfirmChannel]) {
            if (cls) parentPublishesOnRequests(cls.prototype, recent, settings.correlationHeaders);
          }
        });
      }
      // Created with enabled: false (so hooks attach after tracking); some read the flag at run time.
      instrumentation.setConfig({ ...instrumentation.getConfig(), enabled: true });
      instrumentation.enable();
      report.rows.set(entry.name, { target: entry.target, state: 'enabled', patched });
    } catch (error) {
      report.rows.set(entry.name, {
        target: entry.target,
        state: 'failed',
        detail: (error as Error).message,
        patched: () => false,
      });
      warn(`instrumentation ${entry.name} not installed: ${(error as Error).message}`);
    }
  };
  const modulePrototype = (req('node:module') as { prototype: { require: (id: string) => unknown } }).prototype;
  for (const entry of entries) {
    if (entry.name === 'fastify') {
      subscribeFastify(api, core);
      report.rows.set(entry.name, {
        target: entry.target,
        state: 'enabled',
        patched: () => targetLoaded('fastify', report.esmUrls),
      });
      continue;
    }
    // CommonJS only (no loader hook): a package not loaded yet gets its instrumentation at its first require.
    if (entry.target !== null && esm.mode === 'none' && !alreadyLoaded(req.cache, entry.target)) {
      onFirstRequire(modulePrototype, entry.target, () => install(entry));
      continue;
    }
    install(entry);
    if (entry.name === 'http') {
      try {
        new HttpServerInstrumentation(
          {
            http: req('node:http') as typeof import('node:http'),
            https: req('node:https') as typeof import('node:https'),
          },
          api,
          core,
          {
            startSpan: (name, parent, attributes) => serverSpans.start(name, parent, attributes),
            // Only when the metrics endpoint runs: reading localPort costs a getsockname per connection.
            isOwnRequest: (request) =>
              metricsPort >= 0 && (request as { socket?: { localPort?: number } }).socket?.localPort === metricsPort,
            correlationHeader: settings.correlationHeaders[0]!,
            correlationOf,
            captureHeaders: settings.captureHeaders,
          },
        ).enable();
      } catch (error) {
        warn(`http server spans not installed: ${(error as Error).message}`);
      }
    }
  }
  // Async loader only (old Nodes): cannot be awaited without blocking require(); imports right after start may be missed.
  esm.ready().catch(() => {});

  if (metrics && settings.metricsPort !== undefined) {
    metricsPort = settings.metricsPort;
    serveMetrics(req('node:http') as typeof import('node:http'), metricsPort, metrics, warn);
  }
  // Patch built-ins now, so that ESM named imports (`import { request } from 'node:http'`) see the wrappers.
  req('node:http');
  req('node:https');
  (req('node:module') as typeof import('node:module')).syncBuiltinESMExports();

  const flush = () => {
    // A signal re-raised after the flush ends the process without an 'exit' event.
    writeNow();
    return provider.forceFlush({ timeoutMillis: settings.flushTimeoutMs });
  };
  installFlushOnExit({ flush, timeoutMs: settings.flushTimeoutMs });
  return { settings, report, flush };
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

/** Require functions rooted at the working directory and at the main script. */
function appRequires(): NodeJS.Require[] {
  const dirs = new Set([process.cwd()]);
  if (process.argv[1]) dirs.add(path.dirname(path.resolve(process.argv[1])));
  return [...dirs].map((dir) => createRequire(path.join(dir, '__msa_verify_resolve__.js')));
}

function canResolve(r: NodeJS.Require, pkg: string): boolean {
  for (const id of [pkg, `${pkg}/package.json`]) {
    try {
      r.resolve(id);
      return true;
    } catch (error) {
      // An ESM-only package without a `require` condition still exists.
      if ((error as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true;
    }
  }
  return false;
}

interface ModuleDef {
  moduleExports?: unknown;
  files?: { moduleExports?: unknown }[];
}

/** Returns a probe telling whether any module definition of `instrumentation` was patched. */
function trackPatches(instrumentation: Instrumentation): () => boolean {
  const modules = (instrumentation as unknown as { _modules?: ModuleDef[] })._modules ?? [];
  // Diagnostics-channel instrumentations (undici) patch nothing: subscribed is all there is.
  if (modules.length === 0) return () => true;
  return () =>
    modules.some((m) => m.moduleExports !== undefined || (m.files ?? []).some((f) => f.moduleExports !== undefined));
}

/** Runs `after` on the exports each module file patch of `instrumentation` returns (before enable()). */
function afterFilePatch(instrumentation: Instrumentation, after: (exports: unknown) => void): void {
  type Patch = (exports: unknown, version?: string) => unknown;
  const modules = (instrumentation as unknown as { _modules?: { files?: { patch?: Patch }[] }[] })._modules ?? [];
  for (const file of modules.flatMap((m) => m.files ?? [])) {
    const patch = file.patch;
    if (typeof patch !== 'function') continue;
    file.patch = (exports, version) => {
      const result = patch(exports, version);
      try {
        after(result);
      } catch {
        // the instrumentation's own patch stands
      }
      return result;
    };
  }
}
