import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { instrumentCheck, instrumentRun } from '../../app/instrument.js';
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

async function checkAndRender(command: readonly string[], runMs: number, out: Output): Promise<number> {
  const result = await instrumentCheck(command, { runMs });
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
      if (mode === 'check') return checkAndRender(command, parseDuration(args.run), out);
      return (await instrumentRun(command)).exitCode;
    }),
};
