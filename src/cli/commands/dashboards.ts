import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

/** Options for {@link buildDashboardFiles}. */
export interface DashboardsBuildOptions {
  /** Output folder; default `dashboards`. */
  readonly out?: string;
}

/** Writes the Grafana dashboards built from src/dashboards; returns the files written. */
export async function buildDashboardFiles(options: DashboardsBuildOptions = {}): Promise<string[]> {
  const { writeDashboards } = await import('../../dashboards/build.js');
  return writeDashboards(options.out ?? 'dashboards');
}

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
      const files = await buildDashboardFiles({ out: args.out });
      out.data({ files });
      for (const f of files) out.line(`wrote ${f}`);
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
