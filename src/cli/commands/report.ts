import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

/** Options for {@link renderHtmlReport}. */
export interface ReportHtmlOptions {
  /** JSON report written by `--json FILE` of `contracts`/`chaos` (or `writeJsonReport`). */
  readonly from: string;
  /** HTML file to write. */
  readonly out: string;
}

/** Renders a JSON report as a self-contained HTML report; returns how many runs it holds and how many passed. */
export async function renderHtmlReport(options: ReportHtmlOptions): Promise<{ runs: number; passed: number }> {
  const { readResultsFile } = await import('../../report/html-input.js');
  const { writeHtmlReport } = await import('../../report/html.js');
  const results = await readResultsFile(options.from);
  await writeHtmlReport(options.out, results);
  return { runs: results.length, passed: results.filter((r) => r.passed).length };
}

interface HtmlArgs extends GlobalArgs {
  from: string;
  out: string;
}

const htmlCommand: CommandModule<GlobalArgs, HtmlArgs> = {
  command: 'html',
  describe: 'Render a JSON report as a self-contained HTML report (charts, verdicts, mismatches)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('from', { type: 'string', demandOption: true, describe: 'JSON report (results.json)' })
      .option('out', { type: 'string', default: 'report.html', describe: 'HTML file to write' }) as Argv<HtmlArgs>,
  handler: (args: ArgumentsCamelCase<HtmlArgs>) =>
    runCommand(args, async (out) => {
      const summary = await renderHtmlReport({ from: args.from, out: args.out });
      out.data({ file: args.out, ...summary });
      out.line(`wrote ${args.out} (${summary.runs} run(s), ${summary.passed} passed)`);
      return 0;
    }),
};

export const reportCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'report <command>',
  describe: 'Render reports from saved results',
  builder: (y: Argv<GlobalArgs>) =>
    y.command(htmlCommand as unknown as CommandModule<GlobalArgs, GlobalArgs>).demandCommand(1, 'Name a subcommand'),
  handler: () => {},
};
