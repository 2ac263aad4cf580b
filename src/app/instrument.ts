import { MsaVerifyError } from '../core/errors.js';
import type { CheckResult } from '../instrument/launch.js';

/** Exit code for a child that ended: its code, or 128 + signal number as shells report it. */
function exitCodeOf(end: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (end.code !== null) return end.code;
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9, SIGHUP: 1 };
  return 128 + (end.signal ? (numbers[end.signal] ?? 1) : 1);
}

/** Outcome of {@link instrumentRun}. */
export interface InstrumentRunResult {
  /** The command's exit code (128 + signal number when a signal ended it). */
  readonly exitCode: number;
}

/** Runs `command` with the preload (`NODE_OPTIONS=--import <preload>`), stdio inherited. */
export async function instrumentRun(command: readonly string[]): Promise<InstrumentRunResult> {
  usable(command);
  const { runInstrumented } = await import('../instrument/launch.js');
  return { exitCode: exitCodeOf(await runInstrumented(command)) };
}

/** Options for {@link instrumentCheck}. */
export interface InstrumentCheckOptions {
  /** How long the app runs before it is stopped, ms. Default 3000. */
  readonly runMs?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The self-check: runs `command` with the preload for `runMs`, then reports
 * which instrumentations patched. `ok` is false when a library the app used
 * was not instrumented.
 * @throws MsaVerifyError `MSAV_VERIFICATION_FAILED` when the app ended before the preload wrote its report.
 */
export async function instrumentCheck(
  command: readonly string[],
  options: InstrumentCheckOptions = {},
): Promise<CheckResult> {
  usable(command);
  const { checkInstrumentation } = await import('../instrument/launch.js');
  const result = await checkInstrumentation(command, {
    runMs: options.runMs ?? 3000,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  if (!result) {
    throw new MsaVerifyError(
      'MSAV_VERIFICATION_FAILED',
      `the app ended before the preload wrote its report: does "${command.join(' ')}" start a Node process?`,
    );
  }
  return result;
}

function usable(command: readonly string[]): void {
  if (command.length === 0) {
    throw new MsaVerifyError('MSAV_USAGE', 'name the command after "--", e.g. msa-verify instrument -- node app.js');
  }
}
