// JSON-lines span exporter (MSA_VERIFY_TRACES_FILE): one finished span per
// line, in a flat shape that tests and the chaos runner read without an OTLP
// decoder. Lines are appended; several processes may share one file because
// each batch is a single append of whole lines.
import { appendFileSync } from 'node:fs';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { EXPORT_FAILED, EXPORT_SUCCESS, STATUS_ERROR, STATUS_OK } from '../otel-enums.js';

/** One line of the traces file. Times are epoch milliseconds (fractional). */
export interface SpanLine {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty string for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  readonly startTime: number;
  readonly endTime: number;
  readonly durationMs: number;
  readonly attributes: Record<string, unknown>;
  readonly status: { readonly code: 'UNSET' | 'OK' | 'ERROR'; readonly message?: string };
  readonly events: readonly {
    readonly name: string;
    readonly time: number;
    readonly attributes: Record<string, unknown>;
  }[];
  readonly resource: { readonly 'service.name': string } & Record<string, unknown>;
  readonly scope: string;
}

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;

function ms(time: readonly [number, number]): number {
  return time[0] * 1000 + time[1] / 1e6;
}

/** Converts a finished span to its line shape. */
export function toSpanLine(span: ReadableSpan): SpanLine {
  const ctx = span.spanContext();
  const status = span.status.code === STATUS_ERROR ? 'ERROR' : span.status.code === STATUS_OK ? 'OK' : 'UNSET';
  const resource = { ...(span.resource.attributes as Record<string, unknown>) };
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    kind: KINDS[span.kind] ?? 'INTERNAL',
    startTime: ms(span.startTime),
    endTime: ms(span.endTime),
    durationMs: ms(span.duration),
    attributes: { ...span.attributes },
    status: span.status.message ? { code: status, message: span.status.message } : { code: status },
    events: span.events.map((e) => ({ name: e.name, time: ms(e.time), attributes: { ...(e.attributes ?? {}) } })),
    resource: { ...resource, 'service.name': String(resource['service.name'] ?? '') },
    scope: span.instrumentationScope.name,
  };
}

/**
 * Appends spans to `file` as JSON lines, synchronously: one small write per
 * batch, and no write is ever left half-done when the app calls process.exit().
 */
export class JsonLinesFileExporter implements SpanExporter {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  export(spans: ReadableSpan[], resultCallback: (result: { code: number; error?: Error }) => void): void {
    try {
      this.#append(spans);
    } catch (error) {
      resultCallback({ code: EXPORT_FAILED, error: error as Error });
      return;
    }
    resultCallback({ code: EXPORT_SUCCESS });
  }

  /** The same write for the process's exit (exit-flush.ts); never throws. */
  exportSync(spans: ReadableSpan[]): void {
    try {
      this.#append(spans);
    } catch {
      // Telemetry must never break the app.
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  #append(spans: ReadableSpan[]): void {
    let text = '';
    for (const span of spans) text += `${JSON.stringify(toSpanLine(span))}\n`;
    appendFileSync(this.#file, text);
  }
}
