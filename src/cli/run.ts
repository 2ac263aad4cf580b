import { exitCodeFor } from '../core/errors.js';
import type { ExitCode } from '../core/exit-codes.js';
import { writeFileAtomic } from '../core/write-file-atomic.js';
import { type GlobalArgs, jsonMode } from './globals.js';
import { type Output, processOutput, reportError } from './output.js';

/**
 * Runs a command body and sets the exit code from what it returns or throws.
 * This is the one place where a process exit code is decided. With
 * `--json FILE`, what the body hands to `out.data` is written to FILE.
 */
export async function runCommand(args: GlobalArgs, body: (out: Output) => Promise<ExitCode | number>): Promise<void> {
  const mode = jsonMode(args.json);
  const captured: unknown[] = [];
  const out = processOutput(mode.stdout, mode.file ? (value) => captured.push(value) : undefined);
  try {
    process.exitCode = await body(out);
  } catch (error) {
    reportError(out, error);
    process.exitCode = exitCodeFor(error);
  }
  if (mode.file && captured.length > 0) {
    const value = captured.length === 1 ? captured[0] : captured;
    await writeFileAtomic(mode.file, `${JSON.stringify(value, null, 2)}\n`);
  }
}
