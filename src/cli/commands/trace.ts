import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { type GlobalArgs, jsonMode } from '../globals.js';
import { runCommand } from '../run.js';
import { traceLines } from '../trace-format.js';

interface Args extends GlobalArgs {
  files?: string[];
  junit?: string;
  html?: string;
}

export const traceCommand: CommandModule<GlobalArgs, Args> = {
  command: 'trace [files..]',
  describe: 'Send a request with a fresh correlation ID and check that it can be followed across every service',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'trace check files (default traces/*.yaml)' })
      .option('junit', { type: 'string', describe: 'write the results as JUnit XML to this file' })
      .option('html', {
        type: 'string',
        describe: 'write the HTML report (with a waterfall per trace) to this file',
      }) as unknown as Argv<Args>,
  handler: async (args: ArgumentsCamelCase<Args>) => {
    // The JSON report file is written by traceRun; runCommand only sees the stdout half of --json.
    const { stdout, file: jsonFile } = jsonMode(args.json);
    await runCommand(
      { ...(args.config ? { config: args.config } : {}), ...(stdout ? { json: '' } : {}) },
      async (out) => {
        const { traceRun } = await import('../../app/trace.js');
        const outcome = await traceRun({
          files: args.files ?? [],
          ...(args.config ? { config: args.config } : {}),
          ...(jsonFile ? { json: jsonFile } : {}),
          ...(args.junit ? { junit: args.junit } : {}),
          ...(args.html ? { html: args.html } : {}),
          onNote: (text) => out.error(`trace: ${text}`),
          onResult: (r) => {
            for (const line of traceLines(r)) out.line(line);
          },
        });
        out.data(outcome);
        return outcome.passed ? 0 : 1;
      },
    );
  },
};
