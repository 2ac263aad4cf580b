import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../globals.js';
import { chaosResetCommand } from './chaos-reset.js';
import { chaosRunCommand } from './chaos-run.js';

export const chaosCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'chaos <command>',
  describe: 'Toxiproxy fault scenarios that judge retries, timeouts and circuit breakers',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command(chaosRunCommand as unknown as CommandModule<GlobalArgs, GlobalArgs>)
      .command(chaosResetCommand as unknown as CommandModule<GlobalArgs, GlobalArgs>)
      .demandCommand(1, 'Name a chaos command: run or reset'),
  handler: () => undefined,
};
