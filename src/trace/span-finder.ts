// Where a check reads spans from, behind one small interface: the spans of the
// traces that carry a correlation ID, and (to explain failures) all spans of
// some services in a time window.
import path from 'node:path';
import { parseDuration } from '../core/duration.js';
import { MsaVerifyError } from '../core/errors.js';
import { spansOfRequests } from '../evidence/correlate.js';
import { JsonLinesTraceSource } from '../evidence/file-source.js';
import { JaegerTraceSource, jaegerTraceUrl } from '../evidence/jaeger-source.js';
import { OtlpReceiver } from '../evidence/otlp-receiver.js';
import type { SpanRecord, TraceSource } from '../evidence/types.js';
import type { TraceCheck } from './schema.js';

/** Time window in epoch ms. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

/** A span source as the trace check uses it. */
export interface SpanFinder {
  /** `jaeger:URL`, `otlp-receiver`, `file:PATH`. */
  readonly name: string;
  /** Spans of every trace that has a span carrying `correlation.id = id`. */
  related(id: string, window: Window): Promise<SpanRecord[]>;
  /** Every span of `services` in the window (for diagnoses). */
  around(services: readonly string[], window: Window): Promise<SpanRecord[]>;
  /** The trace's address in a UI, when there is one. */
  traceUrl(traceId: string): string | null;
  close(): Promise<void>;
}

/** Options for {@link openSpanFinder}. */
export interface OpenSpanFinderOptions {
  /** The config's `jaeger.url`, the default for `source.jaeger`. */
  readonly jaegerUrl?: string;
  /** Folder a relative trace file resolves from. */
  readonly cwd: string;
  /** Services the check names (Jaeger needs one per query). */
  readonly services: readonly string[];
}

/**
 * Opens the check's span source (the OTLP receiver starts listening here).
 * @throws MsaVerifyError `MSAV_USAGE` when `source.jaeger` has no URL and the config none either.
 */
export async function openSpanFinder(
  source: TraceCheck['source'],
  options: OpenSpanFinderOptions,
): Promise<SpanFinder> {
  if (source.jaeger) {
    const url = source.jaeger.url ?? options.jaegerUrl;
    if (!url) throw new MsaVerifyError('MSAV_USAGE', 'source.jaeger has no url and the config has no jaeger.url');
    return {
      name: `jaeger:${url}`,
      related: (id, window) =>
        new JaegerTraceSource({
          url,
          services: [...options.services],
          tags: { 'correlation.id': id },
          limit: 20,
        }).spans(window),
      around: (services, window) =>
        services.length === 0
          ? Promise.resolve([])
          : new JaegerTraceSource({ url, services: [...services], limit: 200 }).spans(window),
      traceUrl: (traceId) => jaegerTraceUrl(url, traceId),
      close: async () => {},
    };
  }
  let inner: TraceSource;
  if (source.otlp) {
    const receiver = new OtlpReceiver({ port: source.otlp.port });
    await receiver.start();
    inner = receiver;
  } else {
    inner = new JsonLinesTraceSource(path.resolve(options.cwd, source.file!.path));
  }
  return {
    name: inner.name,
    related: async (id, window) => spansOfRequests(await inner.spans(window), [id]),
    around: async (services, window) => (await inner.spans(window)).filter((s) => services.includes(s.service)),
    traceUrl: () => null,
    close: () => inner.close(),
  };
}

/** Milliseconds of the check's `wait`. */
export function waitMs(check: TraceCheck): number {
  return parseDuration(check.wait);
}
