import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { buildDashboardFiles } from '../../app/dashboards.js';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

interface BuildArgs extends GlobalArgs {
  out: string;
}

const buildCommand: CommandModule<GlobalArgs, BuildArgs> = {
  command: 'build',
  describe: 'Write the Grafana dashboards (JSON) generated from code',
  builder: (y: Argv<GlobalArgs>) =>
    y.option('out', { type: 'string', default: 'dashboards', describe: 'output folder' }) as Argv<BuildArgs>,
  handler: (args: ArgumentsCamelCase<BuildArgs>) =>
    runCommand(args, async (out) => {
      const result = await buildDashboardFiles({ out: args.out });
      out.data(result);
      for (const f of result.files) out.line(`wrote ${f}`);
      return 0;
    }),
};

export const dashboardsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'dashboards <command>',
  describe: 'Grafana dashboards as code',
  builder: (y: Argv<GlobalArgs>) =>
    y.command(buildCommand as unknown as CommandModule<GlobalArgs, GlobalArgs>).demandCommand(1, 'Name a subcommand'),
  handler: () => {},
};
