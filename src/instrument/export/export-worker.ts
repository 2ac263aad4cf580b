// Entry of the export worker thread (started by worker-send.ts): receives
// encoded OTLP/protobuf requests from the app's thread, sends each through
// OpenTelemetry's HTTP transport and answers with its id and, on failure, the
// error message, and counts the answer in the shared `busy` counter. The HTTP request, its socket writes and the kernel's loopback
// work then run beside the app's event loop instead of on it. Nothing here is
// traced: the preload does not run in this thread (see sdk.ts).
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { type BatchFormat, protobufTransport, type SendBatch } from './otlp-transport.js';

/** A request from the app's thread. */
export interface ExportJob {
  readonly id: number;
  readonly body: Uint8Array;
  readonly count: number;
  /** Default protobuf. */
  readonly format?: BatchFormat;
}

/** The answer to one job: no `error` means the collector accepted it. */
export interface ExportDone {
  readonly id: number;
  readonly error?: string;
}

/** `workerData` of the export worker; the marker lets the preload recognise the thread. */
export interface ExportWorkerData {
  readonly msaVerifyExportWorker: true;
  readonly url: string;
  /**
   * One Int32: jobs posted and not answered yet. The app's thread adds one per
   * job; this thread subtracts one per answer and notifies, so that a blocked
   * app thread (Atomics.wait at exit, when it cannot receive messages) sees it.
   */
  readonly busy: SharedArrayBuffer;
}

const port = parentPort;
if (port !== null) {
  const { url, busy } = workerData as ExportWorkerData;
  const counter = new Int32Array(busy);
  const require = createRequire(import.meta.url);
  const transports: Partial<Record<BatchFormat, SendBatch>> = {};
  const answered = () => {
    Atomics.sub(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  port.on('message', (job: ExportJob) => {
    const format = job.format ?? 'protobuf';
    let send: SendBatch;
    try {
      send = transports[format] ??= protobufTransport(require, url, format);
    } catch (error) {
      port.postMessage({ id: job.id, error: (error as Error)?.message ?? String(error) } satisfies ExportDone);
      answered();
      return;
    }
    send(job).then(
      () => {
        port.postMessage({ id: job.id } satisfies ExportDone);
        answered();
      },
      (error: unknown) => {
        port.postMessage({ id: job.id, error: (error as Error)?.message ?? String(error) } satisfies ExportDone);
        answered();
      },
    );
  });
}
