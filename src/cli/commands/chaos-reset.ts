import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { chaosReset } from '../../app/chaos-reset.js';
import type { GlobalArgs } from '../globals.js';
import type { Output } from '../output.js';
import { runCommand } from '../run.js';

interface Args extends GlobalArgs {
  all: boolean;
  url?: string;
}

export const chaosResetCommand: CommandModule<GlobalArgs, Args> = {
  command: 'reset',
  describe: 'Remove every proxy and toxic the journals know about (--all: reset the whole Toxiproxy)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('all', { type: 'boolean', default: false, describe: 'also POST /reset and delete every msav- proxy' })
      .option('url', { type: 'string', describe: 'Toxiproxy API for --all (default toxiproxy.url)' }) as Argv<Args>,
  handler: (args: ArgumentsCamelCase<Args>) =>
    runCommand(args, async (out: Output) => {
      const result = await chaosReset({
        all: args.all,
        ...(args.config ? { config: args.config } : {}),
        ...(args.url ? { url: args.url } : {}),
      });
      out.data(result);
      for (const r of result.runs) {
        out.line(
          `${r.ok ? 'removed' : 'INCOMPLETE'} run ${r.runId} (${r.scenario}) on ${r.toxiproxyUrl}${r.notes.length ? `: ${r.notes.join('; ')}` : ''}`,
        );
      }
      for (const d of result.deleted) out.line(`deleted proxy ${d}`);
      if (result.runs.length === 0 && result.deleted.length === 0) out.line('nothing to reset');
      return result.ok ? 0 : 3;
    }),
};
