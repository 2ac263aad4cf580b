// Consumer contracts keep the interactions that passed in memory and write the
// pact file once, not after every test: pact-js merges each test's one-interaction
// pact into the file on disk, which reads and rewrites a file that grows with the
// interactions before it (quadratic in the interactions of a pact; see
// docs/benchmarks.md, "Consumer-side pact generation").
//
// When the file is written:
//   - `contract.write()`, or `writePendingPacts()` for every contract of the process;
//   - under `msa-verify contracts test`, after each test file (a generated vitest setup file);
//   - when the process exits normally (a plain Node script). vitest's workers do not run
//     exit handlers, so tests run by vitest directly call `write()` in an `afterAll`.
//
// The registry lives on globalThis: a test runner may load this module twice (once as
// the test's import, once natively), and both copies must see the same contracts.

/** A contract whose passed interactions are not written yet. */
export interface PendingPact {
  /** Writes the pact file (merged into the file on disk); returns its path, or undefined when nothing was pending. */
  write(): string | undefined;
}

/** Name of the global symbol (`Symbol.for`) the registry hangs on; the generated vitest setup file uses it. */
export const PENDING_PACTS_GLOBAL = 'msa-verify.contracts.pending-pacts';
const KEY = Symbol.for(PENDING_PACTS_GLOBAL);

interface Registry {
  readonly pending: Set<PendingPact>;
  exitHook: boolean;
}

function registry(): Registry {
  const global = globalThis as { [KEY]?: Registry };
  global[KEY] ??= { pending: new Set(), exitHook: false };
  return global[KEY];
}

/** Marks a contract as having passed interactions to write; installs the exit hook once per process. */
export function markPending(pact: PendingPact): void {
  const reg = registry();
  reg.pending.add(pact);
  if (!reg.exitHook) {
    reg.exitHook = true;
    // Synchronous on purpose: Pact's core writes synchronously, and 'exit' allows nothing else.
    process.once('exit', () => {
      writePendingPacts();
    });
  }
}

/** Called by a contract once it has written (or has nothing left to write). */
export function markWritten(pact: PendingPact): void {
  registry().pending.delete(pact);
}

/**
 * Writes the pact files of every contract in this process that has passed
 * interactions not written yet. Returns the paths written. Use it in an
 * `afterAll` when vitest runs the consumer tests directly
 * (`msa-verify contracts test` does it for you).
 * @throws the first contract's write error, after every other contract has written.
 */
export function writePendingPacts(): string[] {
  const written: string[] = [];
  const failed: unknown[] = [];
  // One contract that cannot write does not keep the others from writing.
  for (const pact of [...registry().pending]) {
    try {
      const file = pact.write();
      if (file) written.push(file);
    } catch (error) {
      failed.push(error);
    }
  }
  if (failed.length > 0) throw failed[0];
  return written;
}
