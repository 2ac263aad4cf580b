import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { parseDuration } from '../../core/duration.js';
import { MsaVerifyError } from '../../core/errors.js';
import type { GlobalArgs } from '../globals.js';
import type { Output } from '../output.js';
import { runCommand } from '../run.js';

interface Args extends GlobalArgs {
  check: boolean;
  run: string;
  '--'?: (string | number)[];
  command?: string;
}

/** Exit code for a child that ended: its code, or 128 + signal number as shells report it. */
function exitCodeOf(end: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (end.code !== null) return end.code;
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9, SIGHUP: 1 };
  return 128 + (end.signal ? (numbers[end.signal] ?? 1) : 1);
}

/**
 * Runs `command` with the preload (`NODE_OPTIONS=--import <preload>`); returns
 * the command's exit code.
 */
export async function instrumentRun(command: readonly string[]): Promise<number> {
  const { runInstrumented } = await import('../../instrument/launch.js');
  return exitCodeOf(await runInstrumented(command));
}

/** The self-check: 0 when every library the app used was patched, 1 otherwise. */
export async function instrumentCheck(command: readonly string[], runMs: number, out: Output): Promise<number> {
  const { checkInstrumentation } = await import('../../instrument/launch.js');
  const result = await checkInstrumentation(command, { runMs });
  if (!result) {
    throw new MsaVerifyError(
      'MSAV_VERIFICATION_FAILED',
      `the app ended before the preload wrote its report: does "${command.join(' ')}" start a Node process?`,
    );
  }
  out.data(result);
  out.line(`ESM loader hook: ${result.report.esmHooks}${result.report.sdkDisabled ? ' (OTEL_SDK_DISABLED=true)' : ''}`);
  for (const e of result.report.instrumentations) {
    const mark = e.status === 'patched' ? 'ok  ' : e.used ? 'FAIL' : '    ';
    out.line(`${mark} ${e.name.padEnd(8)} ${e.status.padEnd(14)} ${e.target ?? '(built-in)'}${e.used ? ' used' : ''}`);
  }
  if (result.report.sdkDisabled) out.line('OTEL_SDK_DISABLED=true: nothing is instrumented');
  for (const e of result.missing)
    out.line(`not instrumented: ${e.name} (${e.target ?? 'built-in'}) is used but ${e.status}`);
  return result.ok ? 0 : 1;
}

export const instrumentCommand: CommandModule<GlobalArgs, Args> = {
  command: 'instrument [check]',
  describe:
    'Run a command with the tracing preload (instrument -- node app.js), or self-check it (instrument check -- node app.js)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .parserConfiguration({ 'populate--': true })
      .positional('check', { type: 'string', describe: '"check": report which instrumentations patched' })
      .option('run', { type: 'string', default: '3s', describe: 'check: how long the app runs before it is stopped' })
      .example('$0 instrument -- node app.js', 'run app.js with tracing and correlation IDs')
      .example(
        '$0 instrument check -- node app.js',
        'exit 1 if a library app.js uses was not instrumented',
      ) as unknown as Argv<Args>,
  handler: (args: ArgumentsCamelCase<Args>) =>
    runCommand(args, async (out) => {
      const command = (args['--'] ?? []).map(String);
      const mode = (args as unknown as { check?: string }).check;
      if (mode !== undefined && mode !== 'check') {
        throw new MsaVerifyError('MSAV_USAGE', `unknown instrument mode "${mode}"; expected "check" or "-- <command>"`);
      }
      if (command.length === 0) {
        throw new MsaVerifyError(
          'MSAV_USAGE',
          'name the command after "--", e.g. msa-verify instrument -- node app.js',
        );
      }
      if (mode === 'check') return instrumentCheck(command, parseDuration(args.run), out);
      return instrumentRun(command);
    }),
};
