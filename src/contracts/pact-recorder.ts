// One consumer contract's pact: each test runs on pact-js's PactV4 (a fresh
// one-interaction pact, checked by Pact's mock server or message reifier) with
// pact-js's per-test file write turned off; the specs that passed are kept and
// written together, defined again on one PactV4, by write() (see pending-pacts.ts
// for when that runs).
import path from 'node:path';
import { PactV4 } from '@pact-foundation/pact';
import { MsaVerifyError } from '../core/errors.js';
import { markPending, markWritten, type PendingPact } from './pending-pacts.js';
import type { ProviderStateSpec } from './types.js';

/** What a recorder needs of a spec: its identity in the pact. */
export interface RecordedSpec {
  readonly description: string;
  readonly states?: readonly ProviderStateSpec[];
}

/** Options for {@link pactRecorder}. */
export interface PactRecorderOptions {
  readonly consumer: string;
  readonly provider: string;
  readonly dir: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** Mock server port for the tests. Default: a free port per test. */
  readonly port?: number;
}

/** A contract's passed interactions, kept until written. */
export interface PactRecorder<S extends RecordedSpec, D> extends PendingPact {
  /**
   * Defines `spec` on the test's pact and runs it with `execute`; keeps the spec
   * when `execute` resolves (the same description and states again replaces the
   * earlier one), keeps nothing when it rejects.
   */
  run<T>(spec: S, execute: (defined: D) => Promise<T>): Promise<T>;
}

/** Creates the recorder of one consumer/provider pact; `define` adds a spec to a PactV4. */
export function pactRecorder<S extends RecordedSpec, D>(
  options: PactRecorderOptions,
  define: (on: PactV4, spec: S) => D,
): PactRecorder<S, D> {
  const fileName = `${options.consumer}-${options.provider}.json`;
  const base = { consumer: options.consumer, provider: options.provider, dir: options.dir, logLevel: options.logLevel };
  const pact = new PactV4({ ...base, ...(options.port ? { port: options.port } : {}) });
  const passed = new Map<string, S>();
  const recorder: PactRecorder<S, D> = {
    run: async (spec, execute) => {
      const defined = define(pact, spec);
      coreHandle(pact, fileName).writePactFile = () => {};
      const result = await execute(defined);
      const key = JSON.stringify([spec.description, spec.states ?? []]);
      passed.delete(key);
      passed.set(key, spec);
      markPending(recorder);
      return result;
    },
    write: () => {
      if (passed.size === 0) return undefined;
      const record = new PactV4(base);
      for (const spec of passed.values()) define(record, spec);
      const target = path.join(options.dir, fileName);
      try {
        // Merged into the file already there, as pact-js's per-test write does.
        coreHandle(record, fileName).writePactFile(options.dir);
      } catch (error) {
        // The interactions stay pending: a later write() (or the exit hook) tries again.
        throw new MsaVerifyError(
          'MSAV_COMPONENT_UNAVAILABLE',
          `cannot write the pact file ${target}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      passed.clear();
      markWritten(recorder);
      return target;
    },
  };
  return recorder;
}

interface CoreHandle {
  writePactFile(dir: string): void;
}

// pact-js keeps the core's pact handle in a private field of PactV4 (a new
// handle after every executeTest); a pact-js that moved it is reported, not
// silently skipped.
function coreHandle(pact: PactV4, fileName: string): CoreHandle {
  const handle = (pact as unknown as { pact?: Partial<CoreHandle> }).pact;
  if (typeof handle?.writePactFile !== 'function') {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `cannot write ${fileName}: this @pact-foundation/pact has no PactV4 core handle (msa-verify needs 17.x)`,
    );
  }
  return handle as CoreHandle;
}
