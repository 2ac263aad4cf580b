import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { chaosReset } from '../../app/chaos-reset.js';
import type { GlobalArgs } from '../globals.js';
import type { Output } from '../output.js';
import { runCommand } from '../run.js';

interface Args extends GlobalArgs {
  all: boolean;
  yes: boolean;
  url?: string;
}

export const chaosResetCommand: CommandModule<GlobalArgs, Args> = {
  command: 'reset',
  describe:
    "Remove every proxy and toxic the journals know about, and msa-verify's containers left by ended processes (--all: every msav- proxy and msa-verify container too, and with --yes other proxies' toxics)",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('all', {
        type: 'boolean',
        default: false,
        describe: "also delete every msav- proxy, and remove other proxies' toxics (lists them; needs --yes)",
      })
      .option('yes', {
        type: 'boolean',
        default: false,
        describe: "confirm that --all may change proxies that are not msa-verify's",
      })
      .option('url', { type: 'string', describe: 'Toxiproxy API for --all (default toxiproxy.url)' }) as Argv<Args>,
  handler: (args: ArgumentsCamelCase<Args>) =>
    runCommand(args, async (out: Output) => {
      const result = await chaosReset({
        all: args.all,
        yes: args.yes,
        ...(args.config ? { config: args.config } : {}),
        ...(args.url ? { url: args.url } : {}),
      });
      out.data(result);
      for (const r of result.runs) {
        out.line(
          `${r.ok ? 'removed' : 'INCOMPLETE'} run ${r.runId} (${r.scenario}) on ${r.toxiproxyUrl}${r.notes.length ? `: ${r.notes.join('; ')}` : ''}`,
        );
      }
      for (const t of result.removedToxics) out.line(`removed toxic ${t.name} (${t.type}) from proxy ${t.proxy}`);
      for (const p of result.enabled) out.line(`enabled proxy ${p}`);
      for (const d of result.deleted) out.line(`deleted proxy ${d}`);
      for (const c of result.containers) {
        out.line(
          `${c.removed ? 'removed' : 'COULD NOT REMOVE'} container ${c.id.slice(0, 12)} (${c.role}, ${c.image})`,
        );
      }
      const changed =
        result.runs.length +
        result.deleted.length +
        result.removedToxics.length +
        result.enabled.length +
        result.containers.length;
      if (changed === 0) out.line('nothing to reset');
      return result.ok ? 0 : 3;
    }),
};
