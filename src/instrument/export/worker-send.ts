// Sends encoded OTLP/protobuf batches from a worker thread (export-worker.ts),
// so the app's event loop spends on an export only one message (a body in
// shared memory, as the encoding processor makes them, is not even copied).
// The worker starts at the first export and does not keep the process alive
// except while a batch is in flight, as an HTTP request of its own would. If
// the worker cannot start or stops, the batches in flight and all later ones go
// through `fallback` on the app's thread, with one warning.
import { Worker } from 'node:worker_threads';
import type { ExportDone, ExportJob, ExportWorkerData } from './export-worker.js';
import type { BatchFormat, EncodedBatch, SendBatch } from './otlp-transport.js';

export interface WorkerSendOptions {
  /** The collector's traces URL. */
  readonly url: string;
  /** The worker's entry (the compiled export-worker.js). */
  readonly workerFile: URL;
  /** The transport on the app's thread, created when first needed. */
  readonly fallback: () => SendBatch;
  readonly warn: (message: string) => void;
}

interface InFlight {
  readonly batch: EncodedBatch;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A {@link SendBatch} backed by one export worker, with `close` to stop it. */
export class WorkerSend {
  readonly #options: WorkerSendOptions;
  readonly #inFlight = new Map<number, InFlight>();
  #worker: Worker | undefined;
  #fallback: SendBatch | undefined;
  #next = 0;
  /** Jobs posted to the worker and not answered yet (see ExportWorkerData.busy). */
  readonly #busy = new Int32Array(new SharedArrayBuffer(4));

  constructor(options: WorkerSendOptions) {
    this.#options = options;
  }

  /** True once batches go through the fallback. */
  get onMainThread(): boolean {
    return this.#fallback !== undefined;
  }

  readonly send: SendBatch = (batch) => {
    if (this.#fallback !== undefined) return this.#fallback(batch);
    let worker: Worker;
    try {
      worker = this.#worker ?? this.#start();
    } catch (error) {
      return this.#useFallback(error).then(() => this.send(batch));
    }
    const id = ++this.#next;
    return new Promise<void>((resolve, reject) => {
      this.#inFlight.set(id, { batch, resolve, reject });
      if (this.#inFlight.size === 1) worker.ref();
      try {
        // Not transferred: if the worker dies the batch can still be sent from here. A body in shared
        // memory (as the encoding processor makes them) is not copied either.
        this.#post(worker, { id, body: batch.body, count: batch.count });
      } catch (error) {
        this.#inFlight.delete(id);
        if (this.#inFlight.size === 0) worker.unref();
        reject(error);
      }
    });
  };

  /**
   * For the process's `exit` event, when no callback can run any more: hands
   * `batch` to the worker (starting one if needed, also after a fallback to
   * the main thread) and blocks until every job the worker holds is answered
   * or `deadline` (performance.now() clock, ms) passes. Never throws.
   */
  sendSync(batch: EncodedBatch, deadline: number, format: BatchFormat = 'protobuf'): void {
    try {
      const worker = this.#worker ?? this.#start();
      this.#post(worker, { id: ++this.#next, body: batch.body, count: batch.count, format });
    } catch (error) {
      this.#options.warn(`spans not sent at exit: ${(error as Error)?.message ?? error}`);
      return;
    }
    this.waitIdle(deadline);
  }

  /** Blocks until the worker answered every job it holds, or until `deadline` (performance.now() clock, ms). */
  waitIdle(deadline: number): void {
    for (;;) {
      const busy = Atomics.load(this.#busy, 0);
      const left = deadline - performance.now();
      if (busy <= 0 || left <= 0 || this.#worker === undefined) return;
      Atomics.wait(this.#busy, 0, busy, left);
    }
  }

  #post(worker: Worker, job: ExportJob): void {
    Atomics.add(this.#busy, 0, 1);
    try {
      worker.postMessage(job);
    } catch (error) {
      Atomics.sub(this.#busy, 0, 1);
      throw error;
    }
  }

  /** Stops the worker; batches still in flight fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker === undefined) return;
    worker.removeAllListeners();
    for (const [id, job] of this.#inFlight) {
      this.#inFlight.delete(id);
      job.reject(new Error('export worker closed'));
    }
    await worker.terminate();
  }

  #start(): Worker {
    // A new worker holds no job: forget what a stopped one never answered.
    Atomics.store(this.#busy, 0, 0);
    const data: ExportWorkerData = {
      msaVerifyExportWorker: true,
      url: this.#options.url,
      busy: this.#busy.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(this.#options.workerFile, {
      workerData: data,
      // The app's own flags (a preload, a loader) are not for this thread.
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('message', (done: ExportDone) => {
      const job = this.#inFlight.get(done.id);
      if (job === undefined) return;
      this.#inFlight.delete(done.id);
      if (this.#inFlight.size === 0) worker.unref();
      if (done.error === undefined) job.resolve();
      else job.reject(new Error(done.error));
    });
    const stopped = (reason: unknown) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      void this.#useFallback(reason);
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`exit code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  /** Moves to the app's thread and resends what was in flight there. */
  async #useFallback(reason: unknown): Promise<void> {
    if (this.#fallback === undefined) {
      this.#options.warn(
        `export worker unavailable (${(reason as Error)?.message ?? reason}); spans are sent from the main thread`,
      );
      try {
        this.#fallback = this.#options.fallback();
      } catch (error) {
        this.#fallback = () => Promise.reject(error);
      }
    }
    const send = this.#fallback;
    for (const [id, job] of this.#inFlight) {
      this.#inFlight.delete(id);
      send(job.batch).then(job.resolve, job.reject);
    }
  }
}
