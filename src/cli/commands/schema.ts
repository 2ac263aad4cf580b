import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { configJsonSchema } from '../../core/config/schema.js';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

/** JSON Schemas this project publishes, by file name. */
export async function buildSchemas(): Promise<Record<string, Record<string, unknown>>> {
  const schemas: Record<string, Record<string, unknown>> = {
    'msa-verify.config.schema.json': configJsonSchema(),
  };
  const { scenarioJsonSchema } = await import('../../chaos/scenario-schema-export.js');
  const scenario = scenarioJsonSchema();
  if (scenario) schemas['msa-verify.scenario.schema.json'] = scenario;
  return schemas;
}

/** Writes every JSON Schema into `outDir`; returns the paths written. */
export async function writeSchemas(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, schema] of Object.entries(await buildSchemas())) {
    const file = path.join(outDir, name);
    await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`);
    written.push(file);
  }
  return written;
}

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
      const files = await writeSchemas(args.out);
      out.data({ files });
      for (const f of files) out.line(`wrote ${f}`);
      return 0;
    }),
};
