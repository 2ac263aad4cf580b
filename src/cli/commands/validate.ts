import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { formatProblem } from '../../core/errors.js';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

interface Args extends GlobalArgs {
  files?: string[];
}

export const validateCommand: CommandModule<GlobalArgs, Args> = {
  command: 'validate [files..]',
  describe:
    'Validate the config file, scenario files and pact files offline (default: the scenarios and pacts the config names)',
  builder: (y: Argv<GlobalArgs>) =>
    y.positional('files', {
      type: 'string',
      array: true,
      describe: 'scenario files (.yaml) and pact files (.json) to validate as well',
    }) as Argv<Args>,
  handler: (args: ArgumentsCamelCase<Args>) =>
    runCommand(args, async (out) => {
      const { validate } = await import('../../app/validate.js');
      const result = await validate({ ...(args.config ? { config: args.config } : {}), files: args.files ?? [] });
      out.data(result);
      for (const f of result.files) {
        if (f.ok) out.line(`ok  ${f.file}`);
        for (const p of f.problems) out.error(formatProblem(p));
      }
      return result.ok ? 0 : 2;
    }),
};
