// Flush at the end of the process without changing how it ends: on a signal
// the app does not handle itself, flush (bounded) then re-raise the signal with
// the default action; on beforeExit flush once.

/** Options for {@link installFlushOnExit}. */
export interface FlushOnExitOptions {
  readonly flush: () => Promise<void>;
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
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = (): void => {
      const appHandles = process.listeners(signal).some((l) => l !== onSignal);
      if (appHandles) {
        // The app decides how to end; we only start the flush.
        void flush();
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
