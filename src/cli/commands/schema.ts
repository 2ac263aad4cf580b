import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

interface Args extends GlobalArgs {
  out: string;
}

export const schemaCommand: CommandModule<GlobalArgs, Args> = {
  command: 'schema',
  describe: 'Write the JSON Schemas of the config and scenario files (for editors)',
  builder: (y: Argv<GlobalArgs>) =>
    y.option('out', { type: 'string', default: 'schema', describe: 'output folder' }) as Argv<Args>,
  handler: (args: ArgumentsCamelCase<Args>) =>
    runCommand(args, async (out) => {
      const { writeSchemas } = await import('../../app/schema.js');
      const result = await writeSchemas({ out: args.out });
      out.data(result);
      for (const f of result.files) out.line(`wrote ${f}`);
      return 0;
    }),
};
