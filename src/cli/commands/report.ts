import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { renderHtmlReport } from '../../app/report.js';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

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
      const result = await renderHtmlReport({ from: args.from, out: args.out });
      out.data(result);
      out.line(`wrote ${result.file} (${result.runs} run(s), ${result.passed} passed)`);
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
