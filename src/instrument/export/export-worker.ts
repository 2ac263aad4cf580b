// Entry of the export worker thread (started by worker-send.ts): receives
// encoded OTLP/protobuf requests from the app's thread, sends each through
// OpenTelemetry's HTTP transport and answers with its id and, on failure, the
// error message. The HTTP request, its socket writes and the kernel's loopback
// work then run beside the app's event loop instead of on it. Nothing here is
// traced: the preload does not run in this thread (see sdk.ts).
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { protobufTransport } from './otlp-transport.js';

/** A request from the app's thread. */
export interface ExportJob {
  readonly id: number;
  readonly body: Uint8Array;
  readonly count: number;
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
}

const port = parentPort;
if (port !== null) {
  const { url } = workerData as ExportWorkerData;
  const send = protobufTransport(createRequire(import.meta.url), url);
  port.on('message', (job: ExportJob) => {
    send(job).then(
      () => port.postMessage({ id: job.id } satisfies ExportDone),
      (error: unknown) =>
        port.postMessage({ id: job.id, error: (error as Error)?.message ?? String(error) } satisfies ExportDone),
    );
  });
}
