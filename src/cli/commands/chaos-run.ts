import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { type ChaosRunOptions, type ChaosRunOutcome, chaosRun, rollbackActiveRuns } from '../../app/chaos-run.js';
import type { RunProgress } from '../../chaos/runner/progress.js';
import { formatDuration } from '../../core/duration.js';
import { isMsaVerifyError } from '../../core/errors.js';
import type { ChaosRunResult } from '../../core/results.js';
import { type GlobalArgs, jsonMode } from '../globals.js';
import type { Output } from '../output.js';
import { runCommand } from '../run.js';

/** Runs the scenarios with terminal rendering: progress (redrawn in place on a TTY), notes, one block per result. */
async function runAndRender(
  options: Omit<ChaosRunOptions, 'onProgress' | 'onNote' | 'onResult'>,
  out: Output,
): Promise<number> {
  trace('chaos run: start');
  const tty = process.stderr.isTTY === true;
  const outcome: ChaosRunOutcome = await chaosRun({
    ...options,
    onNote: (text) => out.error(`chaos: ${text}`),
    onProgress: (p) => {
      const line = progressLine(p);
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else out.error(line);
    },
    onResult: (result) => {
      if (tty) process.stderr.write('\r\x1b[K');
      printResult(result, out);
      trace(`chaos run: ${result.scenario} done`);
    },
  });
  out.data(outcome);
  if (outcome.dryRun) {
    for (const line of outcome.plan) out.line(line);
    return 0;
  }
  trace('chaos run: reports written');
  return outcome.passed ? 0 : 1;
}

function progressLine(p: RunProgress): string {
  return (
    `[${p.scenario}] ${p.phase} (${p.kind})  ${formatDuration(p.elapsedMs)} elapsed, ${formatDuration(p.remainingMs)} left  ` +
    `${p.rps.toFixed(1)} req/s  errors ${(p.errorRate * 100).toFixed(1)}%  p99 ${p.p99Ms === null ? '-' : `${Math.round(p.p99Ms)}ms`}`
  );
}

/** Timestamped step lines on stderr when MSAV_DEBUG is set (diagnosing hangs). */
function trace(text: string): void {
  if (process.env.MSAV_DEBUG) process.stderr.write(`[debug ${new Date().toISOString()}] ${text}\n`);
}

function printResult(r: ChaosRunResult, out: Output): void {
  const failed = r.phases.flatMap((p) => p.verdicts).filter((v) => !v.passed).length;
  out.line(
    `${r.passed ? 'PASS' : 'FAIL'} ${r.scenario} (${r.file}) run ${r.runId}, ${formatDuration(r.endedAt - r.startedAt)}, ` +
      `${r.rolledBack ? 'rolled back' : 'ROLLBACK INCOMPLETE'}${failed ? `, ${failed} expectation(s) failed` : ''}`,
  );
  for (const p of r.phases) {
    const err = ` errors ${((p.errors / Math.max(1, p.requests)) * 100).toFixed(1)}%`;
    out.line(
      p.requests > 0
        ? `  ${p.name} [${p.kind}] ${p.requests} requests${err} p99 ${Math.round(p.latencyMs.p99)}ms`
        : `  ${p.name}`,
    );
    for (const v of p.verdicts) {
      const value = v.observed === null ? 'n/a' : String(Number(v.observed.toFixed(3)));
      const plain = v.observed === null || !v.unit || v.unit === 'ratio';
      const observed = plain ? value : v.unit === 'ms' ? `${value}ms` : `${value} ${v.unit}`;
      out.line(`    ${v.passed ? 'ok  ' : 'FAIL'} ${v.name}: observed ${observed}, bound ${v.bound}. ${v.message}`);
    }
  }
}

interface Args extends GlobalArgs {
  files: string[];
  junit?: string;
  dryRun: boolean;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export const chaosRunCommand: CommandModule<GlobalArgs, Args> = {
  command: 'run <files..>',
  describe: 'Run scenario files: load, faults, verdicts; everything rolled back',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'scenario files' })
      .option('junit', { type: 'string', describe: 'write the results as JUnit XML to this file' })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'print the plan; touch nothing',
      }) as unknown as Argv<Args>,
  handler: async (args: ArgumentsCamelCase<Args>) => {
    const controller = new AbortController();
    let signalled: NodeJS.Signals | undefined;
    const emergency = async (code: number): Promise<never> => {
      await rollbackActiveRuns(8000);
      process.exit(code);
    };
    const onSignal = (sig: NodeJS.Signals): void => {
      if (signalled) {
        void emergency(SIGNAL_EXIT[sig] ?? 1); // second signal: roll back now and leave
        return;
      }
      signalled = sig;
      process.stderr.write(`\nmsa-verify: ${sig}: stopping and rolling back...\n`);
      controller.abort(sig);
      setTimeout(() => void emergency(SIGNAL_EXIT[sig] ?? 1), 10_000).unref();
    };
    const onCrash = (error: unknown): void => {
      process.stderr.write(`msa-verify: unexpected error, rolling back: ${String((error as Error)?.stack ?? error)}\n`);
      void emergency(3);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    // The JSON report file is written by chaosRun; runCommand only sees the stdout half of --json.
    const { stdout, file: jsonFile } = jsonMode(args.json);
    await runCommand(
      { ...(args.config ? { config: args.config } : {}), ...(stdout ? { json: '' } : {}) },
      async (out) => {
        try {
          return await runAndRender(
            {
              files: args.files,
              ...(args.config ? { config: args.config } : {}),
              ...(jsonFile ? { json: jsonFile } : {}),
              ...(args.junit ? { junit: args.junit } : {}),
              dryRun: args.dryRun,
              signal: controller.signal,
            },
            out,
          );
        } catch (error) {
          if (signalled && isMsaVerifyError(error) && error.code === 'MSAV_INTERRUPTED') {
            out.error(`msa-verify: ${error.message}`);
            return SIGNAL_EXIT[signalled] ?? 1;
          }
          throw error;
        }
      },
    );
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    trace(`chaos run: exit code ${String(process.exitCode)}`);
    // Exit here, while the event loop still runs: Node 24 was seen spinning in its
    // teardown (Environment::CleanupHandles) after runs that spawned the detached
    // watchdog and closed many sockets; an explicit exit skips that teardown.
    await new Promise<void>((resolve) => process.stdout.write('', () => process.stderr.write('', () => resolve())));
    process.exit();
  },
};
