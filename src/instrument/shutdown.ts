// Flush at the end of the process without changing how it ends: on a signal
// the app does not handle itself, flush (bounded) then re-raise the signal with
// the default action; on beforeExit flush once; on exit (process.exit() by the
// app, or the end after beforeExit) flush synchronously (export/exit-flush.ts).

/** Options for {@link installFlushOnExit}. */
export interface FlushOnExitOptions {
  readonly flush: () => Promise<void>;
  /** Exports what is left without the event loop, within `timeoutMs`; runs on `exit`. Never throws. */
  readonly flushSync?: (timeoutMs: number) => void;
  /** Upper bound for one flush, milliseconds. */
  readonly timeoutMs: number;
}

/** Resolves when `promise` settles or `ms` pass, whichever is first; never rejects. */
export function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/** Installs the beforeExit and SIGTERM/SIGINT handlers. */
export function installFlushOnExit(options: FlushOnExitOptions): void {
  const flush = () => bounded(options.flush(), options.timeoutMs);
  let flushedBeforeExit = false;
  process.on('beforeExit', () => {
    if (flushedBeforeExit) return;
    flushedBeforeExit = true;
    void flush();
  });
  const flushSync = options.flushSync;
  if (flushSync !== undefined) {
    process.on('exit', () => {
      try {
        flushSync(options.timeoutMs);
      } catch {
        // Telemetry must never change how the app ends.
      }
    });
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = (): void => {
      const appHandles = process.listeners(signal).some((l) => l !== onSignal);
      if (appHandles) {
        // The app decides how to end; we only start the flush, after its handler: one that calls
        // process.exit() at once leaves everything to the synchronous flush at `exit`, which an
        // export already started here (and cut by the exit) would miss.
        setImmediate(() => void flush()).unref();
        return;
      }
      process.removeListener(signal, onSignal);
      void flush().then(() => {
        process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
}
