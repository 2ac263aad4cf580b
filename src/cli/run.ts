import { exitCodeFor } from '../core/errors.js';
import type { ExitCode } from '../core/exit-codes.js';
import type { GlobalArgs } from './globals.js';
import { type Output, processOutput, reportError } from './output.js';

/**
 * Runs a command body and sets the exit code from what it returns or throws.
 * This is the one place where a process exit code is decided.
 */
export async function runCommand(args: GlobalArgs, body: (out: Output) => Promise<ExitCode | number>): Promise<void> {
  const out = processOutput(args.json);
  try {
    process.exitCode = await body(out);
  } catch (error) {
    reportError(out, error);
    process.exitCode = exitCodeFor(error);
  }
}
