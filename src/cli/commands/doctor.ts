import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

export const doctorCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'doctor',
  describe: 'Check that Toxiproxy, RabbitMQ, Prometheus, Pushgateway, Docker, Pact core and the broker are reachable',
  builder: (y: Argv<GlobalArgs>) => y,
  handler: (args: ArgumentsCamelCase<GlobalArgs>) =>
    runCommand(args, async (out) => {
      const { doctor } = await import('../../app/doctor.js');
      const result = await doctor({ config: args.config });
      out.data(result);
      for (const c of result.components) {
        const mark = c.ok ? 'ok  ' : c.needed ? 'FAIL' : '--  ';
        out.line(`${mark} ${c.name.padEnd(32)} ${c.detail}${!c.ok && !c.needed ? ' (not needed by the config)' : ''}`);
      }
      if (!result.ok) out.error('msa-verify: a component the config needs is unavailable');
      return result.ok ? 0 : 3;
    }),
};
