// Batching for the OTLP/protobuf exporter that encodes each span when it ends
// instead of keeping it until the batch is sent. The SDK's BatchSpanProcessor
// holds up to OTEL_BSP_MAX_QUEUE_SIZE span objects (with their attribute maps,
// events and links) until the export; here a span is written into its batch's
// buffer at once and its objects die young. Limits and timing follow the
// OTEL_BSP_* settings: at most maxQueueSize spans wait (the rest are dropped,
// reported once), a batch goes out when it holds maxExportBatchSize spans or
// scheduledDelayMillis after its first span, one export runs at a time, and an
// export that takes longer than exportTimeoutMillis is given up.
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { TRACE_FLAG_SAMPLED } from '../otel-enums.js';
import { SpanBatch } from './otlp-encode.js';
import type { EncodedBatch, SendBatch } from './otlp-transport.js';

export type { EncodedBatch, SendBatch } from './otlp-transport.js';

export interface EncodingBatchOptions {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  /** Runs `send` outside the app's trace (the export's own HTTP request must not be traced). */
  readonly untraced: <T>(send: () => T) => T;
  /** Reports a problem; the caller logs each message once. */
  readonly warn: (message: string) => void;
  /** Reports a failed export (the SDK's global error handler). */
  readonly exportError: (error: unknown) => void;
  /** Releases the transport at shutdown, after the last export (for example the export worker). */
  readonly close?: () => Promise<void>;
  /**
   * Sends one batch at the process's `exit`, blocking until it was answered or
   * `deadline` (performance.now() clock, ms) passed; then waits for the batches
   * already in flight the same way. Without it, {@link EncodingBatchProcessor.flushSync} does nothing.
   */
  readonly exitSend?: { send: (batch: EncodedBatch, deadline: number) => void; waitIdle: (deadline: number) => void };
}

/** A span processor that encodes ended, sampled spans into OTLP/protobuf batches and sends them. */
export class EncodingBatchProcessor implements SpanProcessor {
  readonly #send: SendBatch;
  readonly #options: EncodingBatchOptions;
  // Requests in shared memory: the hand-off to the export worker (worker-send.ts) copies nothing.
  readonly #batch = new SpanBatch({ sharedMemory: true });
  readonly #ready: EncodedBatch[] = [];
  /** Spans sealed into requests that wait or are being sent. */
  #readyCount = 0;
  #sending: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(send: SendBatch, options: EncodingBatchOptions) {
    this.#send = send;
    this.#options = options;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#closed || (span.spanContext().traceFlags & TRACE_FLAG_SAMPLED) === 0) return;
    const options = this.#options;
    if (this.#batch.count + this.#readyCount >= options.maxQueueSize) {
      options.warn(
        `span queue full (OTEL_BSP_MAX_QUEUE_SIZE=${options.maxQueueSize}): spans are dropped while the collector is slow or unreachable`,
      );
      return;
    }
    try {
      this.#batch.add(span);
    } catch (error) {
      options.warn(`a span could not be encoded and was dropped: ${(error as Error)?.message ?? error}`);
      return;
    }
    if (this.#batch.count >= options.maxExportBatchSize) {
      this.#seal();
      this.#pump();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#seal();
        this.#pump();
      }, options.scheduledDelayMillis);
      this.#timer.unref?.();
    }
  }

  /** Sends everything ended so far; resolves when the last request finished (accepted or not). */
  async forceFlush(): Promise<void> {
    this.#seal();
    this.#pump();
    while (this.#sending !== undefined) await this.#sending;
  }

  /** At `exit`: hands every waiting span to {@link EncodingBatchOptions.exitSend} and blocks until `deadline` at most. */
  flushSync(deadline: number): void {
    const exit = this.#options.exitSend;
    if (exit === undefined || this.#closed) return;
    this.#seal();
    for (const batch of this.#ready.splice(0)) {
      this.#readyCount -= batch.count;
      exit.send(batch, deadline);
    }
    exit.waitIdle(deadline);
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return;
    await this.forceFlush();
    this.#closed = true;
    await this.#options.close?.();
  }

  /** Moves the spans added so far into one request that waits to be sent. */
  #seal(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const count = this.#batch.count;
    if (count === 0) return;
    try {
      this.#ready.push({ body: this.#batch.take(), count });
      this.#readyCount += count;
    } catch (error) {
      this.#options.warn(`a batch could not be encoded and was dropped: ${(error as Error)?.message ?? error}`);
    }
  }

  /** Starts the next waiting request unless one is in flight. */
  #pump(): void {
    if (this.#sending !== undefined) return;
    const next = this.#ready.shift();
    if (next === undefined) return;
    this.#sending = this.#sendOne(next).finally(() => {
      this.#readyCount -= next.count;
      this.#sending = undefined;
      this.#pump();
    });
  }

  async #sendOne(batch: EncodedBatch): Promise<void> {
    const { exportTimeoutMillis, untraced, exportError } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`export timed out after ${exportTimeoutMillis} ms`)),
        exportTimeoutMillis,
      );
      timer.unref?.();
    });
    try {
      await Promise.race([untraced(() => this.#send(batch)), timeout]);
    } catch (error) {
      exportError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}
